"""Wrong: backs off exponentially by exactly the same amounts as every other worker.
"""

import time
from datetime import datetime, timezone

import anthropic

MODEL = "claude-haiku-5-5"
MAX_ATTEMPTS = 4
"""Attempts per document, the first one included."""
BASE_DELAY_S = 0.5
"""Backoff before attempt n+1 (n = 0, 1, ...) without retry-after: from BASE_DELAY_S * 2**n / 2 to all of it."""
MAX_DELAY_S = 8.0

RETRYABLE = (anthropic.RateLimitError, anthropic.InternalServerError, anthropic.APIConnectionError)
"""429 and 529 / 5xx (OverloadedError is an InternalServerError), plus timeouts and dropped connections."""


class HeaderThrottle:
    """Wait before a request until the buckets the last response described hold what it needs."""

    BUCKETS = ("requests", "input-tokens")

    def __init__(self) -> None:
        self.seen: dict[str, tuple[int, int, datetime]] = {}
        """bucket -> (limit, remaining, reset) from the last response that carried them."""

    def observe(self, headers) -> None:
        for bucket in self.BUCKETS:
            prefix = f"anthropic-ratelimit-{bucket}"
            try:
                reset = datetime.fromisoformat(headers[f"{prefix}-reset"].replace("Z", "+00:00"))
                self.seen[bucket] = (int(headers[f"{prefix}-limit"]), int(headers[f"{prefix}-remaining"]), reset)
            except (KeyError, ValueError):
                continue

    def wait_for(self, input_tokens: int) -> None:
        """A bucket refills evenly until its -reset time, so wait for the share of that which is missing."""
        now = datetime.now(timezone.utc)
        delay = 0.0
        for bucket, need in (("requests", 1), ("input-tokens", input_tokens)):
            if bucket not in self.seen:
                continue
            limit, remaining, reset = self.seen[bucket]
            if remaining >= need:
                continue
            until_full = (reset - now).total_seconds()
            delay = max(delay, until_full * (need - remaining) / max(limit - remaining, 1))
        if delay > 0:
            time.sleep(delay)
        self.seen.clear()  # a new response will say where we stand


def tokens_needed(request: dict) -> int:
    """About four characters a token, for the system prompt and the document, plus a little framing."""
    return (len(request["system"]) + sum(len(m["content"]) for m in request["messages"])) // 4 + 16


def reason(error: anthropic.APIStatusError) -> str:
    """The class and the API's own words, e.g. "BadRequestError: messages.0.content: ..."."""
    body = error.body if isinstance(error.body, dict) else {}
    detail = body.get("error", {}).get("message") if isinstance(body.get("error"), dict) else None
    return f"{type(error).__name__}: {detail or error.message}"


def backoff_s(attempt: int, error: Exception) -> float:
    hinted = error.response.headers.get("retry-after") if isinstance(error, anthropic.APIStatusError) else None
    try:
        return float(hinted)
    except (TypeError, ValueError):
        ceiling = min(MAX_DELAY_S, BASE_DELAY_S * 2**attempt)
        return ceiling * 0.75


def summarise_all(client: anthropic.Anthropic, documents: dict[str, str]) -> dict[str, dict[str, str]]:
    """Summarise every document once; return {"summaries": {doc_id: text}, "failed": {doc_id: reason}}."""
    summaries: dict[str, str] = {}
    failed: dict[str, str] = {}
    throttle = HeaderThrottle()
    for doc_id, text in documents.items():
        request = request_for(doc_id, text)
        for attempt in range(MAX_ATTEMPTS):
            throttle.wait_for(tokens_needed(request))
            try:
                raw = client.messages.with_raw_response.create(**request)
            except RETRYABLE as error:
                if isinstance(error, anthropic.APIStatusError):
                    throttle.observe(error.response.headers)
                if attempt == MAX_ATTEMPTS - 1:
                    failed[doc_id] = f"{type(error).__name__} after {MAX_ATTEMPTS} attempts"
                else:
                    time.sleep(backoff_s(attempt, error))
                continue
            except anthropic.APIStatusError as error:  # 400 and friends: the same request fails the same way
                failed[doc_id] = reason(error)
                break
            throttle.observe(raw.headers)
            summaries[doc_id] = "".join(b.text for b in raw.parse().content if b.type == "text")
            break
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
