"""A grading session says it is warm only once its fork server is ready (the app's run status reads it)."""

import threading

import coach.sandbox
from coach.grader.session import GradingSession


class SlowPool:
    """A warm pool whose start takes as long as the test says."""

    entered = threading.Event()
    release = threading.Event()

    def __init__(self, level: str | None = None) -> None:
        pass

    def wait_ready(self) -> None:
        self.entered.set()
        self.release.wait(30)

    def close(self) -> None:
        pass


def test_a_session_is_not_warm_while_its_pool_is_still_starting(monkeypatch):
    monkeypatch.setattr(coach.sandbox, "WarmPool", SlowPool)
    monkeypatch.setattr("coach.sandbox.isolation.warm_level", lambda: "process")
    session = GradingSession()
    starting = threading.Thread(target=session._get_pool)
    starting.start()
    try:
        assert SlowPool.entered.wait(30)
        assert not session.warm
    finally:
        SlowPool.release.set()
        starting.join(30)
    assert session.warm
