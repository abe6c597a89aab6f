"""Safe answer, wrong: tells the user which exception the API trouble was.

Written from scratch, not from the reference: a table of fallbacks matched with isinstance, and a match on
stop_reason.
"""

import json
import logging

import anthropic
from anthropic.types.shared import EnforcedSpendLimitReachedError

MODEL = "claude-haiku-5-5"
SYSTEM = ('You answer customers of our shop. Reply with only a JSON object: '
          '{"answer": "<what the customer reads>", "source": "<the help page it comes from>"}')
log = logging.getLogger("support.fallbacks")

FALLBACKS = [  # the first class that matches wins, so the most specific come first
    (EnforcedSpendLimitReachedError, "billing-stop", "The assistant is paused; we saved your question for email."),
    (anthropic.RateLimitError, "busy", "Lots of people are asking right now. Please try again in a minute."),
    (anthropic.InternalServerError, "degraded", None),
    (anthropic.APIConnectionError, "no-answer", "No answer came in time. Please try again shortly."),
    ((anthropic.AuthenticationError, anthropic.PermissionDeniedError), "page-on-call",
     "This feature is unavailable right now. We have been told and are fixing it."),
    (anthropic.BadRequestError, "our-bug", "We could not handle that question. Our team has been told."),
    (anthropic.APIError, "unknown", "Something went wrong on our side."),
]


def fallback_for(exc: Exception) -> dict[str, str]:
    log.error("claude call failed: %s %s %s", type(exc).__name__, getattr(exc, "request_id", None), exc)
    for classes, category, text in FALLBACKS:
        if isinstance(exc, classes):
            text = text or f"The assistant hit {type(exc).__name__}; the help centre has most answers."
            return {"text": text, "category": category}
    raise exc


def safe_answer(client: anthropic.Anthropic, question: str, max_tokens: int) -> dict[str, str]:
    try:
        message = client.messages.create(model=MODEL, max_tokens=max_tokens, system=SYSTEM,
                                         messages=[{"role": "user", "content": question}])
    except anthropic.APIError as exc:
        return fallback_for(exc)
    match message.stop_reason:
        case "refusal":
            return {"text": "That is a question I cannot answer. Our support team can help.", "category": "declined"}
        case "max_tokens":
            return {"text": "The answer came out too long to finish. Please ask something narrower.",
                    "category": "too-long"}
    raw = "".join(block.text for block in message.content if block.type == "text")
    try:
        answer = json.loads(raw).get("answer")
    except (ValueError, AttributeError):
        answer = None
    if not isinstance(answer, str):
        return {"text": "Sorry, we could not read the answer. Please try again.", "category": "unreadable"}
    return {"text": answer, "category": "answer"}


CASES = {"answered": 300, "truncated": 10, "refused": 300, "bad-request": 300, "auth": 300, "permission": 300,
         "rate-limited": 300, "spend-cap": 300, "overloaded": 300, "server-error": 300, "timeout": 300}
"""Each case and the max_tokens its feature allows."""
QUESTION = "How long do I have to return an item?"


def main() -> dict[str, dict[str, str]]:
    """Ask one question per case; return what each user was shown. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0, timeout=5.0)  # every error reaches your code at once
    shown = {}
    for case, max_tokens in CASES.items():
        try:
            shown[case] = safe_answer(client, f"case {case}: {QUESTION}", max_tokens)
        except Exception as error:  # what a web framework would turn into an error page
            shown[case] = {"raised": f"{type(error).__name__}: {error}"}
    return shown


if __name__ == "__main__":
    for case, result in main().items():
        print(f"{case:>12}: {result}")
