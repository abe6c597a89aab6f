"""What a request cost: one dated price table (coach/data/prices.toml) and the arithmetic on `usage`.

The budgets lesson, the coach's own cost cap and the grader all price tokens here, so a price
change is one edit in one TOML file. An instructor can override the bundled table by putting a
file of the same shape at `<user data folder>/prices.toml`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from coach import paths
from coach.curriculum.locate import key_lines, line_of
from coach.curriculum.model import LocatedError
from coach.curriculum.schema import Field, check_table

BUNDLED_PRICES = Path(__file__).resolve().parent / "data" / "prices.toml"
PER_TOKENS = 1_000_000
"""Prices are quoted per million tokens (MTok)."""

_RATE = Field((int, float))
MODEL_ROW = {
    "name": Field(str),
    "input": _RATE,
    "output": _RATE,
    "cache_write_5m": _RATE,
    "cache_write_1h": _RATE,
    "cache_read": _RATE,
}
PRICE_TABLE = {
    "as_of": Field(str),
    "source": Field(str),
    "families": Field(dict),
    "models": Field(dict),
}
FAMILIES = ("opus", "sonnet", "haiku")

# Suffixes and prefixes that name the same model: a snapshot date, a cloud provider's spelling,
# a context-window tag, the old `-latest` alias.
_SNAPSHOT = re.compile(r"(-\d{8}|@\d{8}|-latest|-v\d+(:\d+)?|\[\w+\])+$")
_PROVIDER_PREFIX = re.compile(r"^(anthropic\.|us\.|eu\.|apac\.|global\.)+")


class PriceTableError(ValueError):
    """The price file is broken; the message names file, line and key like lesson errors do."""

    def __init__(self, errors: list[LocatedError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class UnknownModelError(KeyError):
    """No row and no family matches the model id, so its cost cannot be known."""


@dataclass(frozen=True)
class ModelPrice:
    """One row of the table, USD per million tokens."""

    id: str
    name: str
    input: float
    output: float
    cache_write_5m: float
    cache_write_1h: float
    cache_read: float


@dataclass(frozen=True)
class PriceTable:
    as_of: str
    """The day someone last checked these prices against the source (YYYY-MM-DD)."""
    source: str
    models: Mapping[str, ModelPrice]
    families: Mapping[str, str]
    file: Path

    def price_for(self, model: str) -> ModelPrice:
        """The row for a model id, tolerating snapshot dates and provider spellings.

        `claude-sonnet-4-5-20250929` and `anthropic.claude-sonnet-4-5-20250929-v1:0` both find
        `claude-sonnet-4-5`; an id with no row of its own (a newer release) falls back to its
        family's default row. The returned `id` says which row priced it.
        """
        base = base_model_id(model)
        if base in self.models:
            return self.models[base]
        for family in FAMILIES:
            if re.search(rf"(^|[-.]){family}([-.]|$)", base) and family in self.families:
                return self.models[self.families[family]]
        raise UnknownModelError(f"no price for model '{model}' in {self.file} (as of {self.as_of})")

    def cost(self, usage: Any, model: str) -> float:
        return cost(usage, model, self)


def base_model_id(model: str) -> str:
    """`anthropic.claude-haiku-4-5-20251001-v1:0` -> `claude-haiku-4-5`."""
    name = _PROVIDER_PREFIX.sub("", model.strip().lower())
    return _SNAPSHOT.sub("", name)


def _field(usage: Any, name: str) -> int:
    value = usage.get(name) if isinstance(usage, Mapping) else getattr(usage, name, None)
    return int(value or 0)


def cost(usage: Any, model: str, table: PriceTable | None = None) -> float:
    """USD for one response's `usage` (an SDK `Usage`, or a dict of the same fields).

    Input, output, cache reads, and cache writes at the 5-minute or 1-hour rate: the
    `cache_creation` breakdown says which; without it every cache write is priced as 5-minute,
    the default TTL.
    """
    price = (table or load_prices()).price_for(model)
    breakdown = usage.get("cache_creation") if isinstance(usage, Mapping) else getattr(usage, "cache_creation", None)
    if breakdown is not None:
        written_5m = _field(breakdown, "ephemeral_5m_input_tokens")
        written_1h = _field(breakdown, "ephemeral_1h_input_tokens")
    else:
        written_5m, written_1h = _field(usage, "cache_creation_input_tokens"), 0
    dollars_per_mtok = (
        _field(usage, "input_tokens") * price.input
        + _field(usage, "output_tokens") * price.output
        + written_5m * price.cache_write_5m
        + written_1h * price.cache_write_1h
        + _field(usage, "cache_read_input_tokens") * price.cache_read
    )
    return dollars_per_mtok / PER_TOKENS


def prices_file() -> Path:
    """The instructor's override when present, else the bundled table."""
    override = paths.user_data_dir() / "prices.toml"
    return override if override.is_file() else BUNDLED_PRICES


def load_prices(file: Path | None = None) -> PriceTable:
    return _load(file or prices_file())


@cache
def _load(file: Path) -> PriceTable:
    text = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise PriceTableError([LocatedError(file, None, "", f"invalid TOML: {exc}")]) from exc
    lines = key_lines(text)
    problems = check_table(data, PRICE_TABLE, "")
    if not problems:
        for model_id, row in data["models"].items():
            if not isinstance(row, dict):
                problems.append((f"models.{model_id}", "expected a table"))
                continue
            problems += check_table(row, MODEL_ROW, f"models.{model_id}")
            problems += [(f"models.{model_id}.{k}", "must not be negative")
                         for k in MODEL_ROW if isinstance(row.get(k), int | float) and row[k] < 0]
        for family, model_id in data["families"].items():
            if family not in FAMILIES:
                problems.append((f"families.{family}", f"unknown family; expected one of {', '.join(FAMILIES)}"))
            elif model_id not in data["models"]:
                problems.append((f"families.{family}", f"no row for '{model_id}' under [models]"))
    if problems:
        raise PriceTableError([LocatedError(file, line_of(lines, key), key, message) for key, message in problems])
    models = {
        model_id: ModelPrice(id=model_id, name=row["name"], **{k: float(row[k]) for k in MODEL_ROW if k != "name"})
        for model_id, row in data["models"].items()
    }
    return PriceTable(as_of=data["as_of"], source=data["source"], models=models,
                      families=dict(data["families"]), file=file)
