"""What a request cost: the prices in the model catalogue (coach/data/models.toml) and the arithmetic on `usage`.

The budgets lesson, the coach's own cost cap and the grader all price tokens here, and the prices
themselves live in one place, the catalogue (coach/catalogue.py), beside each model's lifecycle and
limits. An instructor replaces them with `<user data folder>/models.toml`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from coach import catalogue
from coach.catalogue import CatalogueError as PriceTableError
from coach.catalogue import UnknownModelError, base_model_id

BUNDLED_PRICES = catalogue.BUNDLED_CATALOGUE
"""The prices are the catalogue's; there is no second price file."""
PRICING_PAGE = "https://platform.claude.com/docs/en/about-claude/pricing"
PER_TOKENS = 1_000_000
"""Prices are quoted per million tokens (MTok)."""

__all__ = ["BUNDLED_PRICES", "PER_TOKENS", "ModelPrice", "PriceTable", "PriceTableError", "UnknownModelError",
           "base_model_id", "cost", "load_prices", "prices_file"]


@dataclass(frozen=True)
class ModelPrice:
    """One model's prices, USD per million tokens; `long_prompt` is a dearer band above a prompt length."""

    id: str
    name: str
    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float
    batch_input: float
    batch_output: float
    long_prompt: ModelPrice | None = None
    long_prompt_threshold: int | None = None

    def for_prompt(self, prompt_tokens: int) -> ModelPrice:
        """The band a request with this many prompt tokens (input + cache reads + writes) is billed at."""
        if self.long_prompt is not None and self.long_prompt_threshold is not None \
                and prompt_tokens > self.long_prompt_threshold:
            return self.long_prompt
        return self


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    """The day someone last checked the catalogue against its sources (YYYY-MM-DD)."""
    source: str
    models: Mapping[str, ModelPrice]
    families: Mapping[str, str]
    """Family -> the row that prices an id of that family the table does not list yet."""
    file: Path
    _catalogue: catalogue.Catalogue

    def price_for(self, model: str) -> ModelPrice:
        """The row for a model id, tolerating aliases, snapshot dates and provider spellings.

        `claude-haiku-4-5-20251001` and `anthropic.claude-haiku-4-5-20251001-v1:0` both find
        `claude-haiku-4-5`; an id with no row of its own (a newer release) falls back to its
        family's dearest current row. The returned `id` says which row priced it.
        """
        row = self._catalogue.find(model)
        if row is not None and row.id in self.models:
            return self.models[row.id]
        family = self._catalogue.family_of(model)
        if row is None and family in self.families:
            return self.models[self.families[family]]
        raise UnknownModelError(f"no price for model '{model}' in {self.file} (as of {self.as_of})")

    def cost(self, usage: Any, model: str, *, batch: bool = False) -> float:
        return cost(usage, model, self, batch=batch)


def _field(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    return int(value or 0)


BATCH_DISCOUNT = 0.5
"""Message Batches bill every token at half the standard price (official pricing page, "Batch processing");
the catalogue's `batch_input` / `batch_output` say so per model, cache prices are halved the same way."""


def cost(usage: Any, model: str, table: PriceTable | None = None, *, batch: bool = False) -> float:
    """USD for one response's `usage` (an SDK `Usage`, or a dict of the same fields); `batch` for a result of
    a Message Batch, or any usage whose `service_tier` is `batch`.

    Input, output, cache reads, and cache writes at the 5-minute or 1-hour rate: the
    `cache_creation` breakdown says which; without it every cache write is priced as 5-minute,
    the default TTL. A model with a long-prompt band bills every token of a long request at it.
    """
    breakdown = usage.get("cache_creation") if isinstance(usage, Mapping) else getattr(usage, "cache_creation", None)
    if breakdown is not None:
        written_5m = _field(breakdown, "ephemeral_5m_input_tokens")
        written_1h = _field(breakdown, "ephemeral_1h_input_tokens")
    else:
        written_5m, written_1h = _field(usage, "cache_creation_input_tokens"), 0
    read = _field(usage, "cache_read_input_tokens")
    fresh = _field(usage, "input_tokens")
    price = (table or load_prices()).price_for(model).for_prompt(fresh + read + written_5m + written_1h)
    tier = usage.get("service_tier") if isinstance(usage, Mapping) else getattr(usage, "service_tier", None)
    batch = batch or tier == "batch"
    cache_factor = BATCH_DISCOUNT if batch else 1.0
    dollars_per_mtok = (
        fresh * (price.batch_input if batch else price.input)
        + _field(usage, "output_tokens") * (price.batch_output if batch else price.output)
        + (written_5m * price.cache_write_5m + written_1h * price.cache_write_1h + read * price.cache_read)
        * cache_factor
    )
    return dollars_per_mtok / PER_TOKENS


def prices_file() -> Path:
    """The catalogue in use: the instructor's replacement when present, else the bundled one."""
    return catalogue.catalogue_file()


def load_prices(file: Path | None = None) -> PriceTable:
    return _table(file or prices_file())


def _price(row: catalogue.Model) -> ModelPrice:
    long = None
    if row.long_prompt is not None:
        band = row.long_prompt
        long = ModelPrice(id=row.id, name=f"{row.name} (prompts over {band.threshold_tokens:,} tokens)",
                          input=band.input, output=band.output, cache_write_5m=band.cache_write_5m,
                          cache_write_1h=band.cache_write_1h, cache_read=band.cache_read,
                          batch_input=band.input / 2, batch_output=band.output / 2)
    assert row.input is not None and row.output is not None and row.cache_write_5m is not None
    assert row.cache_write_1h is not None and row.cache_read is not None
    return ModelPrice(id=row.id, name=row.name, input=row.input, output=row.output,
                      cache_write_5m=row.cache_write_5m, cache_write_1h=row.cache_write_1h,
                      cache_read=row.cache_read, batch_input=row.batch_input or row.input / 2,
                      batch_output=row.batch_output or row.output / 2, long_prompt=long,
                      long_prompt_threshold=row.long_prompt.threshold_tokens if row.long_prompt else None)


@cache
def _table(file: Path) -> PriceTable:
    table = catalogue.load(file)
    models = {row.id: _price(row) for row in table if row.input is not None}
    families = {}
    for family in catalogue.FAMILIES:
        default = table.default_for_family(family)
        if default is not None:
            families[family] = default.id
    return PriceTable(as_of=table.as_of.isoformat(), source=PRICING_PAGE, models=models, families=families,
                      file=file, _catalogue=table)
