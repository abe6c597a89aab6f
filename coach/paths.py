"""Where coach keeps things: bundled course files and the learner's own folders.

Every user path is decided here so tests can redirect them all with one variable
(`COACH_HOME`), and so nothing else needs to know about platformdirs.
"""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "coach"
_PACKAGE_DIR = Path(__file__).resolve().parent


def _bundled(name: str) -> Path:
    # A source checkout or editable install keeps lessons/ beside the package;
    # a wheel carries them inside it under _bundled/.
    beside = _PACKAGE_DIR.parent / name
    if beside.is_dir():
        return beside
    return _PACKAGE_DIR / "_bundled" / name


def bundled_lessons_dir() -> Path:
    return _bundled("lessons")


def bundled_exercises_dir() -> Path:
    return _bundled("exercises")


def _home() -> Path | None:
    value = os.environ.get("COACH_HOME")
    return Path(value).expanduser() if value else None


def user_data_dir() -> Path:
    home = _home()
    return home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME))


def user_config_dir() -> Path:
    home = _home()
    return home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME))


def user_log_dir() -> Path:
    home = _home()
    return home / "logs" if home else Path(platformdirs.user_log_dir(APP_NAME))


def user_lessons_dir() -> Path:
    """Instructors drop extra lesson TOML files here; exercises go beside it."""
    return user_data_dir() / "lessons"


def user_scenarios_dir() -> Path:
    return user_data_dir() / "scenarios"


def workspace_dir() -> Path:
    """The learner's copies of exercise starters, editable in any editor."""
    return user_data_dir() / "workspace"


def exercises_dir_for(lessons_dir: Path) -> Path:
    """Starter paths in a lesson are relative to the `exercises/` folder beside its lessons folder."""
    return lessons_dir.parent / "exercises"
