"""Rate limits as the API applies them: continuously refilled token buckets per API key and model class.

Three buckets per key: requests, input tokens (input + cache creation, not cache reads) and
output tokens. A bucket holds up to its per-minute limit and refills at limit/60 per
scenario second, so there is no window boundary to wait for: capacity comes back smoothly.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from datetime import UTC, datetime

from coach.stub.scenario import Limits


def model_class(model: str) -> str:
    """Opus, Sonnet and Haiku models have separate limits; versions of one class share them."""
    for name in ("opus", "sonnet", "haiku"):
        if name in model:
            return name
    return model


@dataclass
class Bucket:
    limit: int
    level: float
    updated: float

    def refill(self, now: float) -> None:
        self.level = min(self.limit, self.level + (now - self.updated) * self.limit / 60.0)
        self.updated = now

    def seconds_until(self, amount: float) -> float:
        """Scenario seconds until `amount` is available (0 if it is now)."""
        missing = min(amount, self.limit) - self.level
        return 0.0 if missing <= 0 else missing * 60.0 / self.limit

    def seconds_until_full(self) -> float:
        return (self.limit - self.level) * 60.0 / self.limit


@dataclass(frozen=True)
class LimitVerdict:
    allowed: bool
    retry_after: int | None  # whole seconds, when not allowed
    which: str | None  # the bucket that refused


class RateLimiter:
    """Buckets per key (fingerprint and model class): `check_and_take` once per request, `take_output` at its end."""

    def __init__(self, limits: Limits) -> None:
        self.limits = limits
        self._buckets: dict[str, dict[str, Bucket]] = {}

    def _for(self, key: str, now: float) -> dict[str, Bucket]:
        buckets = self._buckets.get(key)
        if buckets is None:
            buckets = self._buckets[key] = {
                "requests": Bucket(self.limits.requests_per_minute, self.limits.requests_per_minute, now),
                "input-tokens": Bucket(self.limits.input_tokens_per_minute, self.limits.input_tokens_per_minute, now),
                "output-tokens": Bucket(self.limits.output_tokens_per_minute,
                                        self.limits.output_tokens_per_minute, now),
            }
        for bucket in buckets.values():
            bucket.refill(now)
        return buckets

    def check_and_take(self, key: str, input_tokens: int, now: float) -> LimitVerdict:
        """Take one request and its input tokens, or refuse with the wait until both would fit.

        Output tokens are only required to be not exhausted here; they are charged when known.
        """
        buckets = self._for(key, now)
        needs = {"requests": 1.0, "input-tokens": float(input_tokens), "output-tokens": 1.0}
        waits = {name: buckets[name].seconds_until(amount) for name, amount in needs.items()}
        worst = max(waits, key=lambda name: waits[name])
        if waits[worst] > 0:
            return LimitVerdict(False, max(1, math.ceil(waits[worst])), worst)
        buckets["requests"].level -= 1
        buckets["input-tokens"].level -= min(input_tokens, buckets["input-tokens"].level)
        return LimitVerdict(True, None, None)

    def take_output(self, key: str, output_tokens: int, now: float) -> None:
        bucket = self._for(key, now)["output-tokens"]
        bucket.level = max(0.0, bucket.level - output_tokens)

    def headers(self, key: str, now: float, wall_now: float) -> dict[str, str]:
        """The `anthropic-ratelimit-*` headers; `tokens` is whichever token bucket is tighter."""
        buckets = self._for(key, now)
        out: dict[str, str] = {}
        for name, bucket in buckets.items():
            out.update(_bucket_headers(name, bucket, wall_now))
        tight = min(("input-tokens", "output-tokens"), key=lambda n: buckets[n].level / buckets[n].limit)
        out.update(_bucket_headers("tokens", buckets[tight], wall_now))
        return out


def _bucket_headers(name: str, bucket: Bucket, wall_now: float) -> tuple[tuple[str, str], ...]:
    return _header_items(name, bucket.limit, max(0, math.floor(bucket.level)),
                         math.ceil(wall_now + bucket.seconds_until_full()))


@functools.lru_cache(maxsize=4096)
def _header_items(name: str, limit: int, remaining: int, reset_second: int) -> tuple[tuple[str, str], ...]:
    """The three headers of one bucket; remembered, since a busy stub sends the same values many times a second."""
    prefix = f"anthropic-ratelimit-{name}-"
    return ((prefix + "limit", str(limit)), (prefix + "remaining", str(remaining)),
            (prefix + "reset", _rfc3339_second(reset_second)))


@functools.lru_cache(maxsize=256)
def _rfc3339_second(second: int) -> str:
    return datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def rfc3339(unix_time: float) -> str:
    """A reset time, rounded up to the whole second like the API's."""
    return _rfc3339_second(math.ceil(unix_time))
