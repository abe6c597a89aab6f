"""Safe answer, wrong: asks again after every whole answer and keeps the second one, "to be sure".
"""

import json
import logging

import anthropic
from anthropic.types.shared import EnforcedSpendLimitReachedError

MODEL = "claude-haiku-5-5"
SYSTEM = ('You answer customers of our shop. Reply with only a JSON object: '
          '{"answer": "<what the customer reads>", "source": "<the help page it comes from>"}')
log = logging.getLogger("support.fallbacks")


def reply(text: str, category: str) -> dict[str, str]:
    return {"text": text, "category": category}


def alert(reason: str, error: anthropic.APIError) -> None:
    """The team sees the details (request id for a support ticket); the user never does."""
    log.warning("ALERT %s: %s %s", reason, type(error).__name__, getattr(error, "request_id", None))


def ask(client: anthropic.Anthropic, question: str, max_tokens: int) -> anthropic.types.Message:
    return client.messages.create(model=MODEL, max_tokens=max_tokens, system=SYSTEM,
                                  messages=[{"role": "user", "content": question}])


def from_message(message: anthropic.types.Message) -> dict[str, str]:
    """What the user sees for a 200: only a whole answer is parsed."""
    if message.stop_reason == "refusal":
        return reply("I can't help with that question. Our support team can: support@example.com.", "refused")
    if message.stop_reason == "max_tokens":
        return reply("That answer came out too long to finish. Please ask a narrower question.", "truncated")
    text = "".join(block.text for block in message.content if block.type == "text")
    try:
        answer = json.loads(text)["answer"]
    except (ValueError, KeyError, TypeError):
        answer = None
    if not isinstance(answer, str):
        return reply("Sorry, I could not put an answer together. Please try again.", "unreadable")
    return reply(answer, "answer")


def safe_answer(client: anthropic.Anthropic, question: str, max_tokens: int = 300) -> dict[str, str]:
    """Ask `question`; return {"text": what the user sees, "category": the fallback chosen}."""
    try:
        message = ask(client, question, max_tokens)
        if message.stop_reason == "max_tokens":
            message = ask(client, question, max_tokens * 4)  # once, with room to finish
        elif message.stop_reason == "end_turn":
            message = ask(client, question, max_tokens)  # a second sample, in case the first was a fluke
    except EnforcedSpendLimitReachedError as error:  # before RateLimitError, its parent
        alert("spend limit reached", error)
        return reply("The assistant is switched off for now. Your question is saved and we will reply by email.",
                     "spend-cap")
    except anthropic.RateLimitError:
        return reply("Lots of questions right now: please try again in a minute.", "retry-later")
    except anthropic.InternalServerError:  # 529 OverloadedError and the 5xx
        return reply("The assistant is having a bad day. Meanwhile, our help centre answers most questions.",
                     "degraded")
    except anthropic.APIConnectionError:  # APITimeoutError too
        return reply("The assistant did not answer in time. Please try again.", "unreachable")
    except (anthropic.AuthenticationError, anthropic.PermissionDeniedError, anthropic.NotFoundError) as error:
        alert("configuration broken", error)
        return reply("The assistant is unavailable for a while; we are on it.", "configuration")
    except anthropic.BadRequestError as error:
        alert("request rejected", error)
        return reply("Sorry, I could not process that question.", "fix-request")
    except anthropic.APIError as error:  # any other class: a generic fallback
        alert("unexpected API error", error)
        return reply("Sorry, something went wrong on our side.", "unavailable")
    return from_message(message)


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
