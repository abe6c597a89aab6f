"""Prompt caching: prefixes marked with `cache_control` are written once, then read until they expire.

The lookup walks the request's breakpoints from the longest prefix down; the longest one
found and still alive is read (and its TTL refreshed). The longest breakpoint beyond the
hit is written. A prefix shorter than the model's minimum cacheable length is silently
neither read nor written, as the API does. Entries are stored only when the response that
wrote them starts, so two requests racing each other both pay for the write.
"""

from __future__ import annotations

from dataclasses import dataclass

from coach.stub.request import Breakpoint


def min_cacheable_tokens(model: str) -> int:
    return 2048 if "haiku" in model else 1024


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
        for point in reversed(usable):
            expires = self._expires.get(point.prefix_key)
            if expires is not None and expires > now:
                hit = point
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
