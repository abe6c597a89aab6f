"""Batch pipeline, wrong (written from scratch, a budget dataclass): doubles its pause after each failure, the same on every client.
"""

import random
import time
from dataclasses import dataclass
from datetime import datetime, timezone

import anthropic

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 4
"""Attempts per document, the first one included."""
BASE_DELAY_S = 0.5
MAX_DELAY_S = 8.0


@dataclass
class Budget:
    """What the last response said about the input-token bucket."""

    remaining: int | None = None
    reset: datetime | None = None

    def update(self, headers) -> None:
        left = headers.get("anthropic-ratelimit-input-tokens-remaining")
        when = headers.get("anthropic-ratelimit-input-tokens-reset")
        if left is not None and when is not None:
            self.remaining = int(left)
            self.reset = datetime.fromisoformat(when.replace("Z", "+00:00"))

    def wait_for(self, needed: int) -> None:
        """Not enough left: wait until the bucket is full again (slower than the share, and simpler)."""
        if self.remaining is not None and self.reset is not None and self.remaining < needed:
            time.sleep(max(0.0, (self.reset - datetime.now(timezone.utc)).total_seconds()))
            self.remaining = None


def estimate(request: dict) -> int:
    return 32 + (len(request["system"]) + len(request["messages"][-1]["content"])) // 4


def summarise_one(client: anthropic.Anthropic, budget: Budget, request: dict) -> tuple[bool, str]:
    """(True, summary) or (False, why it failed)."""
    pause = BASE_DELAY_S
    for attempt in range(1, MAX_ATTEMPTS + 1):
        budget.wait_for(estimate(request))
        try:
            raw = client.messages.with_raw_response.create(**request)
        except anthropic.BadRequestError as error:
            return False, f"BadRequestError: {error.message}"
        except (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APIConnectionError) as error:
            response = getattr(error, "response", None)
            if response is not None:
                budget.update(response.headers)
            if attempt == MAX_ATTEMPTS:
                return False, f"{type(error).__name__}: gave up after {attempt} attempts"
            told = response.headers.get("retry-after") if response is not None else None
            pause = min(MAX_DELAY_S, pause * 2)
            time.sleep(float(told) if told else pause)
            continue
        budget.update(raw.headers)
        message = raw.parse()
        return True, "".join(block.text for block in message.content if block.type == "text")
    return False, "no attempt was made"


def summarise_all(client: anthropic.Anthropic, documents: dict[str, str]) -> dict[str, dict[str, str]]:
    result: dict[str, dict[str, str]] = {"summaries": {}, "failed": {}}
    budget = Budget()
    for doc_id, text in documents.items():
        ok, said = summarise_one(client, budget, request_for(doc_id, text))
        result["summaries" if ok else "failed"][doc_id] = said
    return result


# Leave the rest as it is: the grader tells documents apart by the id at the start of each prompt.

LONG_REPORTS = range(11, 19)
"""doc-011 to doc-018 are annual reports of about 5,000 tokens each; the others are a few hundred."""
_WORDS = "invoice contract shipment audit quarterly refund warranty incident supplier renewal".split()


def request_for(doc_id: str, text: str) -> dict:
    """The Messages request for one document: pass it as `create(**request_for(doc_id, text))`."""
    return {"model": MODEL, "max_tokens": 60, "system": "Summarise the document in one sentence.",
            "messages": [{"role": "user", "content": f"{doc_id}: {text}"}]}


def load_documents(count: int = 30) -> dict[str, str]:
    """Deterministic stand-ins for the night's documents, doc-001 to doc-030."""
    documents = {}
    for n in range(1, count + 1):
        words = 2200 + (n * 53) % 400 if n in LONG_REPORTS else 60 + (n * 37) % 110
        documents[f"doc-{n:03d}"] = " ".join(_WORDS[(n + i * 7) % len(_WORDS)] for i in range(words))
    return documents


def main() -> dict[str, dict[str, str]]:
    """Run the batch; return what summarise_all reports. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)  # your loop is the only retry loop
    return summarise_all(client, load_documents())


if __name__ == "__main__":
    outcome = main()
    print(f"{len(outcome['summaries'])} summarised, {len(outcome['failed'])} failed")
    for doc_id, reason in outcome["failed"].items():
        print(f"  {doc_id}: {reason}")
