"""A cold `coach grade` overlaps the SDK import with everything else it does (docs/performance.md, stop 25)."""

import subprocess
import sys
import threading
from pathlib import Path

from coach.curriculum import load_curriculum
from coach.grader.grade import grade_exercise

ROOT = Path(__file__).resolve().parents[2]


def test_spawning_the_pool_imports_neither_the_runner_nor_asyncio():
    """`coach.cli` spawns the fork server from early_pool before the grader's own imports: keep that path light."""
    code = ("import sys; import coach.grader.early_pool, coach.sandbox.warm; "
            "heavy = [m for m in ('coach.sandbox.runner', 'coach.grader.grade', 'asyncio', 'aiohttp', 'anthropic') "
            "if m in sys.modules]; print(heavy)")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_the_sandbox_package_still_offers_its_names():
    import coach.sandbox as sandbox

    assert sandbox.WarmPool.__name__ == "WarmPool" and callable(sandbox.run_sandboxed)
    assert sandbox.SANDBOX_API_KEY.startswith("sk-ant-")


def test_the_pool_is_asked_for_only_once_the_stub_is_serving():
    exercise = load_curriculum().exercise("retired-model")
    asked_with_stub: list[bool] = []

    def pool():
        asked_with_stub.append(any(t.name == "coach-stub" and t.is_alive() for t in threading.enumerate()))
        return None  # no pool: the run starts cold

    report = grade_exercise(exercise, ROOT / "exercises" / "retired-model" / "reference.py", pool=pool)
    assert report.passed
    assert asked_with_stub == [True]
