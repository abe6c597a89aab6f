"""The learner's own copy of each exercise, in a folder they can open in any editor.

The starter is copied the first time an exercise is opened and never overwritten after
that; a reset keeps the learner's last version beside the fresh starter.
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

from coach import paths
from coach.curriculum.model import Exercise


def workspace_file(exercise: Exercise) -> Path:
    return paths.workspace_dir() / exercise.id / exercise.starter.name


def open_workspace(exercise: Exercise) -> Path:
    """The learner's file for this exercise, created from the starter if it is not there yet."""
    file = workspace_file(exercise)
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(exercise.starter, file)
    return file


def reset_workspace(exercise: Exercise) -> tuple[Path, Path | None]:
    """Start again from the starter; returns the file and where the old version was kept."""
    file = workspace_file(exercise)
    kept = None
    if file.exists():
        kept = file.with_name(f"{file.stem}.{datetime.now():%Y%m%d-%H%M%S}{file.suffix}.bak")
        file.replace(kept)
    return open_workspace(exercise), kept
