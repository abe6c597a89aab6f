"""Batch pipeline: 30 documents through rate limits, every one accounted for.

Write `summarise_all`. `main()` hands it 30 documents; the local API allows 12,000 input tokens
a minute, and eight long reports in a row will drain that unless you pace yourself from the
`anthropic-ratelimit-*` headers. Run and grade with `coach grade batch-pipeline` (or Ctrl+R in the app).
"""

import random  # noqa: F401  (for jitter)
import time  # noqa: F401  (for waiting; the sandbox runs it on the scenario clock)
from datetime import datetime, timezone  # noqa: F401  (for the -reset headers; also on the scenario clock)

import anthropic

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 4
"""Attempts per document, the first one included."""
BASE_DELAY_S = 0.5
"""Backoff before attempt n+1 (n = 0, 1, ...) without retry-after: from BASE_DELAY_S * 2**n / 2 to all of it."""
MAX_DELAY_S = 8.0


def summarise_all(client: anthropic.Anthropic, documents: dict[str, str]) -> dict[str, dict[str, str]]:
    """Summarise every document once; return {"summaries": {doc_id: text}, "failed": {doc_id: reason}}.

    TODO:
    - send each document with `client.messages.with_raw_response.create(**request_for(doc_id, text))`
      (`raw.parse()` is the Message, `raw.headers` the response headers);
    - pace yourself: after each response, read `anthropic-ratelimit-input-tokens-remaining` and
      `-reset` (an RFC 3339 time); when the next document needs more than remains, sleep until the
      bucket holds enough (a document needs about len(text) / 4 tokens), and never longer than the
      last answer asked for (its -reset or retry-after) plus one backoff;
    - retry what can succeed later (429, 529, 5xx, connection errors): wait at least `retry-after`
      when the error carries it, else back off with jitter; MAX_ATTEMPTS attempts in all, the first
      included, then record the document in "failed";
    - never retry a 400: record the document in "failed" with the reason and go on to the next one;
    - every document ends up exactly once in "summaries" or in "failed".
    """
    summaries = {}
    for doc_id, text in documents.items():
        raw = client.messages.with_raw_response.create(**request_for(doc_id, text))
        summaries[doc_id] = "".join(b.text for b in raw.parse().content if b.type == "text")
    return {"summaries": summaries, "failed": {}}


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
