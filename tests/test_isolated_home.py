"""The suite never reads the user's own folders, not even while collecting tests."""

import os
import tempfile
from pathlib import Path

from coach import paths

HOME_WHILE_COLLECTING = os.environ.get("COACH_HOME")
LESSONS_WHILE_COLLECTING = paths.user_lessons_dir()


def test_collection_sees_a_temporary_coach_home() -> None:
    assert HOME_WHILE_COLLECTING is not None
    assert Path(HOME_WHILE_COLLECTING).resolve().is_relative_to(Path(tempfile.gettempdir()).resolve())


def test_collection_sees_no_user_lessons() -> None:
    assert LESSONS_WHILE_COLLECTING.is_relative_to(Path(HOME_WHILE_COLLECTING))
    assert not list(LESSONS_WHILE_COLLECTING.glob("*.toml"))


def test_each_test_has_a_home_of_its_own(coach_home: Path) -> None:
    assert paths.user_data_dir().is_relative_to(coach_home)
    assert os.environ["COACH_HOME"] != HOME_WHILE_COLLECTING
