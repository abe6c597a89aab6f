"""How long grading takes, per exercise, graded on its reference solution.

Cold: a fresh `coach grade ID FILE --json` process each time, timed from process start to
exit (interpreter, imports, stub, sandbox start with the SDK import, the run, the checklist),
alternated with a bare `python -c "import anthropic"`; the ratio of their medians is the target.
Warm: one `GradingSession` in this process, as the app and `coach grade --watch` use it;
one grade to warm it up, then the median of the rest. A last row grades a one-request
exercise (the test course's `first-call`, scenario `healthy`) warm, for the 300 ms target.

    .venv/bin/python bench/grade_time.py [--cold 5] [--warm 15] [--realtime] [EXERCISE_ID ...]

`--realtime` (root only) runs the bench and everything it starts at SCHED_FIFO priority, so that on
a machine shared with other work the figures are those of a quiet machine: the other work waits.
The warm CPU column is load-proof either way: the grader's own CPU plus its programs', per grade.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ONE_REQUEST_COURSE = ROOT / "tests" / "tui" / "course" / "lessons"
ONE_REQUEST = '''import anthropic


def main() -> str:
    message = anthropic.Anthropic().messages.create(
        model="claude-sonnet-5-5", max_tokens=64, messages=[{"role": "user", "content": "Hi"}])
    return "".join(b.text for b in message.content if b.type == "text")
'''


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("exercises", nargs="*", help="exercise ids (default: every exercise with a reference)")
    parser.add_argument("--cold", type=int, default=5, help="cold runs per exercise (default 5)")
    parser.add_argument("--warm", type=int, default=15, help="warm runs per exercise (default 15)")
    parser.add_argument("--realtime", action="store_true",
                        help="run at SCHED_FIFO priority (root): a shared machine's other work waits")
    args = parser.parse_args()
    if args.realtime:
        os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(10))

    os.environ["COACH_HOME"] = tempfile.mkdtemp(prefix="coach-bench-")
    from coach.curriculum import load_curriculum
    from coach.grader.session import GradingSession
    from coach.reference import reference_file

    curriculum = load_curriculum()
    exercises = [e for lesson in curriculum.lessons for e in lesson.exercises
                 if reference_file(e).is_file() and (not args.exercises or e.id in args.exercises)]
    if not exercises:
        print("no exercise with a reference solution (exercises/<id>/reference.py)", file=sys.stderr)
        return 1
    print(f"load average {os.getloadavg()[0]:.1f}; {args.cold} cold and {args.warm} warm runs each"
          f"{' at SCHED_FIFO priority' if args.realtime else ''}\n")
    print(f"{'exercise':<20} {'requests':>8} {'cold median s':>14} {'cold max s':>11} {'import median s':>15} "
          f"{'cold/import':>11} {'warm median ms':>15} {'warm cpu ms':>12}")
    with GradingSession() as session:
        for exercise in exercises:
            reference = reference_file(exercise)
            cold = []
            requests = 0
            bare = []
            for _ in range(args.cold):
                # The bare SDK import, alternated with each cold grade: the target is a ratio of the two.
                started = time.perf_counter()
                subprocess.run([sys.executable, "-c", "import anthropic"], check=True)
                bare.append(time.perf_counter() - started)
                started = time.perf_counter()
                done = subprocess.run([sys.executable, "-m", "coach", "grade", exercise.id, str(reference), "--json"],
                                      capture_output=True, text=True)
                cold.append(time.perf_counter() - started)
                if done.returncode != 0:
                    print(f"{exercise.id}: the reference did not pass:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
                    return 1
                requests = len(json.loads(done.stdout)["timeline"])
            warm, cpu, report = _warm_grades(session, exercise, reference, args.warm)
            if not report.passed:
                print(f"{exercise.id}: the reference did not pass warm")
                return 1
            cold_median = f"{statistics.median(cold):.2f}" if cold else "-"
            cold_max = f"{max(cold):.2f}" if cold else "-"
            bare_median = f"{statistics.median(bare):.2f}" if bare else "-"
            ratio = f"{statistics.median(cold) / statistics.median(bare):.2f}x" if cold else "-"
            warm_median = f"{statistics.median(warm) * 1000:.0f}" if warm else "-"
            print(f"{exercise.id:<20} {requests or len(report.timeline):>8} {cold_median:>14} {cold_max:>11} "
                  f"{bare_median:>15} {ratio:>11} {warm_median:>15} {cpu * 1000:>12.0f}")
        one = load_curriculum([ONE_REQUEST_COURSE]).exercise("first-call")
        if one is not None and not args.exercises and args.warm:
            file = Path(tempfile.mkdtemp(prefix="coach-bench-")) / "one_request.py"
            file.write_text(ONE_REQUEST, encoding="utf-8")
            warm, cpu, report = _warm_grades(session, one, file, args.warm)
            if not report.passed:
                print("the one-request exercise did not pass warm")
                return 1
            print(f"{'one request (warm)':<20} {len(report.timeline):>8} {'':>14} {'':>11} {'':>15} {'':>11} "
                  f"{statistics.median(warm) * 1000:>15.0f} {cpu * 1000:>12.0f}")
    return 0


def _warm_grades(session, exercise, file: Path, runs: int):  # type: ignore[no-untyped-def]
    """One grade to warm up, then `runs` timed ones: (wall seconds each, CPU seconds per grade, last report)."""
    report = session.grade(exercise, file)
    cpu_before = _cpu_seconds()
    warm = []
    for _ in range(runs):
        started = time.perf_counter()
        report = session.grade(exercise, file)
        warm.append(time.perf_counter() - started)
    return warm, (_cpu_seconds() - cpu_before) / max(1, runs), report


def _cpu_seconds() -> float:
    """This process's CPU, plus what its children (the warm pool's server) reaped from the runs they forked."""
    tick = os.sysconf("SC_CLK_TCK")
    own = time.process_time()
    reaped = 0.0
    for task in Path(f"/proc/{os.getpid()}/task").iterdir():
        try:
            children = (task / "children").read_text().split()
        except OSError:
            continue
        for child in children:
            try:
                fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            reaped += sum(int(value) for value in fields[11:15]) / tick  # utime stime cutime cstime
    return own + reaped


if __name__ == "__main__":
    sys.exit(main())
