"""Every exercise's further correct solutions (`right_*.py`, other structures and SDK features) pass every item."""

from pathlib import Path

import pytest

from .conftest import SOLUTIONS, Grade, failing

RIGHT = sorted(SOLUTIONS.glob("*/right_*.py"))


@pytest.mark.parametrize("right", RIGHT, ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_right_solution_passes_every_item(grade: Grade, right: Path) -> None:
    report = grade(right.parent.name, right)
    assert failing(report) == set(), [(i.id, i.evidence) for i in report.items if not i.passed]
