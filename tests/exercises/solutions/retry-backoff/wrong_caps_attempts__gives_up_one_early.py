"""Retry with backoff, wrong: a policy class that gives up one attempt early.

Written from scratch, not from the reference: it counts the failures and stops when they reach
`attempts - 1`, thinking of the first attempt as separate, so a call that keeps failing is tried 3 times
where MAX_ATTEMPTS allows 4. Its message states the 3 attempts truly, so only caps-attempts fails.
"""

import random
import time
from dataclasses import dataclass

import anthropic
from anthropic.types.shared import EnforcedSpendLimitReachedError

MODEL = "claude-sonnet-5-5"
MAX_ATTEMPTS = 4
BASE_DELAY_S = 0.5
MAX_DELAY_S = 8.0


class RetriesExhausted(Exception):
    """Every attempt failed with an error a retry could have fixed."""


@dataclass
class RetryPolicy:
    attempts: int = MAX_ATTEMPTS
    base_s: float = BASE_DELAY_S
    cap_s: float = MAX_DELAY_S
    rng: random.Random = random  # type: ignore[assignment]

    def retryable(self, error: Exception) -> bool:
        if isinstance(error, EnforcedSpendLimitReachedError):
            return False
        return isinstance(error, (anthropic.RateLimitError, anthropic.InternalServerError,
                                  anthropic.APIConnectionError))

    def wait_s(self, retry: int, error: Exception) -> float:
        response = getattr(error, "response", None)
        headers = response.headers if response is not None else {}
        for name, scale in (("retry-after-ms", 0.001), ("retry-after", 1.0)):
            try:
                return float(headers[name]) * scale
            except (KeyError, ValueError):
                continue
        ceiling = min(self.cap_s, self.base_s * 2**retry)
        return ceiling * self.rng.uniform(0.5, 1.0)

    def run(self, call):
        failures = 0
        while True:
            try:
                return call()
            except Exception as error:
                if not self.retryable(error):
                    raise
                failures += 1
                if failures == self.attempts - 1:
                    raise RetriesExhausted(f"gave up after {failures} attempts") from error
                time.sleep(self.wait_s(failures - 1, error))


POLICY = RetryPolicy()


def call_with_retries(client: anthropic.Anthropic, **request):
    return POLICY.run(lambda: client.messages.create(**request))


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
