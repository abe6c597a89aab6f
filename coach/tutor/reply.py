"""What a reply stream can say besides text, and the learner-facing words for each failure.

`RESTART` is sent when a broken stream is started again from scratch: whoever shows the
reply clears what it showed, so the learner never reads the same text twice.
"""

from __future__ import annotations

RESTART = "\x00coach:restart\x00"


class CoachUnavailable(Exception):
    """The API could not give a reply; `message` is the one line the learner sees."""

    def __init__(self, message: str, error_class: str, lasting: bool = False) -> None:
        super().__init__(message)
        self.message = message
        self.error_class = error_class
        self.lasting = lasting
        """True when asking again will not help this session (a bad key): go offline for good."""


def explain(error: BaseException, max_retries: int) -> CoachUnavailable:
    """The one-line message for an exception from the SDK or its HTTP library."""
    import anthropic
    from anthropic.types.shared import EnforcedSpendLimitReachedError

    name = type(error).__name__
    tries = f"after {max_retries + 1} attempts" if max_retries else "on the first attempt"
    if isinstance(error, anthropic.AuthenticationError):
        return CoachUnavailable("The API refused the key (401): check ANTHROPIC_API_KEY. The offline coach "
                                "answers meanwhile.", name, lasting=True)
    if isinstance(error, anthropic.PermissionDeniedError):
        return CoachUnavailable("The key may not use this model (403). The offline coach answers meanwhile.", name,
                                lasting=True)
    if isinstance(error, EnforcedSpendLimitReachedError):
        return CoachUnavailable("Your organisation's spend limit is reached (429): it will not lift in seconds. "
                                "The offline coach answers meanwhile.", name, lasting=True)
    if isinstance(error, anthropic.RateLimitError):
        wait = error.response.headers.get("retry-after")
        after = f"; the API asks for {wait} s before the next request" if wait else ""
        return CoachUnavailable(f"Rate-limited (429) {tries}{after}. Ask again in a moment; the offline coach "
                                "answers this one.", name)
    if isinstance(error, anthropic.APIStatusError) and (error.status_code == 529 or "overloaded" in str(error)):
        return CoachUnavailable(f"The API is overloaded (529) {tries}. Ask again in a minute; the offline coach "
                                "answers this one.", name)
    if isinstance(error, anthropic.APITimeoutError):
        return CoachUnavailable(f"The API did not answer in time {tries}. The offline coach answers this one.", name)
    if isinstance(error, anthropic.APIConnectionError):
        return CoachUnavailable(f"Could not reach the API {tries} (no network, or ANTHROPIC_BASE_URL is wrong). "
                                "The offline coach answers this one.", name)
    if isinstance(error, anthropic.BadRequestError):
        return CoachUnavailable(f"The API refused the request (400): {error.message[:160]}", name)
    if isinstance(error, anthropic.APIStatusError):
        return CoachUnavailable(f"The API failed ({error.status_code}) {tries}. The offline coach answers this one.",
                                name)
    if type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2"):
        return CoachUnavailable("The reply stream broke and could not be restarted. The offline coach answers "
                                "this one.", name)
    return CoachUnavailable(f"The coach failed ({name}). The offline coach answers this one.", name)
