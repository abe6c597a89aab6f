"""`coach lint` flags model drift: old ids in lesson code and starters warn, unknown ids are errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach import catalogue, paths
from coach.cli import main
from coach.curriculum.drift import scan_lines
from coach.curriculum.scaffold import new_exercise, new_lesson

TABLE = catalogue.load(catalogue.BUNDLED_CATALOGUE)
LESSON = Path("lessons/demo.toml")


def scan(text: str, all_code: bool = False):
    return scan_lines(LESSON, text.splitlines(), all_code=all_code, table=TABLE)


def code(model: str) -> str:
    return f'body = """\nSome prose.\n\n```python\nclient.messages.create(model="{model}")\n```\n"""\n'


def test_a_deprecated_id_in_lesson_code_warns_naming_its_end_of_life_date():
    [finding] = scan(code("claude-opus-4-5"))
    assert (finding.severity, finding.line) == ("warning", 5)
    assert str(finding) == ("lessons/demo.toml:5: warning: model 'claude-opus-4-5' is deprecated, "
                            "retires 2027-01-22; use claude-opus-5-5")


def test_a_retired_id_warns_naming_the_day_it_retired():
    [finding] = scan(code("claude-sonnet-4-5-20250929"))
    assert "is retired on 2026-11-30; use claude-sonnet-5-5" in finding.message


def test_a_legacy_id_warns_naming_its_status():
    [finding] = scan(code("claude-haiku-4-5"))
    assert "'claude-haiku-4-5' is legacy; use claude-haiku-5-5" in finding.message


def test_a_current_id_is_clean():
    assert scan(code("claude-sonnet-5-5")) == []


def test_an_unknown_model_id_is_an_error_in_code_and_in_prose():
    assert [f.severity for f in scan(code("claude-sonnet-4-7"))] == ["error"]
    [finding] = scan('body = "Try claude-opus-9-9 next year."\n')
    assert finding.severity == "error" and "unknown model 'claude-opus-9-9'" in finding.message


def test_older_ids_in_prose_about_the_lifecycle_are_not_flagged():
    assert scan('body = "claude-opus-4-5 retires on 2027-01-22; migrate to a current model."\n') == []


def test_words_that_only_look_like_ids_are_left_alone_in_prose():
    assert scan('body = "a claude-powered app, see claude-code"\n') == []


def test_every_line_of_a_starter_is_code():
    [finding] = scan('MODEL = "claude-opus-4-5"\n', all_code=True)
    assert finding.severity == "warning"


@pytest.fixture
def lesson_with(capsys):
    def write(model: str) -> tuple[int, str]:
        file = new_lesson("demo", "Demo", paths.user_lessons_dir())
        text = file.read_text(encoding="utf-8")
        file.write_text(text.replace('body = """', 'body = """\n```python\nMODEL = "' + model + '"\n```\n', 1),
                        encoding="utf-8")
        status = main(["lint", str(paths.user_lessons_dir())])
        return status, capsys.readouterr().out
    return write


def test_lint_of_a_lesson_using_claude_opus_4_5_warns_with_its_end_of_life_date_and_passes(lesson_with):
    status, out = lesson_with("claude-opus-4-5")
    assert status == 0, out
    assert "demo.toml:" in out and "warning: model 'claude-opus-4-5' is deprecated, retires 2027-01-22" in out


def test_lint_of_a_lesson_using_an_unknown_model_fails(lesson_with):
    status, out = lesson_with("claude-sonnet-4-7")
    assert status == 1
    assert "error: unknown model 'claude-sonnet-4-7'" in out


def test_a_new_exercise_starter_names_a_current_model(capsys):
    new_lesson("demo", "Demo", paths.user_lessons_dir())
    _, starter = new_exercise("demo", "first-call", "First call")
    assert main(["lint", str(paths.user_lessons_dir())]) == 0
    assert "warning" not in capsys.readouterr().out
    assert f'"{catalogue.current("sonnet")[0].id}"' in starter.read_text(encoding="utf-8")


def test_a_line_marked_as_naming_an_old_model_on_purpose_is_not_flagged():
    assert scan('MODEL = "claude-sonnet-4-5"  # coach-lint: old model on purpose\n', all_code=True) == []


def test_the_marker_does_not_excuse_an_unknown_id():
    [finding] = scan('MODEL = "claude-sonnet-4-7"  # coach-lint: old model on purpose\n', all_code=True)
    assert finding.severity == "error"


def test_a_broken_catalogue_in_the_user_folder_is_named_with_its_line_not_a_traceback(capsys):
    override = paths.user_data_dir() / "models.toml"
    override.parent.mkdir(parents=True, exist_ok=True)
    override.write_text('as_of = "2026-12-03"\n[models.claude-x]\nname = "X"\nfamily = "opus"\nstatus = "sideways"\n',
                        encoding="utf-8")
    new_lesson("demo", "Demo", paths.user_lessons_dir())
    assert main(["lint", str(paths.user_lessons_dir())]) == 2
    err = capsys.readouterr().err
    assert "models.toml:5: models.claude-x.status:" in err and "Traceback" not in err
