"""Settings: the app's own (theme, coach mode) in app.toml, and the coach's model and cost caps in coach.toml.

A missing or damaged file means defaults: settings are a convenience, never a reason not to start.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path

from coach import paths
from coach.tomlfile import TomlFileError, parse_toml

THEMES = ("textual-dark", "textual-light")


@dataclass(frozen=True)
class AppSettings:
    theme: str = "textual-dark"
    """One of THEMES; f2 flips it and the choice is kept."""
    offline_coach: bool = False
    """Use the offline coach even when an API key is set (no spend, no network)."""


def settings_file() -> Path:
    return paths.user_config_dir() / "app.toml"


def load_settings(file: Path | None = None) -> AppSettings:
    try:
        data, _ = parse_toml((file or settings_file()).read_bytes())
    except (OSError, TomlFileError):
        return AppSettings()
    theme = data.get("theme")
    return AppSettings(
        theme=theme if theme in THEMES else AppSettings.theme,
        offline_coach=bool(data.get("offline_coach", False)),
    )


def save_settings(settings: AppSettings, file: Path | None = None) -> str | None:
    """Write the settings; returns a reason when they could not be kept."""
    import tomli_w

    target = file or settings_file()
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(tomli_w.dumps(asdict(settings)), encoding="utf-8")
    except OSError as exc:
        return f"settings not saved: {exc.strerror or exc}"
    return None


@dataclass(frozen=True)
class CoachFileSettings:
    """The coach's own settings the app lets the learner change; they live in coach.toml under [coach]."""

    model: str = "claude-sonnet-4-6"
    soft_limit_usd: float = 0.50
    """Past this, the coach says what the session has cost so far."""
    hard_cap_usd: float = 2.00
    """The coach never sends a request that could cross this."""


def load_coach_settings(file: Path | None = None) -> tuple[CoachFileSettings, str | None]:
    """The file's values over the defaults, and a problem to show when the file is damaged."""
    from coach.tutor.config import ConfigError, load_config

    try:
        config = load_config(file, environ={})
    except ConfigError as exc:
        return CoachFileSettings(), f"coach.toml not read: {exc}"
    return CoachFileSettings(config.model, float(config.soft_limit_usd), float(config.hard_cap_usd)), None


def check_coach_settings(settings: CoachFileSettings) -> str | None:
    """Why these values cannot be kept, or None."""
    if not settings.model.strip():
        return "the model must not be empty"
    if settings.soft_limit_usd <= 0 or settings.hard_cap_usd <= 0:
        return "the cost limits must be above $0"
    if settings.soft_limit_usd > settings.hard_cap_usd:
        return "the soft limit (a warning) must not be above the hard cap"
    return None


def save_coach_settings(settings: CoachFileSettings, file: Path | None = None) -> str | None:
    """Update these keys of [coach] in coach.toml, keeping every other key the learner wrote."""
    import tomli_w

    from coach.tutor.config import config_file

    target = file or config_file()
    try:
        data = parse_toml(target.read_bytes())[0] if target.is_file() else {}
    except (OSError, TomlFileError) as exc:
        return f"{target} not changed: it cannot be read ({exc})"
    table = data.get("coach") if isinstance(data.get("coach"), dict) else {}
    data["coach"] = {**table, **asdict(settings)}
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(tomli_w.dumps(data), encoding="utf-8")
    except OSError as exc:
        return f"coach settings not saved: {exc.strerror or exc}"
    return None
