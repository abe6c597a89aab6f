"""The coach's spend: what each reply cost from its `usage`, and a cap that is never crossed.

The check happens before a request, against the worst case (every prompt token at the
cache-write price and all of `max_tokens` used), so the cap holds even for the reply that
would have crossed it. Prices come from the one table the budgets lesson also uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach.pricing import PER_TOKENS, PriceTable, cost, load_prices

CHARS_PER_TOKEN = 3.0
"""A deliberately low estimate (English runs nearer 4), so the worst case errs on the safe side."""


def estimate_tokens(text: str) -> int:
    return int(len(text) / CHARS_PER_TOKEN) + 1


@dataclass
class CostBudget:
    soft_limit_usd: float
    hard_cap_usd: float
    prices: PriceTable | None = None
    spent_usd: float = 0.0
    warned: bool = False

    def __post_init__(self) -> None:
        if self.prices is None:
            self.prices = load_prices()

    def worst_case(self, model: str, prompt_tokens: int, max_tokens: int) -> float:
        assert self.prices is not None
        price = self.prices.price_for(model)
        return (prompt_tokens * max(price.input, price.cache_write_5m) + max_tokens * price.output) / PER_TOKENS

    def allows(self, model: str, prompt_tokens: int, max_tokens: int) -> bool:
        """Whether a request of this size is sure to stay under the hard cap."""
        return self.spent_usd + self.worst_case(model, prompt_tokens, max_tokens) <= self.hard_cap_usd

    def record(self, usage: Any, model: str) -> float:
        """Add one reply's cost; returns it."""
        spent = cost(usage, model, self.prices)
        self.spent_usd += spent
        return spent

    def soft_limit_newly_crossed(self) -> bool:
        """True once: the first time the session's spend passes the soft limit."""
        if self.warned or self.spent_usd < self.soft_limit_usd:
            return False
        self.warned = True
        return True
