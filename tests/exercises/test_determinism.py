"""The same file gets the same verdict, evidence and journal on every run, on a quiet or a loaded machine.

Scenario time is virtual (docs/sandbox.md), so CPU contention changes only how long a grade takes
in wall time, never what the stub or the checks see. CI grades a bounded sample; the full battery
(every solution of the four exercises most sensitive to timing, nightly-batch for its polls on the
scenario clock) runs with `COACH_FULL_BATTERY=1`.
"""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from .conftest import SOLUTIONS, Grade, reference

EXERCISES = ("batch-pipeline", "retry-backoff", "async-enrichment", "nightly-batch")
RUNS_QUIET = RUNS_LOADED = 3
FULL = os.environ.get("COACH_FULL_BATTERY") == "1"
"""`COACH_FULL_BATTERY=1 pytest -m battery` grades every solution; CI grades the reference and one wrong one each."""


def _solutions() -> list[tuple[str, Path]]:
    chosen = []
    for exercise_id in EXERCISES:
        files = [*sorted((SOLUTIONS / exercise_id).glob("*.py")), reference(exercise_id)]
        references = [reference(exercise_id)]
        wrong = [f for f in files if f.stem.startswith("wrong_")]
        chosen += [(exercise_id, f) for f in (files if FULL else references + wrong[:1])]
    return chosen


@contextmanager
def busy_loops(count: int, seconds: float = 120.0) -> Iterator[None]:
    """`count` processes spinning on the CPUs, each ending by itself after `seconds` at most."""
    spin = f"import time\nend = time.monotonic() + {seconds}\nwhile time.monotonic() < end: pass\n"
    hogs = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(count)]
    try:
        yield
    finally:
        for hog in hogs:
            hog.kill()
            hog.wait()


@pytest.mark.battery
@pytest.mark.parametrize(("exercise_id", "file"), _solutions(), ids=lambda v: v if isinstance(v, str) else v.stem)
def test_grading_is_identical_on_a_quiet_and_a_loaded_machine(grade: Grade, exercise_id: str, file: Path) -> None:
    quiet = [grade(exercise_id, file).replay_key() for _ in range(RUNS_QUIET)]
    with busy_loops(3):
        loaded = [grade(exercise_id, file).replay_key() for _ in range(RUNS_LOADED)]
    # Threads sending at the same scenario instant reach the stub in whatever order the OS runs them:
    # the same requests at the same times, numbered differently.
    threaded = any(word in file.read_text() for word in ("to_thread", "Thread", "threading"))
    first = quiet[0]
    for n, key in enumerate(quiet + loaded, start=1):
        assert key["items"] == first["items"], f"run {n}: verdicts or evidence changed"
        assert key["requests"] == first["requests"], f"run {n}: request count changed"
        if threaded:
            assert sorted(key["journal"]) == sorted(first["journal"]), f"run {n}: journal times or statuses changed"
        else:
            assert key["journal"] == first["journal"], f"run {n}: journal times or statuses changed"
        assert key["scenario_s"] == first["scenario_s"], f"run {n}: scenario time changed"
