"""Retry with backoff: the reference solution (passes every checklist item).

Write `call_with_retries`. `main()` calls it five times, and each call meets a different
fault from the local stub. Run and grade with `coach grade retry-backoff` (or Ctrl+R in the app).

Why it is written this way: the spend-cap error is caught first because it is a RateLimitError too,
and its cap will not lift in seconds. Only the retryable classes are caught at all, so a 400 or a 401
propagates on the first attempt. The server's retry-after, when present, replaces the computed
backoff; otherwise the wait is half the capped ceiling plus a random part of the other half, so
clients that failed together do not retry together. The last failure is chained with `from error`,
so the caller sees both what gave up and why.
"""

import random
import time

import anthropic
from anthropic.types.shared import EnforcedSpendLimitReachedError

MODEL = "claude-sonnet-5-5"
MAX_ATTEMPTS = 4
"""Attempts in all, the first one included."""
BASE_DELAY_S = 0.5
"""Backoff before attempt n+1 (n = 0, 1, ...) is drawn from [BASE_DELAY_S * 2**n / 2, BASE_DELAY_S * 2**n]."""
MAX_DELAY_S = 8.0


class RetriesExhausted(Exception):
    """Raised when every attempt failed with a retryable error."""


def retry_after_s(error: anthropic.APIStatusError) -> float | None:
    value = error.response.headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def call_with_retries(client: anthropic.Anthropic, **request):
    """`client.messages.create(**request)`, retried when a retry can help."""
    for attempt in range(MAX_ATTEMPTS):
        try:
            return client.messages.create(**request)
        except EnforcedSpendLimitReachedError:
            raise  # the spending cap will not lift in seconds
        except (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APIConnectionError) as error:
            if attempt == MAX_ATTEMPTS - 1:
                raise RetriesExhausted(f"gave up after {MAX_ATTEMPTS} attempts: {error}") from error
            hinted = retry_after_s(error) if isinstance(error, anthropic.APIStatusError) else None
            if hinted is not None:
                delay = hinted
            else:
                ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt)
                delay = ceiling / 2 + random.uniform(0, ceiling / 2)
            time.sleep(delay)
    raise AssertionError("unreachable")


CASES = ["rate-limited", "overloaded", "bad-request", "spend-cap", "outage"]


def main() -> dict[str, str]:
    """Ask once per case; return what happened to each, in plain words. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)  # your wrapper is the only retry loop
    outcomes = {}
    for case in CASES:
        try:
            call_with_retries(client, model=MODEL, max_tokens=64,
                              messages=[{"role": "user", "content": f"case {case}: summarise the incident report."}])
            outcomes[case] = "answered"
        except Exception as error:
            outcomes[case] = f"{type(error).__name__}: {error}"
    return outcomes


if __name__ == "__main__":
    for case, outcome in main().items():
        print(f"{case:>13}: {outcome}")
