"""Lesson and scenario files damaged in ways TOML allows or no editor shows are located by line, never raised."""

from __future__ import annotations

from pathlib import Path

from test_validation import REFS, VALID, write

from coach.cli import main
from coach.curriculum import load_curriculum, load_lesson_file
from coach.stub.scenario import ScenarioError, load_scenario

NESTED_40_KB = b"key_points = " + b"[" * 20_000 + b"]" * 20_000 + b"\n"


def nested_lesson(course: Path) -> Path:
    head = VALID.split("key_points", 1)[0].encode()
    file = course / "01-retries.toml"
    file.write_bytes(head + NESTED_40_KB)
    assert len(file.read_bytes()) > 40_000
    return file


def test_a_deeply_nested_lesson_is_an_error_on_its_line(course: Path) -> None:
    lesson, errors = load_lesson_file(nested_lesson(course), REFS)
    assert lesson is None
    assert [str(e).split(": ", 1)[1] for e in errors] == ["arrays or tables nested more than 100 deep"]
    assert errors[0].line == 5


def test_lint_and_list_report_a_deeply_nested_lesson_without_a_traceback(course: Path, capsys) -> None:
    nested_lesson(course)
    assert main(["lint", str(course)]) == 1
    assert "01-retries.toml:5: arrays or tables nested more than 100 deep" in capsys.readouterr().out
    assert main(["list"]) == 0  # the bundled course still lists


def test_a_lesson_that_is_not_utf8_is_located_by_the_line_of_the_bad_byte(course: Path) -> None:
    text = VALID.replace('summary = "Retry well."', 'summary = "Retry caf\xe9."')
    file = course / "01-retries.toml"
    file.write_bytes(text.encode("latin-1"))
    lesson, errors = load_lesson_file(file, REFS)
    assert lesson is None
    assert errors[0].line == 4
    assert "not UTF-8 text: byte 0xe9 at column 21" in errors[0].message


def test_inf_and_nan_are_errors_on_their_keys(course: Path) -> None:
    file = write(course, VALID.replace('scenario = "healthy"', 'scenario = "healthy"\ntimeout = inf')
                 .replace("min_gap_ratio = 1.0", "min_gap_ratio = nan"))
    lesson, errors = load_lesson_file(file, REFS)
    assert lesson is None
    found = {(e.key, e.message) for e in errors}
    assert ("exercises[0].timeout", "must be a finite number, not inf or nan") in found
    assert ("exercises[0].checks[1].params.min_gap_ratio", "must be a finite number, not inf or nan") in found


def test_a_deeply_nested_scenario_is_an_error_on_its_line(tmp_path: Path) -> None:
    file = tmp_path / "deep.toml"
    file.write_bytes(b'summary = "x"\n\n[[faults]]\nkind = "status"\nrequests = ' + b"[" * 5000 + b"]" * 5000)
    try:
        load_scenario(file)
    except ScenarioError as exc:
        assert [str(e) for e in exc.errors] == [f"{file}:5: arrays or tables nested more than 100 deep"]
    else:
        raise AssertionError("a nested scenario loaded")


def test_a_non_finite_scenario_value_is_an_error_on_its_key(tmp_path: Path) -> None:
    file = tmp_path / "forever.toml"
    file.write_text('summary = "x"\n[response]\nttft = inf\n')
    try:
        load_scenario(file)
    except ScenarioError as exc:
        assert [str(e) for e in exc.errors] == [f"{file}:3: response.ttft: must be a finite number, not inf or nan"]
    else:
        raise AssertionError("ttft = inf loaded")


def test_the_course_loads_beside_damaged_files(course: Path) -> None:
    nested_lesson(course)
    (course / "02-latin.toml").write_bytes(b"id = '\xe9'\n")
    curriculum = load_curriculum([course], REFS)
    assert {e.file.name for e in curriculum.errors} == {"01-retries.toml", "02-latin.toml"}
