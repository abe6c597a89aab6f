"""Prompt caching: prefixes marked with `cache_control` are written once, then read until they expire.

The lookup walks the request's breakpoints, and the block boundaries up to 20 blocks before
each, from the longest prefix down; the longest one found and still alive is read (and its
TTL refreshed). The longest breakpoint beyond the
hit is written. A prefix shorter than the model's minimum cacheable length is silently
neither read nor written, as the API does. Entries are stored only when the response that
wrote them starts, so two requests racing each other both pay for the write.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach import catalogue
from coach.stub.request import Breakpoint

DEFAULT_MIN_CACHEABLE_TOKENS = 1024
"""For an id the catalogue does not list: the commonest minimum among the models it does."""


def min_cacheable_tokens(model: str) -> int:
    """The shortest prefix the API caches for `model`, from the model catalogue's `cache_minimum`."""
    row = catalogue.find(model)
    if row is not None and row.cache_minimum is not None:
        return row.cache_minimum
    return DEFAULT_MIN_CACHEABLE_TOKENS


@dataclass(frozen=True)
class CacheOutcome:
    read_tokens: int
    write_tokens: int
    write_ttl: float | None
    write: Breakpoint | None
    hit: Breakpoint | None = None

    @property
    def written_1h(self) -> int:
        return self.write_tokens if self.write_ttl == 3600.0 else 0

    @property
    def written_5m(self) -> int:
        return self.write_tokens if self.write_ttl is not None and self.write_ttl != 3600.0 else 0


NO_CACHE = CacheOutcome(0, 0, None, None)


class PromptCache:
    def __init__(self) -> None:
        self._expires: dict[str, float] = {}

    def lookup(self, breakpoints: list[Breakpoint], minimum: int, now: float) -> CacheOutcome:
        usable = [b for b in breakpoints if b.prefix_tokens >= minimum]
        if not usable:
            return NO_CACHE
        hit = None
        # the longest live prefix at a breakpoint or at one of the block boundaries shortly before it
        candidates = {(tokens, key): point.ttl for point in usable
                      for key, tokens in ((point.prefix_key, point.prefix_tokens), *point.lookback)
                      if tokens >= minimum}
        for (tokens, key), ttl in sorted(candidates.items(), reverse=True):
            expires = self._expires.get(key)
            if expires is not None and expires > now:
                hit = Breakpoint(key, tokens, ttl)
                break
        read = hit.prefix_tokens if hit else 0
        last = usable[-1]
        if last.prefix_tokens > read:
            return CacheOutcome(read, last.prefix_tokens - read, last.ttl, last, hit)
        return CacheOutcome(read, 0, None, None, hit)

    def store(self, outcome: CacheOutcome, now: float) -> None:
        """Called when the response starts: a read refreshes its entry's TTL, a write creates one."""
        if outcome.hit is not None:
            self._expires[outcome.hit.prefix_key] = now + outcome.hit.ttl
        if outcome.write is not None:
            self._expires[outcome.write.prefix_key] = now + outcome.write.ttl
