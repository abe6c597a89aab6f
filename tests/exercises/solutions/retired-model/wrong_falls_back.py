"""Wrong: the question that met the 404 is not asked again of the successor."""

import logging

import anthropic

MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose
"""The id the service was pinned to when it shipped (it retired on 2026-11-30). Leave it as it is."""
FALLBACK_MODEL = "claude-sonnet-5-5"
"""The configured successor: the model to use once the pinned one is gone."""
log = logging.getLogger("support.models")


class ModelRouter:
    """Wrong: switches and alerts, but the customer whose question met the 404 gets an apology, not an answer."""

    def __init__(self, model: str, fallback: str) -> None:
        self.model = model
        self.fallback = fallback

    def ask(self, client: anthropic.Anthropic, question: str) -> str:
        try:
            message = client.messages.create(model=self.model, max_tokens=300,
                                             messages=[{"role": "user", "content": question}])
        except anthropic.NotFoundError:
            log.error("model %s is gone; using %s from now on", self.model, self.fallback)
            self.model = self.fallback
            return "Sorry, please ask again."
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
