"""Retired model, right: the raw response's request id is kept with each answer, and the 404 is told by its status.

Written from scratch, not from the reference: `messages.with_raw_response.create` (the SDK still raises for a 4xx, as
`APIStatusError`), the status and the error body's type checked by hand, and a CRITICAL record as the alert.
"""

import logging

import anthropic

MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose
"""The id the service was pinned to when it shipped (it retired on 2026-11-30). Leave it as it is."""
FALLBACK_MODEL = "claude-sonnet-5-5"
"""The configured successor: the model to use once the pinned one is gone."""
log = logging.getLogger("support.models")


def is_retirement(error: anthropic.APIStatusError) -> bool:
    """A 404 whose body says not_found_error: the model id itself is gone."""
    body = error.body if isinstance(error.body, dict) else {}
    return error.status_code == 404 and (body.get("error") or {}).get("type") == "not_found_error"


class ModelRouter:
    def __init__(self, model: str, fallback: str) -> None:
        self.active = model
        self.spare = fallback
        self.last_request_id: str | None = None

    def _ask(self, client: anthropic.Anthropic, question: str) -> str:
        raw = client.messages.with_raw_response.create(
            model=self.active, max_tokens=300, messages=[{"role": "user", "content": question}])
        self.last_request_id = raw.headers.get("request-id")
        message = raw.parse()
        return "".join(block.text for block in message.content if block.type == "text")

    def ask(self, client: anthropic.Anthropic, question: str) -> str:
        try:
            return self._ask(client, question)
        except anthropic.APIStatusError as error:
            if not is_retirement(error) or self.spare is None:
                raise
            retired, self.active, self.spare = self.active, self.spare, None
            log.critical("configured model %s answers 404 not_found_error: it has retired. Now using %s; update "
                         "the configuration.", retired, self.active)
            return self._ask(client, question)


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
