"""`coach grade` starts its warm pool before parsing the command line, and picks that session up."""

import pytest

from coach.cli import main
from coach.grader import session as grading


def test_the_early_session_is_handed_out_once(monkeypatch):
    monkeypatch.setattr(grading.GradingSession, "warm_up", lambda self: None)
    grading.start_early()
    first = grading.early_session()
    assert grading.early_session() is not first  # a second caller gets a session of its own


def test_grade_help_starts_no_pool(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(grading, "start_early", lambda: started.append(True))
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    assert started == [] and "EXERCISE_ID" in capsys.readouterr().out


def test_grade_starts_the_pool_before_it_parses(monkeypatch):
    started = []
    monkeypatch.setattr(grading, "start_early", lambda: started.append(True))
    with pytest.raises(SystemExit):
        main(["grade", "--no-such-flag"])  # argparse refuses it: the pool was started before
    assert started == [True]
