"""Retired model, wrong: the set of retired models is made afresh on every call, so each question meets the 404 first.

Written from scratch, not from the reference: the router walks a list of models and skips the ones it has seen retire.
"""

import logging

import anthropic

MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose
"""The id the service was pinned to when it shipped (it retired on 2026-11-30). Leave it as it is."""
FALLBACK_MODEL = "claude-sonnet-5-5"
"""The configured successor: the model to use once the pinned one is gone."""
log = logging.getLogger("support.models")


class ModelRouter:
    """The pinned model first, then the successor; a model seen to retire is skipped from then on."""

    def __init__(self, model: str, fallback: str) -> None:
        self.models = [model, fallback]
        self.retired: set[str] = set()

    def ask(self, client: anthropic.Anthropic, question: str) -> str:
        retired: set[str] = set()  # which models failed on this call
        for model in self.models:
            if model in retired:
                continue
            try:
                message = client.messages.create(model=model, max_tokens=300,
                                                 messages=[{"role": "user", "content": question}])
            except anthropic.NotFoundError as exc:
                if exc.type != "not_found_error" or model == self.models[-1]:
                    raise
                retired.add(model)
                log.warning("model %s has retired (404 not_found_error); %s answers from now on", model,
                            self.models[-1])
                continue
            return "".join(block.text for block in message.content if block.type == "text")
        raise RuntimeError("every configured model has retired")


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
