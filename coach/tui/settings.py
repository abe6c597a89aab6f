"""The app's own settings (theme, coach mode), a small TOML file in the user config folder.

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
