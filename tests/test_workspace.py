"""The learner's workspace copy is made once and never overwritten behind their back."""

from __future__ import annotations

from pathlib import Path

from coach.curriculum.model import Exercise
from coach.workspace import open_workspace, reset_workspace


def exercise(tmp_path: Path) -> Exercise:
    starter = tmp_path / "starter.py"
    starter.write_text("def main():\n    return 'starter'\n")
    return Exercise(id="ex", title="Ex", brief="b", starter=starter, entry="main", scenario="healthy",
                    checks=(), lesson_id="l")


def test_first_open_copies_the_starter(tmp_path: Path) -> None:
    file = open_workspace(exercise(tmp_path))
    assert "return 'starter'" in file.read_text()


def test_later_opens_keep_the_learners_edits(tmp_path: Path) -> None:
    ex = exercise(tmp_path)
    open_workspace(ex).write_text("mine")
    assert open_workspace(ex).read_text() == "mine"


def test_reset_keeps_the_old_version_aside(tmp_path: Path) -> None:
    ex = exercise(tmp_path)
    open_workspace(ex).write_text("mine")
    file, kept = reset_workspace(ex)
    assert "return 'starter'" in file.read_text()
    assert kept is not None and kept.read_text() == "mine"
