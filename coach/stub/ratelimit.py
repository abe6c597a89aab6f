"""Rate limits as the API applies them: continuously refilled token buckets per API key and model class.

Three buckets per key: requests, input tokens (input + cache creation, not cache reads) and
output tokens. A bucket holds up to its per-minute limit and refills at limit/60 per
scenario second, so there is no window boundary to wait for: capacity comes back smoothly.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from types import MappingProxyType

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
        requests, inputs = buckets["requests"], buckets["input-tokens"]
        waits = ((requests.seconds_until(1.0), "requests"), (inputs.seconds_until(float(input_tokens)), "input-tokens"),
                 (buckets["output-tokens"].seconds_until(1.0), "output-tokens"))
        wait, worst = waits[0]
        for other, name in waits[1:]:
            if other > wait:  # the first of equal waits names the refusal
                wait, worst = other, name
        if wait > 0:
            return LimitVerdict(False, max(1, math.ceil(wait)), worst)
        requests.level -= 1
        inputs.level -= min(input_tokens, inputs.level)
        return _ALLOWED

    def take_output(self, key: str, output_tokens: int, now: float) -> None:
        bucket = self._for(key, now)["output-tokens"]
        bucket.level = max(0.0, bucket.level - output_tokens)

    def take_output_then_headers(self, key: str, output_tokens: int, now: float, wall_now: float) -> Mapping[str, str]:
        """`take_output`, then `headers` as they stand after it: one refill for both, at the end of every answer."""
        buckets = self._for(key, now)
        bucket = buckets["output-tokens"]
        bucket.level = max(0.0, bucket.level - output_tokens)
        return self._headers(buckets, wall_now)

    def headers(self, key: str, now: float, wall_now: float) -> Mapping[str, str]:
        """The `anthropic-ratelimit-*` headers (shared and read-only: copy them); `tokens` is whichever token
        bucket is tighter."""
        return self._headers(self._for(key, now), wall_now)

    @staticmethod
    def _headers(buckets: dict[str, Bucket], wall_now: float) -> Mapping[str, str]:
        inputs, outputs = buckets["input-tokens"], buckets["output-tokens"]
        tight = outputs if outputs.level / outputs.limit < inputs.level / inputs.limit else inputs
        return _headers_of(_bucket_headers("requests", buckets["requests"], wall_now),
                           _bucket_headers("input-tokens", inputs, wall_now),
                           _bucket_headers("output-tokens", outputs, wall_now),
                           _bucket_headers("tokens", tight, wall_now))


_ALLOWED = LimitVerdict(True, None, None)


@functools.lru_cache(maxsize=1024)
def _headers_of(*buckets: tuple[tuple[str, str], ...]) -> Mapping[str, str]:
    """The headers of four buckets as one read-only mapping, remembered like each bucket's three."""
    return MappingProxyType({name: value for items in buckets for name, value in items})


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
