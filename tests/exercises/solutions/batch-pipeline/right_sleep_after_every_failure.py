"""Right (written from scratch): a for/else retry loop that sleeps after every failure, the last one too;
a retry-after with a second of jitter on top; pacing from the share of -reset that refills what is missing.
The two habits cost a few idle seconds a night, which the brief allows (one backoff on top of what was asked).
"""

import random
import time
from datetime import datetime, timezone

import anthropic

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 4
"""Attempts per document, the first one included."""
BASE_DELAY_S = 0.5
"""Backoff before attempt n+1 (n = 0, 1, ...) without retry-after: from BASE_DELAY_S * 2**n / 2 to all of it."""
MAX_DELAY_S = 8.0

TRANSIENT = (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APIConnectionError)


def pause_for(headers, needed: int) -> float:
    """Seconds until the input-token bucket these headers describe holds `needed` tokens."""
    try:
        limit = int(headers["anthropic-ratelimit-input-tokens-limit"])
        left = int(headers["anthropic-ratelimit-input-tokens-remaining"])
        full_at = datetime.fromisoformat(headers["anthropic-ratelimit-input-tokens-reset"].replace("Z", "+00:00"))
    except (KeyError, ValueError):
        return 0.0
    if left >= needed:
        return 0.0
    to_full = max(0.0, (full_at - datetime.now(timezone.utc)).total_seconds())
    return to_full * min(1.0, (needed - left) / max(1, limit - left))


def wait_after(error: Exception, attempt: int) -> float:
    told = error.response.headers.get("retry-after") if isinstance(error, anthropic.APIStatusError) else None
    if told is not None:
        return float(told) + random.uniform(0, 1)  # never before the API asked, spread a little
    ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt)
    return random.uniform(ceiling / 2, ceiling)


def summarise_all(client: anthropic.Anthropic, documents: dict[str, str]) -> dict[str, dict[str, str]]:
    summaries: dict[str, str] = {}
    failed: dict[str, str] = {}
    last_headers: dict[str, str] = {}
    for doc_id, text in documents.items():
        request = request_for(doc_id, text)
        needed = (len(request["system"]) + len(text)) // 4 + 20
        error: Exception | None = None
        for attempt in range(MAX_ATTEMPTS):
            time.sleep(pause_for(last_headers, needed))
            try:
                raw = client.messages.with_raw_response.create(**request)
            except anthropic.BadRequestError as refused:
                failed[doc_id] = f"BadRequestError: {refused.message}"
                break
            except TRANSIENT as caught:
                error = caught
                if isinstance(caught, anthropic.APIStatusError):
                    last_headers = dict(caught.response.headers)
                time.sleep(wait_after(caught, attempt))
                continue
            last_headers = dict(raw.headers)
            summaries[doc_id] = "".join(b.text for b in raw.parse().content if b.type == "text")
            break
        else:
            failed[doc_id] = f"{type(error).__name__}: still failing after {MAX_ATTEMPTS} attempts"
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
