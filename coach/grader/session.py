"""A grader that stays warm between runs: the app and `coach grade --watch` grade many times.

The first grade of a session pays for starting a fork server with `anthropic` imported;
every later one forks from it. `warm_up()` starts that server in the background as soon
as a learner opens an exercise, so usually not even the first run waits for it. If the
pool cannot start (an odd kernel, a broken install), grading falls back to cold starts:
slower, never broken.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from coach.curriculum.model import Exercise
from coach.grader.grade import DEFAULT_SEED, GradeError, GradeProgress, grade_exercise
from coach.grader.report import GradeReport

if TYPE_CHECKING:
    from coach.sandbox import WarmPool

log = logging.getLogger(__name__)


class GradingSession:
    """Grades exercises from one lazily started warm pool; thread-safe; `close()` when done."""

    def __init__(self, starting: WarmPool | None = None) -> None:
        self._lock = threading.Lock()
        self._pool: WarmPool | None = None
        self._starting = starting
        """A pool spawned before this session (`early_pool`), adopted once it is ready."""
        self._failed = False
        self._closed = False

    @property
    def warm(self) -> bool:
        """The fork server is up, so a run starts in milliseconds; until then it takes seconds."""
        return self._pool is not None

    def warm_up(self) -> None:
        """Start the warm pool on a background thread, if it is not started yet."""
        threading.Thread(target=self._warm_up, name="coach-grader-warm-up", daemon=True).start()

    def _warm_up(self) -> None:
        from coach.sandbox import syscalls

        # Each run's spec says whether seccomp loads here: its binding runs `ldconfig` twice on import,
        # which this pays while the pool's server is still importing the SDK, not when a run is asked for.
        syscalls.available()
        self._get_pool()

    def grade(
        self, exercise: Exercise, file: Path, *, on_progress: Callable[[GradeProgress], None] | None = None,
        seed: int | None = None,
    ) -> GradeReport:
        """Grade at the level `COACH_SANDBOX_ISOLATION` asks for (GradeError if it cannot start here)."""
        from coach.sandbox.isolation import IsolationUnavailable, warm_level

        try:
            warm = warm_level()
        except IsolationUnavailable as exc:
            raise GradeError(str(exc)) from None
        # bubblewrap cannot isolate a forked process: asked for, every run starts cold under it.
        # The pool is waited for only when the run's stub is up (a cold `coach grade` overlaps the two).
        pool = self._get_pool if warm is not None else None
        return grade_exercise(exercise, file, on_progress=on_progress, pool=pool,
                              seed=DEFAULT_SEED if seed is None else seed)

    def _get_pool(self) -> WarmPool | None:
        from coach.sandbox.isolation import IsolationUnavailable, warm_level

        try:
            if warm_level() is None:
                return None  # the setting asks for bubblewrap: cold starts only
        except IsolationUnavailable:
            return None  # grade() says why
        with self._lock:
            if self._pool is not None or self._failed or self._closed:
                return self._pool
            pool = self._starting
            if pool is None:
                from coach.grader import early_pool

                pool = self._starting = early_pool.spawn()
                if pool is None:  # grading still works cold
                    self._failed = True
                    return None
        # Waited for outside the lock, so `close()` (a usage error, the app quitting) never waits for the SDK import.
        try:
            pool.wait_ready()
        except Exception as exc:
            log.warning("warm start unavailable, grading cold: %s", exc)
            with self._lock:
                self._failed = True
                if self._starting is pool:
                    self._starting = None
            pool.close()
            return None
        with self._lock:
            if self._starting is pool:
                self._starting, self._pool = None, pool  # only once ready, so `warm` never says so early
            return self._pool

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pools = [self._pool, self._starting]
            self._pool = self._starting = None
        for pool in pools:
            if pool is not None:
                pool.close()

    def __enter__(self) -> GradingSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def early_session() -> GradingSession:
    """A session that adopts the pool `coach.cli` spawned first thing (`early_pool.start_early`), if any."""
    from coach.grader import early_pool

    return GradingSession(starting=early_pool.take())
