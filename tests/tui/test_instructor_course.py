"""An instructor's own lesson, with its own scenario and check module: linted, graded, shown in the app, and
each mistake in it named with file and line."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import OptionList, Static

from coach import paths
from coach.cli import main
from coach.curriculum.scaffold import new_exercise, new_lesson
from coach.tui.screens.home import HomeScreen

from .conftest import shown_screen

SCENARIO = 'summary = "Every request is overloaded."\n\n[[faults]]\nkind = "status"\nstatus = 529\n'
CHECKS = '''from coach.grader.checks import Verdict, check


@check("falls_back_after")
def falls_back_after(evidence):
    """The program returned the fallback answer after the API kept failing."""
    if evidence.returned == "fallback":
        return Verdict(True, "returned the fallback answer")
    return Verdict(False, f"returned {evidence.returned!r}, not the fallback")
'''
SOLUTION = '''import anthropic


def main() -> str:
    try:
        anthropic.Anthropic(max_retries=0).messages.create(
            model="claude-sonnet-4-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
    except anthropic.APIStatusError:
        return "fallback"
    return "answer"
'''


@pytest.fixture
def course(tmp_path: Path) -> dict[str, Path]:
    lesson = new_lesson("fallbacks", "Fallbacks", paths.user_lessons_dir())
    new_exercise("fallbacks", "fall-back", "Fall back")
    lesson.write_text(lesson.read_text().replace('scenario = "healthy"', 'scenario = "always-529"')
                      .replace('check = "exits_cleanly"', 'check = "falls_back_after"'))
    paths.user_scenarios_dir().mkdir(parents=True)
    scenario = paths.user_scenarios_dir() / "always-529.toml"
    scenario.write_text(SCENARIO)
    checks = paths.user_lessons_dir() / "fallback_checks.py"
    checks.write_text(CHECKS)
    solution = tmp_path / "solution.py"
    solution.write_text(SOLUTION)
    return {"lesson": lesson, "scenario": scenario, "checks": checks, "solution": solution}


def test_the_course_lints_clean_and_grades_with_its_own_scenario_and_check(course, capsys) -> None:
    assert main(["lint"]) == 0, capsys.readouterr().out
    assert main(["grade", "fall-back", str(course["solution"])]) == 0
    assert "returned the fallback answer" in capsys.readouterr().out


async def test_the_app_lists_the_instructors_lesson(course, make_app) -> None:
    app = make_app(lesson_dirs=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await shown_screen(pilot, HomeScreen)
        options = app.screen.query_one("#lessons", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        assert any("Fallbacks" in prompt for prompt in prompts)


def test_a_mistake_in_the_scenario_is_named_by_lint_and_by_grade(course, capsys) -> None:
    course["scenario"].write_text(SCENARIO.replace("529", "530"))
    assert main(["lint"]) == 1
    assert f"{course['scenario']}:5: faults[0].status: 530 is not an error status" in capsys.readouterr().out
    assert main(["grade", "fall-back", str(course["solution"])]) == 2
    assert f"not loaded: {course['scenario']}:5: faults[0].status" in capsys.readouterr().err


def test_a_check_that_raises_while_grading_is_named_at_its_line(course, capsys) -> None:
    course["checks"].write_text(CHECKS.replace('    if evidence.returned', '    1 / 0\n    if evidence.returned', 1))
    assert main(["grade", "fall-back", str(course["solution"])]) == 1
    assert (f"the check itself failed at {course['checks']}:7: ZeroDivisionError: division by zero"
            in capsys.readouterr().out)


async def test_the_app_names_a_broken_check_module_at_its_line(course, make_app) -> None:
    course["checks"].write_text(CHECKS.replace("(evidence):", "(evidence)"))
    app = make_app(lesson_dirs=None)
    async with app.run_test(size=(160, 40)) as pilot:
        await shown_screen(pilot, HomeScreen)
        broken = str(app.screen.query_one("#broken", Static).render())
        assert "fallback_checks.py:5" in broken and "SyntaxError" in broken
