"""The model catalogue: which Claude models exist, their lifecycle, prices, limits and behaviour.

One dated table (coach/data/models.toml) read by the stub, the pricing, the coach's own model
choice and the drift lint, so a new model or a retirement is one edit in one file. Tests hold it to
the installed SDK's `ModelParam` and `DEPRECATED_MODELS` (tests/test_catalogue.py). An instructor can
replace the bundled table with a file of the same shape at `<user data folder>/models.toml`.
"""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections.abc import Mapping
from functools import cache
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from coach import paths
from coach.curriculum.locate import key_lines, line_of
from coach.curriculum.model import LocatedError

BUNDLED_CATALOGUE = Path(__file__).resolve().parent / "data" / "models.toml"

Status = Literal["current", "legacy", "deprecated", "retired"]
Thinking = Literal["always", "adaptive-default", "adaptive-optional", "extended", "none"]
Family = Literal["fable", "mythos", "opus", "sonnet", "haiku"]
FAMILIES: tuple[str, ...] = ("fable", "mythos", "opus", "sonnet", "haiku")

PRICE_FIELDS = ("input", "output", "cache_write_5m", "cache_write_1h", "cache_read", "batch_input", "batch_output")
LIMIT_FIELDS = ("context_window", "max_output", "cache_minimum")

# Suffixes and prefixes that name the same model: a snapshot date, a cloud provider's spelling,
# a context-window tag, the old `-latest` alias.
_SNAPSHOT = re.compile(r"(-\d{8}|@\d{8}|-latest|-v\d+(:\d+)?|\[\w+\])+$")
_PROVIDER_PREFIX = re.compile(r"^(anthropic\.|us\.|eu\.|apac\.|global\.)+")


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class LongPromptPrices(_Strict):
    """A second price band for requests whose prompt (input + cache reads + cache writes) is longer."""

    threshold_tokens: int = Field(gt=0)
    input: float = Field(ge=0)
    output: float = Field(ge=0)
    cache_write_5m: float = Field(ge=0)
    cache_write_1h: float = Field(ge=0)
    cache_read: float = Field(ge=0)


class Model(_Strict):
    """One row of the catalogue. Prices are USD per million tokens; limits are tokens."""

    id: str
    name: str
    family: Family
    status: Status
    retirement: dt.date | None = None
    """End of life: announced (deprecated) or past (retired)."""
    released: dt.date | None = None
    successor: str | None = None
    aliases: tuple[str, ...] = ()
    input: float | None = Field(default=None, ge=0)
    output: float | None = Field(default=None, ge=0)
    cache_write_5m: float | None = Field(default=None, ge=0)
    cache_write_1h: float | None = Field(default=None, ge=0)
    cache_read: float | None = Field(default=None, ge=0)
    batch_input: float | None = Field(default=None, ge=0)
    batch_output: float | None = Field(default=None, ge=0)
    long_prompt: LongPromptPrices | None = None
    context_window: int | None = Field(default=None, gt=0)
    max_output: int | None = Field(default=None, gt=0)
    cache_minimum: int | None = Field(default=None, gt=0)
    thinking: Thinking
    sampling_params: bool
    """Whether non-default temperature / top_p / top_k are accepted; False means the API answers 400."""
    source: str
    as_of: dt.date
    unverified: tuple[str, ...] = ()
    """Fields no stored official page showed; the note says what they rest on."""
    note: str = ""

    @model_validator(mode="after")
    def _lifecycle_and_prices_agree(self) -> Model:
        if self.status in ("deprecated", "retired") and self.retirement is None:
            raise ValueError(f"a {self.status} model needs its retirement date")
        if self.status in ("current", "legacy") and self.retirement is not None:
            raise ValueError(f"a {self.status} model has no retirement date; mark it deprecated to give one")
        if self.status != "retired":
            missing = [name for name in (*PRICE_FIELDS, *LIMIT_FIELDS) if getattr(self, name) is None]
            if missing:
                raise ValueError(f"a model still served needs {', '.join(missing)}")
        return self

    @property
    def served(self) -> bool:
        """Whether the API still answers requests for it (everything but retired)."""
        return self.status != "retired"

    @property
    def lifecycle(self) -> str:
        """`deprecated, retires 2027-01-22`, `retired on 2026-11-30`, `legacy`, `current`."""
        if self.status == "deprecated":
            return f"deprecated, retires {self.retirement}"
        if self.status == "retired":
            return f"retired on {self.retirement}"
        return self.status

    @property
    def thinking_on_by_default(self) -> bool:
        """On these models the first content block of a reply may be a thinking block, not text."""
        return self.thinking in ("always", "adaptive-default")


class _File(_Strict):
    as_of: dt.date
    ignored: dict[str, str] = {}
    """SDK ids deliberately not in the catalogue, each with its reason."""
    models: dict[str, dict]


class CatalogueError(ValueError):
    """The catalogue file is broken; the message names file, line and key like lesson errors do."""

    def __init__(self, errors: list[LocatedError]) -> None:
        super().__init__("\n".join(str(error) for error in errors))
        self.errors = errors


class UnknownModelError(KeyError):
    """No row, alias or family matches the model id."""

    def __str__(self) -> str:  # KeyError quotes its message otherwise
        return str(self.args[0]) if self.args else ""


class Catalogue:
    """The loaded table: rows by id, with lookups that tolerate aliases and provider spellings."""

    def __init__(self, models: Mapping[str, Model], ignored: Mapping[str, str], as_of: dt.date, file: Path) -> None:
        self.models = dict(models)
        self.ignored = dict(ignored)
        self.as_of = as_of
        self.file = file
        self._by_name = {model.id: model for model in self.models.values()}
        for model in self.models.values():
            for alias in model.aliases:
                self._by_name[alias] = model

    def __iter__(self):
        return iter(self.models.values())

    def find(self, id_or_alias: str) -> Model | None:
        """The row an id names: exact id or alias first, then without snapshot date or provider prefix."""
        exact = self._by_name.get(id_or_alias.strip())
        return exact or self._by_name.get(base_model_id(id_or_alias))

    def get(self, id_or_alias: str) -> Model:
        found = self.find(id_or_alias)
        if found is None:
            raise UnknownModelError(f"model '{id_or_alias}' is not in {self.file} (as of {self.as_of})")
        return found

    def current(self, family: str | None = None) -> list[Model]:
        """The current lineup, optionally of one family, in file order."""
        return [m for m in self if m.status == "current" and (family is None or m.family == family)]

    def family_of(self, id_or_alias: str) -> str | None:
        """The family an unknown id names (`claude-sonnet-9` -> sonnet), if any."""
        base = base_model_id(id_or_alias)
        for family in FAMILIES:
            if re.search(rf"(^|[-.]){family}([-.]|$)", base):
                return family
        return None

    def default_for_family(self, family: str) -> Model | None:
        """The family's dearest current row, used to price an id the table does not list yet."""
        rows = self.current(family) or [m for m in self if m.family == family and m.served]
        return max(rows, key=lambda m: m.input or 0.0, default=None)

    def successor_of(self, id_or_alias: str) -> Model | None:
        """Follow `successor` links to the first row still served (a configured fallback for a retired id)."""
        model, seen = self.find(id_or_alias), set()
        while model is not None and model.id not in seen:
            seen.add(model.id)
            if model.successor is None:
                return None
            model = self.find(model.successor)
            if model is not None and model.served:
                return model
        return None


def base_model_id(model: str) -> str:
    """`anthropic.claude-haiku-4-5-20251001-v1:0` -> `claude-haiku-4-5`."""
    name = _PROVIDER_PREFIX.sub("", model.strip().lower())
    return _SNAPSHOT.sub("", name)


def catalogue_file() -> Path:
    """The instructor's replacement when present, else the bundled table."""
    override = paths.user_data_dir() / "models.toml"
    return override if override.is_file() else BUNDLED_CATALOGUE


def load(file: Path | None = None) -> Catalogue:
    return _load(file or catalogue_file())


def find(id_or_alias: str) -> Model | None:
    """The row for an id or alias in the active catalogue, or None."""
    return load().find(id_or_alias)


def current(family: str | None = None) -> list[Model]:
    """The current lineup of the active catalogue."""
    return load().current(family)


def _key(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _located(file: Path, lines: dict[str, int], problems: list[tuple[str, str]]) -> CatalogueError:
    return CatalogueError([LocatedError(file, line_of(lines, key), key, message) for key, message in problems])


@cache
def _load(file: Path) -> Catalogue:
    text = file.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise CatalogueError([LocatedError(file, None, "", f"invalid TOML: {exc}")]) from exc
    lines = key_lines(text)
    problems: list[tuple[str, str]] = []
    try:
        table = _File.model_validate(data)
    except ValidationError as exc:
        problems = [(_key(error["loc"]), error["msg"]) for error in exc.errors()]
        raise _located(file, lines, problems) from exc
    models: dict[str, Model] = {}
    for model_id, row in table.models.items():
        try:
            models[model_id] = Model.model_validate({"id": model_id, **row})
        except ValidationError as exc:
            for error in exc.errors():
                key = _key(("models", model_id, *error["loc"]))
                problems.append((key, error["msg"].removeprefix("Value error, ")))
    names: dict[str, str] = {}
    for model in models.values():
        for name in (model.id, *model.aliases):
            if name in names and names[name] != model.id:
                problems.append((f"models.{model.id}", f"'{name}' also names models.{names[name]}"))
            names[name] = model.id
    for model in models.values():
        if model.successor is not None and model.successor not in models:
            problems.append((f"models.{model.id}.successor", f"no row for '{model.successor}'"))
    if problems:
        raise _located(file, lines, problems)
    return Catalogue(models, table.ignored, table.as_of, file)
