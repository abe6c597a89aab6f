"""Safe answer: whatever the API does, the user gets a message written for them.

Write `safe_answer`. `main()` asks eleven questions through it: the local API answers one in
full, cuts one short, refuses one and fails the other eight, each with a different error. Run
and grade with `coach grade safe-answer` (or Ctrl+R in the app).
"""

import json  # noqa: F401  (the model answers with a JSON object)

import anthropic
from anthropic.types.shared import EnforcedSpendLimitReachedError  # noqa: F401  (the spend-cap 429)

MODEL = "claude-haiku-5-5"
SYSTEM = ('You answer customers of our shop. Reply with only a JSON object: '
          '{"answer": "<what the customer reads>", "source": "<the help page it comes from>"}')


def safe_answer(client: anthropic.Anthropic, question: str, max_tokens: int = 300) -> dict[str, str]:
    """Ask `question`; return {"text": what the user sees, "category": the fallback chosen}.

    TODO:
    - a whole answer (stop_reason "end_turn"): parse the JSON and show its "answer" field;
    - stop_reason "max_tokens": the JSON is cut off. Do not parse it or show it as the answer:
      ask again once with a bigger max_tokens, or tell the user the answer could not be completed;
    - stop_reason "refusal": there may be no text block at all (the first one raises IndexError). Say
      plainly that this question cannot be answered; asking again will not change that;
    - every API error: catch it by class (the lesson's table) and return that class's fallback,
      never the raw error (its message, request id, status or class name);
    - let no exception out of this function.
    Give each kind of outcome its own category: "answer", "truncated", "refused", and one per
    class of error ("retry-later", "configuration", ...). The user never sees the category.
    """
    message = client.messages.create(model=MODEL, max_tokens=max_tokens, system=SYSTEM,
                                     messages=[{"role": "user", "content": question}])
    return {"text": [block.text for block in message.content if block.type == "text"][0], "category": "answer"}


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
