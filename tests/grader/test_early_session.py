"""`coach grade` spawns its warm pool before parsing the command line, and its session adopts that pool."""

import pytest

from coach.cli import main
from coach.grader import early_pool
from coach.grader import session as grading


class _FakePool:
    def __init__(self):
        self.closed = False
        self.waited = False

    def wait_ready(self):
        self.waited = True

    def close(self):
        self.closed = True


def test_the_early_pool_is_handed_out_once(monkeypatch):
    pool = _FakePool()
    monkeypatch.setattr(early_pool, "_pool", pool)
    assert early_pool.take() is pool
    assert early_pool.take() is None  # a second caller starts a pool of its own


def test_the_early_session_adopts_the_spawned_pool(monkeypatch):
    pool = _FakePool()
    monkeypatch.setattr(early_pool, "_pool", pool)
    monkeypatch.setattr("coach.sandbox.isolation.warm_level", lambda: "process")
    with grading.early_session() as session:
        assert session._get_pool() is pool and pool.waited
        assert session.warm
    assert pool.closed


def test_a_session_closed_before_its_pool_was_ready_closes_it(monkeypatch):
    pool = _FakePool()
    session = grading.GradingSession(starting=pool)
    session.close()
    assert pool.closed


def test_grade_help_starts_no_pool(monkeypatch, capsys):
    started = []
    monkeypatch.setattr(early_pool, "start_early", lambda: started.append(True))
    with pytest.raises(SystemExit):
        main(["grade", "--help"])
    assert started == [] and "EXERCISE_ID" in capsys.readouterr().out


def test_grade_starts_the_pool_before_it_parses(monkeypatch):
    started = []
    monkeypatch.setattr(early_pool, "start_early", lambda: started.append(True))
    with pytest.raises(SystemExit):
        main(["grade", "--no-such-flag"])  # argparse refuses it: the pool was started before
    assert started == [True]


def test_closing_a_session_does_not_wait_for_its_pool_to_start(monkeypatch):
    """A usage error (`coach grade no-such-id`) closes the session while the SDK is still importing."""
    import threading

    class _SlowPool(_FakePool):
        def __init__(self):
            super().__init__()
            self.unblocked = threading.Event()

        def wait_ready(self):
            self.unblocked.wait(30)  # a real pool's wait ends when its channel closes

        def close(self):
            super().close()
            self.unblocked.set()

    monkeypatch.setattr("coach.sandbox.isolation.warm_level", lambda: "process")
    pool = _SlowPool()
    session = grading.GradingSession(starting=pool)
    waiter = threading.Thread(target=session._get_pool)
    waiter.start()
    closer = threading.Thread(target=session.close)
    closer.start()
    closer.join(10)
    assert not closer.is_alive() and pool.closed  # it did not hold the lock while waiting for the pool
    waiter.join(10)
    assert not session.warm
