"""`coach lint` covers every file a course is made of: lessons, their scenarios and their check modules."""

from __future__ import annotations

from pathlib import Path

from coach import paths
from coach.cli import main
from coach.curriculum.scaffold import new_exercise, new_lesson
from coach.stub.scenario import BUNDLED_DIR

GOOD_SCENARIO = 'summary = "Two 429s, then calm."\n\n[[faults]]\nkind = "status"\nstatus = 429\nrequests = [1, 2]\n'
BROKEN_SCENARIO = 'summary = "Two 429s, then calm."\n\n[[faults]]\nkind = "status"\nstatus = 430\n'
BROKEN_MODULE = '''from coach.grader.checks import Verdict, check


@check("falls_back_after")
def falls_back_after(evidence)
    return Verdict(True, "fell back")
'''


def lesson_using(scenario: str = "healthy", check: str = "exits_cleanly") -> Path:
    lesson = new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first")
    text = lesson.read_text().replace('check = "exits_cleanly"', f'check = "{check}"')
    lesson.write_text(text.replace('scenario = "healthy"', f'scenario = "{scenario}"'))
    return lesson


def user_scenario(name: str, text: str) -> Path:
    paths.user_scenarios_dir().mkdir(parents=True, exist_ok=True)
    file = paths.user_scenarios_dir() / f"{name}.toml"
    file.write_text(text)
    return file


def line_of(file: Path, needle: str) -> int:
    return next(n for n, line in enumerate(file.read_text().splitlines(), 1) if needle in line)


def test_lint_with_no_paths_covers_the_bundled_and_user_scenarios(capsys) -> None:
    user_scenario("mine", GOOD_SCENARIO)
    assert main(["lint"]) == 0
    assert f"{len(list(BUNDLED_DIR.glob('*.toml'))) + 1} scenario(s) clean" in capsys.readouterr().out


def test_a_broken_user_scenario_is_reported_with_its_line(capsys) -> None:
    file = user_scenario("mine", BROKEN_SCENARIO)
    assert main(["lint"]) == 1
    assert f"{file}:5: faults[0].status: 430 is not an error status the API sends" in capsys.readouterr().out


def test_a_lesson_naming_a_broken_scenario_does_not_lint_clean(capsys) -> None:
    scenario = user_scenario("mine", BROKEN_SCENARIO)
    lesson = lesson_using(scenario="mine")
    assert main(["lint", str(lesson)]) == 1
    out = capsys.readouterr().out
    assert f"{lesson}:{line_of(lesson, 'scenario = ')}: exercises[0].scenario: scenario 'mine' has 1 error(s)" in out
    assert f"{scenario}:5: faults[0].status: 430" in out


def test_a_scenario_file_given_by_path_is_linted_as_a_scenario(tmp_path: Path, capsys) -> None:
    file = tmp_path / "my-scenario.toml"
    file.write_text(GOOD_SCENARIO)
    assert main(["lint", str(file)]) == 0
    assert "1 scenario(s) clean." in capsys.readouterr().out


def test_a_broken_scenario_given_by_path_gets_scenario_errors_not_lesson_ones(tmp_path: Path, capsys) -> None:
    file = tmp_path / "my-scenario.toml"
    file.write_text(BROKEN_SCENARIO.replace('summary', 'sumary'))
    assert main(["lint", str(file)]) == 1
    out = capsys.readouterr().out
    assert "my-scenario.toml:1: sumary: unknown key; did you mean 'summary'?" in out
    assert "missing required key 'title'" not in out


def test_a_file_in_a_scenarios_folder_is_a_scenario_whatever_it_holds(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "odd.toml").write_text('colour = "blue"\n')
    assert main(["lint", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "odd.toml:1: colour: unknown key" in out and "missing required key 'summary'" in out


def test_a_check_module_that_does_not_import_is_its_own_error_with_its_line(capsys) -> None:
    lesson_using(check="falls_back_after")
    module = paths.user_lessons_dir() / "demo_checks.py"
    module.write_text(BROKEN_MODULE)
    assert main(["lint", str(paths.user_lessons_dir())]) == 1
    out = capsys.readouterr().out
    assert f"{module}:5: check module does not load: SyntaxError" in out
    assert "unknown check 'falls_back_after'" not in out
    assert "check 'falls_back_after' comes from demo_checks.py, which does not load" in out


def test_a_check_module_raising_on_import_is_located_at_the_raising_line(capsys) -> None:
    lesson_using()
    module = paths.user_lessons_dir() / "demo_checks.py"
    module.write_text("import os\n\nLIMIT = int(os.environ['NO_SUCH_SETTING'])\n")
    assert main(["lint", str(paths.user_lessons_dir())]) == 1
    assert f"{module}:3: check module does not load: KeyError: 'NO_SUCH_SETTING'" in capsys.readouterr().out


def test_unknown_checks_unrelated_to_a_broken_module_are_still_unknown(capsys) -> None:
    lesson_using(check="no_such_check")
    (paths.user_lessons_dir() / "demo_checks.py").write_text(BROKEN_MODULE)
    assert main(["lint", str(paths.user_lessons_dir())]) == 1
    assert "unknown check 'no_such_check'" in capsys.readouterr().out


def test_a_scenario_speed_is_flagged_as_having_no_effect_on_grading(tmp_path: Path, capsys) -> None:
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "quick.toml").write_text('summary = "A quick one."\n\nspeed = 20\n', encoding="utf-8")
    assert main(["lint", str(folder / "quick.toml")]) == 0
    out = capsys.readouterr().out
    assert "quick.toml:3: speed: has no effect when grading" in out
    assert "1 scenario(s) clean." in out
