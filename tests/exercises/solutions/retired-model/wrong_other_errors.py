"""Retired model, wrong: any other error is turned into an apology, so the caller never learns the call failed.
"""

import logging

import anthropic

MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose
"""The id the service was pinned to when it shipped (it retired on 2026-11-30). Leave it as it is."""
FALLBACK_MODEL = "claude-sonnet-5-5"
"""The configured successor: the model to use once the pinned one is gone."""
log = logging.getLogger("support.models")


class ModelRouter:
    """Asks the configured model; when it has retired, switches to the successor for good and alerts once."""

    def __init__(self, model: str, fallback: str) -> None:
        self.model = model
        self.fallback = fallback

    def ask(self, client: anthropic.Anthropic, question: str) -> str:
        try:
            message = self._create(client, self.model, question)
        except anthropic.APIError as error:
            if not isinstance(error, anthropic.NotFoundError) or self.model == self.fallback:
                log.warning("model %s failed with %s; showing the customer an apology", self.model, error)
                return "Sorry, our assistant is busy right now. Please try again in a few minutes."
            log.error("model %s answered 404 not_found_error (retired?); switching to %s (request %s)",
                      self.model, self.fallback, error.request_id)
            self.model = self.fallback
            message = self._create(client, self.model, question)
        return "".join(block.text for block in message.content if block.type == "text")

    @staticmethod
    def _create(client: anthropic.Anthropic, model: str, question: str):
        return client.messages.create(model=model, max_tokens=300, messages=[{"role": "user", "content": question}])


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
