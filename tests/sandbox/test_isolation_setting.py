"""One isolation setting, `COACH_SANDBOX_ISOLATION`, honoured by `coach run`, `coach grade` and the app's grader."""

from collections.abc import Iterator

import pytest

from coach.cli import main
from coach.curriculum import load_curriculum
from coach.grader.grade import GradeError
from coach.grader.session import GradingSession
from coach.sandbox import isolation


@pytest.fixture
def without_bwrap(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """A machine where bubblewrap is not installed, whatever this one has."""
    monkeypatch.setattr(isolation.shutil, "which", lambda name, *a, **k: None)
    isolation.available.cache_clear()
    yield
    isolation.available.cache_clear()


def test_coach_run_names_a_missing_bubblewrap_instead_of_a_traceback(without_bwrap, monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(isolation.FORCE_VAR, "bwrap")
    program = tmp_path / "hello.py"
    program.write_text("print('hi')\n")
    assert main(["run", str(program)]) == 2
    err = capsys.readouterr().err
    assert "bubblewrap (bwrap) is not installed" in err
    assert "Traceback" not in err


def test_an_unknown_level_is_named_with_the_choices(monkeypatch, tmp_path, capsys):
    monkeypatch.setenv(isolation.FORCE_VAR, "chroot")
    program = tmp_path / "hello.py"
    program.write_text("print('hi')\n")
    assert main(["run", str(program)]) == 2
    assert "must be one of bwrap, namespaces, process, not 'chroot'" in capsys.readouterr().err


def test_grading_a_missing_level_is_a_grade_error_with_the_reason(without_bwrap, monkeypatch, tmp_path):
    monkeypatch.setenv(isolation.FORCE_VAR, "bwrap")
    exercise = load_curriculum().exercise("retry-backoff")
    assert exercise is not None
    program = tmp_path / "solution.py"
    program.write_text("def main():\n    return None\n")
    with GradingSession() as session, pytest.raises(GradeError, match="bubblewrap"):
        session.grade(exercise, program)


def test_grading_session_runs_at_the_level_the_setting_asks_for(monkeypatch, tmp_path):
    monkeypatch.setenv(isolation.FORCE_VAR, "process")
    exercise = load_curriculum().exercise("retry-backoff")
    assert exercise is not None
    program = tmp_path / "solution.py"
    program.write_text("def main():\n    return None\n")
    with GradingSession() as session:
        report = session.grade(exercise, program)
    assert report.isolation.startswith("process")
    assert "no namespaces" in report.isolation


def test_the_process_level_says_on_its_label_that_it_has_no_namespaces():
    assert "no namespaces" in isolation.process_level().label
