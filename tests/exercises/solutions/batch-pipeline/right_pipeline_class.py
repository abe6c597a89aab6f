"""Right: a Pipeline class that paces by the share of the bucket that refills, with equal jitter and retry-after-ms.
"""

import random
import time
from datetime import datetime, timezone

import anthropic

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 4
"""Attempts per document, the first one included."""
BASE_DELAY_S = 0.5
MAX_DELAY_S = 8.0


class GiveUp(Exception):
    """This document will not be answered; the message says why."""


class Pipeline:
    def __init__(self, client: anthropic.Anthropic) -> None:
        self.client = client
        self.limit = self.remaining = None
        self.reset_at: datetime | None = None

    def note(self, headers) -> None:
        try:
            self.limit = int(headers["anthropic-ratelimit-input-tokens-limit"])
            self.remaining = int(headers["anthropic-ratelimit-input-tokens-remaining"])
            self.reset_at = datetime.fromisoformat(headers["anthropic-ratelimit-input-tokens-reset"])
        except (KeyError, ValueError):
            pass

    def pace(self, needed: int) -> None:
        if self.remaining is None or self.remaining >= needed or self.reset_at is None:
            return
        to_full = (self.reset_at - datetime.now(timezone.utc)).total_seconds()
        missing_share = (needed - self.remaining) / max(self.limit - self.remaining, 1)
        time.sleep(max(0.0, to_full * min(1.0, missing_share)))
        self.remaining = None

    @staticmethod
    def delay(retry: int, headers) -> float:
        if "retry-after-ms" in headers:
            return float(headers["retry-after-ms"]) / 1000
        if "retry-after" in headers:
            return float(headers["retry-after"])
        half = min(MAX_DELAY_S, BASE_DELAY_S * 2**retry) / 2
        return half + half * random.random()  # equal jitter

    def summarise(self, doc_id: str, text: str) -> str:
        request = request_for(doc_id, text)
        needed = len(request["system"]) // 4 + len(request["messages"][0]["content"]) // 4 + 20
        for retry in range(MAX_ATTEMPTS):
            self.pace(needed)
            try:
                raw = self.client.messages.with_raw_response.create(**request)
            except anthropic.APIStatusError as error:
                self.note(error.response.headers)
                if not (error.status_code in (408, 409, 429) or error.status_code >= 500):
                    detail = (error.body or {}).get("error", {}).get("message", error.message)
                    raise GiveUp(f"{type(error).__name__} ({error.status_code}): {detail}") from error
                if retry + 1 == MAX_ATTEMPTS:
                    raise GiveUp(f"{type(error).__name__}, still failing after {MAX_ATTEMPTS} attempts") from error
                time.sleep(self.delay(retry, error.response.headers))
            except anthropic.APIConnectionError as error:
                if retry + 1 == MAX_ATTEMPTS:
                    raise GiveUp(f"{type(error).__name__} after {MAX_ATTEMPTS} attempts") from error
                time.sleep(self.delay(retry, {}))
            else:
                self.note(raw.headers)
                return "".join(block.text for block in raw.parse().content if block.type == "text")
        raise GiveUp("no attempts left")


def summarise_all(client: anthropic.Anthropic, documents: dict[str, str]) -> dict[str, dict[str, str]]:
    pipeline = Pipeline(client)
    summaries, failed = {}, {}
    for doc_id, text in documents.items():
        try:
            summaries[doc_id] = pipeline.summarise(doc_id, text)
        except GiveUp as why:
            failed[doc_id] = str(why)
    return {"summaries": summaries, "failed": failed}


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
