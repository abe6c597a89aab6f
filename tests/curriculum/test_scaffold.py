"""`coach new` writes skeletons that lint accepts as they are."""

from __future__ import annotations

import json
import tomllib

import pytest

from coach import paths
from coach.cli import main
from coach.curriculum import load_curriculum
from coach.curriculum.scaffold import ScaffoldError, new_exercise, new_lesson


def test_new_lesson_then_lint_is_clean(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "lesson", "demo", "--title", "Demo"]) == 0
    assert (paths.user_lessons_dir() / "demo.toml").is_file()
    assert main(["lint", str(paths.user_lessons_dir())]) == 0
    assert "1 lesson(s) clean." in capsys.readouterr().out


def test_new_exercise_appends_and_keeps_the_instructors_text() -> None:
    file = new_lesson("demo", "Demo", paths.user_lessons_dir())
    file.write_text("# my own comment\n" + file.read_text())
    lesson_file, starter = new_exercise("demo", "first-call", "First call")
    text = lesson_file.read_text()
    assert text.startswith("# my own comment\n")
    assert tomllib.loads(text)["exercises"][0]["id"] == "first-call"
    assert starter == paths.user_data_dir() / "exercises" / "first-call" / "starter.py"
    curriculum = load_curriculum([paths.user_lessons_dir()])
    assert curriculum.errors == []
    assert curriculum.exercise("first-call") is not None


def test_new_lesson_refuses_an_existing_id() -> None:
    new_lesson("demo", "Demo", paths.user_lessons_dir())
    with pytest.raises(ScaffoldError, match="already exists"):
        new_lesson("demo", "Demo again", paths.user_lessons_dir())


def test_new_lesson_refuses_a_bad_id(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "lesson", "Bad Id", "--title", "X"]) == 1
    assert "not a valid lesson id" in capsys.readouterr().err


def test_new_exercise_for_unknown_lesson_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["new", "exercise", "nope", "ex"]) == 1
    assert "no lesson with id 'nope'" in capsys.readouterr().err


def test_lint_exits_1_and_prints_located_errors(capsys: pytest.CaptureFixture[str]) -> None:
    folder = paths.user_lessons_dir()
    folder.mkdir(parents=True)
    (folder / "bad.toml").write_text('id = "bad"\ntitle = 3\n')
    assert main(["lint", str(folder)]) == 1
    out = capsys.readouterr().out
    assert "bad.toml:2: title: expected a string, got an integer" in out


def test_lint_of_a_missing_path_is_an_error_not_a_traceback(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lint", "/no/such/place"]) == 1
    assert "no such file or folder" in capsys.readouterr().err


def test_list_json_has_the_documented_shape(capsys: pytest.CaptureFixture[str]) -> None:
    new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first-call")
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    demo = next(lesson for lesson in data["lessons"] if lesson["id"] == "demo")
    assert set(demo) == {"id", "title", "file", "exercises"}
    assert demo["exercises"] == [{"id": "first-call", "title": "First call", "status": "new"}]


def test_list_names_a_broken_file_and_still_lists_the_rest(capsys: pytest.CaptureFixture[str]) -> None:
    new_lesson("demo", "Demo", paths.user_lessons_dir())
    (paths.user_lessons_dir() / "zz-broken.toml").write_text("id = [\n")
    assert main(["list"]) == 0
    captured = capsys.readouterr()
    assert "[demo]" in captured.out
    assert "not loaded: " in captured.err and "zz-broken.toml" in captured.err
