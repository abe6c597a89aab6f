"""Lint knows the bundled checks and the ones instructors keep beside their lessons."""

from __future__ import annotations

import json
import re
from pathlib import Path

from coach import paths
from coach.cli import main
from coach.curriculum.scaffold import new_exercise, new_lesson
from coach.grader.checks import describe_checks

CUSTOM = '''
from coach.grader.checks import Verdict, check


@check("says_hello_politely")
def says_hello_politely(evidence):
    """The reply was polite."""
    return Verdict(True, "polite")
'''


def test_an_instructors_check_module_beside_the_lessons_is_known_to_lint(capsys) -> None:
    lesson = new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first")
    (paths.user_lessons_dir() / "demo_checks.py").write_text(CUSTOM)
    lesson.write_text(lesson.read_text().replace('check = "exits_cleanly"', 'check = "says_hello_politely"'))
    assert main(["lint", str(paths.user_lessons_dir())]) == 0, capsys.readouterr().out


def test_a_misspelt_bundled_check_is_caught_with_a_suggestion(capsys) -> None:
    lesson = new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first")
    lesson.write_text(lesson.read_text().replace('check = "exits_cleanly"', 'check = "exit_cleanly"'))
    assert main(["lint", str(paths.user_lessons_dir())]) == 1
    assert "unknown check 'exit_cleanly'; did you mean 'exits_cleanly'?" in capsys.readouterr().out


def test_coach_checks_lists_bundled_and_instructors_checks_with_parameters(capsys) -> None:
    paths.user_lessons_dir().mkdir(parents=True, exist_ok=True)
    (paths.user_lessons_dir() / "demo_checks.py").write_text(CUSTOM)
    assert main(["checks", "--json"]) == 0
    listed = {c["name"]: c for c in json.loads(capsys.readouterr().out)["checks"]}
    assert listed["says_hello_politely"]["summary"] == "The reply was polite."
    assert listed["says_hello_politely"]["module"] == "demo_checks.py"
    assert listed["caps_attempts"]["params"] == [{"name": "text", "type": "str", "required": True},
                                                 {"name": "max_attempts", "type": "int", "required": True}]


def test_every_bundled_check_is_documented_for_authors() -> None:
    guide = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    bundled = [d for d in describe_checks() if not d.module.endswith(".py")]
    undocumented = [d.name for d in bundled if f"`{d.name}`" not in guide]
    assert undocumented == []


def test_the_guides_example_check_module_loads_and_lint_accepts_it(capsys) -> None:
    guide = (Path(__file__).parents[2] / "docs" / "authoring.md").read_text(encoding="utf-8")
    example = next(block for block in re.findall(r"```python\n(.*?)```", guide, re.S) if "@check(" in block)
    lesson = new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first")
    (paths.user_lessons_dir() / "drills_checks.py").write_text(example)
    lesson.write_text(lesson.read_text().replace('check = "exits_cleanly"',
                                                 'check = "at_most_streams"\nparams = { limit = 2 }'))
    assert main(["lint", str(paths.user_lessons_dir())]) == 0, capsys.readouterr().out
