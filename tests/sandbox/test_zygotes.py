"""A warm pool at the namespace level prepares harnesses ahead: unshared, mapped, PID 1 forked, waiting for a run."""

import os
import signal
import time
from pathlib import Path

import pytest

from coach.sandbox import SandboxRequest, WarmPool, run_sandboxed
from coach.sandbox.forkserver import ZYGOTES
from coach.sandbox.isolation import available

pytestmark = pytest.mark.skipif(not available("namespaces"), reason="this kernel does not let us unshare namespaces")


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _ready_zygotes(pool: WarmPool) -> set[int]:
    """The server's children once they are its zygotes alone (it forks them when idle, after its SDK warm-up; an
    earlier run's harness may still be ending)."""
    assert pool._process is not None
    give_up = time.monotonic() + 60
    while len(children := _children(pool._process.pid)) != ZYGOTES and time.monotonic() < give_up:
        time.sleep(0.05)
    return children


def _run(pool: WarmPool, stub, tmp_path: Path) -> str:  # type: ignore[no-untyped-def]
    program = tmp_path / "program.py"
    program.write_text("import os\nprint(os.getpid(), open('/proc/1/cmdline').read() != '')\n")
    result = run_sandboxed(SandboxRequest(file=program, clock=stub.server.clock, stub=stub, timeout_s=10), pool)
    assert result.exit_code == 0, result.stderr
    return result.stdout


def test_a_run_is_handed_to_a_harness_forked_before_it_was_asked_for(pools, stub, tmp_path):
    pool = pools["namespaces"]
    pool.wait_ready()
    before = _ready_zygotes(pool)
    assert len(before) == ZYGOTES
    assert _run(pool, stub, tmp_path).split()[0] == "2"  # PID 1 is the supervisor, the learner its first child
    assert pool._process is not None
    give_up = time.monotonic() + 10
    while before <= _children(pool._process.pid) and time.monotonic() < give_up:
        time.sleep(0.01)  # the run ends on the supervisor's word; the harness's own end follows
    assert len(before - _children(pool._process.pid)) == 1  # one of them ran it and is gone


def test_zygotes_killed_while_waiting_are_replaced_and_runs_go_on(pools, stub, tmp_path):
    pool = pools["namespaces"]
    pool.wait_ready()
    killed = _ready_zygotes(pool)
    for pid in killed:
        os.kill(pid, signal.SIGKILL)
    assert pool._process is not None
    give_up = time.monotonic() + 10
    while killed & _children(pool._process.pid) and time.monotonic() < give_up:
        time.sleep(0.01)  # reaped by the server (a run asked for at the very moment one dies would die with it)
    assert _run(pool, stub, tmp_path).split()[0] == "2"
