"""Retry with backoff: a call wrapper that survives a bad afternoon on the API.

Write `call_with_retries`. `main()` calls it five times, and each call meets a different
fault from the local stub. Run and grade with `coach grade retry-backoff` (or Ctrl+R in the app).
"""

import random  # noqa: F401  (you will want it for jitter)
import time  # noqa: F401  (and this for waiting; the sandbox runs it on the scenario clock)

import anthropic

MODEL = "claude-sonnet-5-5"
MAX_ATTEMPTS = 4
"""Attempts in all, the first one included."""
BASE_DELAY_S = 0.5
"""Backoff before attempt n+1 (n = 0, 1, ...) is drawn from [BASE_DELAY_S * 2**n / 2, BASE_DELAY_S * 2**n]."""
MAX_DELAY_S = 8.0


class RetriesExhausted(Exception):
    """Raised when every attempt failed with a retryable error."""


def call_with_retries(client: anthropic.Anthropic, **request):
    """`client.messages.create(**request)`, retried when a retry can help.

    TODO:
    - retry 429 (rate limit), 529 (overloaded), 5xx and connection errors; when the error carries
      a `retry-after` header, wait at least that many seconds;
    - otherwise wait BASE_DELAY_S * 2**attempt, with jitter: half of it plus a random part of the
      other half (never more than MAX_DELAY_S);
    - never retry 400, 401, 403, 404 or the spend-cap 429 (`anthropic.types.shared.EnforcedSpendLimitReachedError`):
      let those errors propagate at once;
    - give up after MAX_ATTEMPTS attempts with `RetriesExhausted`, saying how many attempts were made
      and chaining the last error (`raise ... from error`).
    """
    return client.messages.create(**request)


CASES = ["rate-limited", "overloaded", "bad-request", "spend-cap", "outage"]


def main() -> dict[str, str]:
    """Ask once per case; return what happened to each, in plain words. Leave as it is."""
    client = anthropic.Anthropic(max_retries=0)  # your wrapper is the only retry loop
    outcomes = {}
    for case in CASES:
        try:
            call_with_retries(client, model=MODEL, max_tokens=64,
                              messages=[{"role": "user", "content": f"case {case}: summarise the incident report."}])
            outcomes[case] = "answered"
        except Exception as error:
            outcomes[case] = f"{type(error).__name__}: {error}"
    return outcomes


if __name__ == "__main__":
    for case, outcome in main().items():
        print(f"{case:>13}: {outcome}")
