"""Lint knows the bundled checks and the ones instructors keep beside their lessons."""

from __future__ import annotations

from coach import paths
from coach.cli import main
from coach.curriculum.scaffold import new_exercise, new_lesson

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
