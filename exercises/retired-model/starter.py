"""Retired model: the id this service was pinned to has retired; keep answering, and tell someone.

Write `ModelRouter.ask`. `main()` asks four customer questions through one router; the local API
answers 404 `not_found_error` for the pinned model, as the real API does for a retired one. Run and
grade with `coach grade retired-model` (or Ctrl+R in the app).
"""

import logging

import anthropic

MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose
"""The id the service was pinned to when it shipped (it retired on 2026-11-30). Leave it as it is."""
FALLBACK_MODEL = "claude-sonnet-5-5"
"""The configured successor: the model to use once the pinned one is gone."""
log = logging.getLogger("support.models")


class ModelRouter:
    """Asks the configured model, and keeps answering when that model has retired.

    TODO in `ask`:
    - a retired model answers 404 with the error type `not_found_error` (anthropic.NotFoundError):
      ask the same question again of `self.fallback`, so the customer still gets an answer;
    - remember the switch: every later question goes straight to the fallback;
    - alert a person once: log.error(...) naming the retired id, so the configuration gets fixed;
    - let every other error propagate: a retired model is the only reason to change models here.
    """

    def __init__(self, model: str, fallback: str) -> None:
        self.model = model
        self.fallback = fallback

    def ask(self, client: anthropic.Anthropic, question: str) -> str:
        message = client.messages.create(model=self.model, max_tokens=300,
                                         messages=[{"role": "user", "content": question}])
        return "".join(block.text for block in message.content if block.type == "text")


QUESTIONS = ["Where is my parcel?", "Can I change the delivery address?", "Do you deliver on Sundays?",
             "How do I return an item?"]


def main() -> dict[str, str]:
    """Ask every question through one router; return what each customer saw. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)
    router = ModelRouter(MODEL, FALLBACK_MODEL)
    shown = {}
    for number, question in enumerate(QUESTIONS, start=1):
        try:
            shown[str(number)] = router.ask(client, f"question {number}: {question}")
        except anthropic.APIError as error:
            shown[str(number)] = f"raised {type(error).__name__}: {error.message}"
    return shown


if __name__ == "__main__":
    print(main())
