"""The coach's settings: defaults, then the config file, then the environment, then flags.

The API key comes from the environment only (`ANTHROPIC_API_KEY`), never from a file we
write, and it is kept out of every repr so it cannot reach a log by accident.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from coach import paths
from coach.curriculum.schema import Field, check_table
from coach.tomlfile import TomlFileError, parse_toml

TURN_KINDS = ("answer", "review", "judge")


@dataclass(frozen=True)
class TutorConfig:
    api_key: str | None = field(default=None, repr=False)
    base_url: str | None = None
    """None: the real API. Point it at `coach stub` to practise against faults."""
    model: str = "claude-sonnet-5-5"
    """A current model in the catalogue (coach/data/models.toml); tests/tutor checks it stays current."""
    soft_limit_usd: float = 0.50
    """Past this, the learner is told what the session has cost so far."""
    hard_cap_usd: float = 2.00
    """A request that could cross this is not sent."""
    max_tokens_answer: int = 1024
    """A reply to a question: a few paragraphs at most, as a tutor should."""
    max_tokens_review: int = 1536
    """A review of the learner's code and report: room for a short walk through it."""
    max_tokens_judge: int = 200
    """The discussion judge answers with a small JSON object."""
    read_timeout_s: float = 30.0
    """A chat UI: better a clear failure after 30 s than a spinner for the SDK's default 10 minutes."""
    connect_timeout_s: float = 5.0
    max_retries: int = 2
    """The SDK's own retries (429, 529, 5xx, connection errors), honouring retry-after."""
    stream_restarts: int = 1
    """Times a reply is started again from scratch after its stream broke."""

    def max_tokens(self, kind: str) -> int:
        return int(getattr(self, f"max_tokens_{kind}"))


_NUMBER = Field((int, float), required=False)
_COUNT = Field(int, required=False)
_SCHEMA = {
    "base_url": Field(str, required=False),
    "model": Field(str, required=False),
    "soft_limit_usd": _NUMBER,
    "hard_cap_usd": _NUMBER,
    "max_tokens_answer": _COUNT,
    "max_tokens_review": _COUNT,
    "max_tokens_judge": _COUNT,
    "read_timeout_s": _NUMBER,
    "connect_timeout_s": _NUMBER,
    "max_retries": _COUNT,
    "stream_restarts": _COUNT,
}
"""Every setting but the key, which is read from the environment only."""


class ConfigError(ValueError):
    """The config file is unreadable or has a wrong key; the message names the file and key."""


def config_file() -> Path:
    return paths.user_config_dir() / "coach.toml"


def load_config(file: Path | None = None, environ: Mapping[str, str] | None = None, *, read_file: bool = True,
                **overrides: Any) -> TutorConfig:
    """Defaults < `[coach]` in the config file < environment < keyword overrides (flags)."""
    environ = os.environ if environ is None else environ
    target = file or config_file()
    values: dict[str, Any] = {}
    if read_file and target.is_file():
        try:
            data, _ = parse_toml(target.read_bytes())
        except OSError as exc:
            raise ConfigError(f"{target}: {exc.strerror or exc}") from exc
        except TomlFileError as exc:
            where = f"{target}:{exc.problem.line}" if exc.problem.line else str(target)
            raise ConfigError(f"{where}: {exc.problem.message}") from exc
        table = data.get("coach", {})
        if not isinstance(table, dict):
            raise ConfigError(f"{target}: coach: expected a table")
        problems = check_table(table, _SCHEMA, "coach")
        if problems:
            raise ConfigError("\n".join(f"{target}: {key}: {message}" for key, message in problems))
        values.update(table)
    if environ.get("ANTHROPIC_BASE_URL"):
        values["base_url"] = environ["ANTHROPIC_BASE_URL"]
    if environ.get("COACH_MODEL"):
        values["model"] = environ["COACH_MODEL"]
    values["api_key"] = environ.get("ANTHROPIC_API_KEY") or None
    values.update({k: v for k, v in overrides.items() if v is not None})
    return replace(TutorConfig(), **values)
