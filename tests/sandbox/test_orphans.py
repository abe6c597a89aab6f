"""A grader that dies mid-run takes its sandboxed runs with it: nothing is left waiting under init.

The run's supervisor and learner sit in their own session (and, at the namespace level, their own
PID namespace), so a grader's death does not signal them. They must notice the runner hanging up.
"""

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from coach.sandbox import isolation

GRADES_A_SLEEPER = textwrap.dedent("""
    import sys
    from pathlib import Path
    from coach.curriculum import load_curriculum
    from coach.grader.session import GradingSession

    program = Path(sys.argv[1])
    program.write_text("import time\\n\\n\\ndef main():\\n    print('started', flush=True)\\n    time.sleep(10**6)\\n")
    exercise = load_curriculum().exercise("retry-backoff")
    with GradingSession() as session:
        print("grading", flush=True)
        session.grade(exercise, program)
""")


def _descendants(pid: int) -> set[int]:
    found, todo = set(), [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = (task / "children").read_text().split()
            except OSError:
                continue
            for child in map(int, children):
                if child not in found:
                    found.add(child)
                    todo.append(child)
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.mark.skipif(not sys.platform.startswith("linux") or isolation.warm_level() is None,
                    reason="needs /proc and a warm pool")
def test_a_killed_grader_leaves_no_sandboxed_process_behind(tmp_path: Path) -> None:
    env = {**os.environ, "COACH_HOME": str(tmp_path / "home")}
    grader = subprocess.Popen([sys.executable, "-c", GRADES_A_SLEEPER, str(tmp_path / "sleeper.py")],
                              stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert grader.stdout is not None and grader.stdout.readline().strip() == "grading"
        deadline = time.monotonic() + 30
        seen: set[int] = set()
        while time.monotonic() < deadline:  # the fork server, its zygotes, the run's supervisor and learner
            seen |= _descendants(grader.pid)
            if len(seen) >= 3:
                time.sleep(0.5)
                seen |= _descendants(grader.pid)
                break
            time.sleep(0.05)
        assert seen, "the grader started no sandbox"
    finally:
        grader.send_signal(signal.SIGKILL)
        grader.wait()
    deadline = time.monotonic() + 20  # a liveness bound, not a measurement: an orphan would stay for ever
    while time.monotonic() < deadline and any(_alive(pid) for pid in seen):
        time.sleep(0.1)
    left = [pid for pid in seen if _alive(pid)]
    for pid in left:
        os.kill(pid, signal.SIGKILL)
    assert left == [], f"{len(left)} sandbox process(es) outlived their grader"
