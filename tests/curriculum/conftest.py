"""A lessons folder with one exercise's starter beside it, for lesson files under test."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def course(tmp_path: Path) -> Path:
    starter = tmp_path / "exercises" / "ex-one" / "starter.py"
    starter.parent.mkdir(parents=True)
    starter.write_text("def main():\n    return 1\n")
    (tmp_path / "lessons").mkdir()
    return tmp_path / "lessons"
