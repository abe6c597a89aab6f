"""How long until learner code runs: from a warm pool, and cold against a bare SDK import.

Warm: `run_sandboxed` with a `WarmPool` (fork, isolate, patch the clock, import the learner's
file); the program's first statement reads the host's CLOCK_TAI, which the virtual scenario
clock leaves alone (it replaces the realtime, monotonic, raw and boot-time clocks), so "start"
is measured to the learner's first line, not to the run's end.
Cold: the same with no pool, at each level this machine has; the harness imports `anthropic`
before learner code starts, so the baseline is a fresh `python -c "import anthropic"`.

    .venv/bin/python bench/sandbox_start.py [--warm 40] [--cold 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROGRAM = "import time\nprint(time.clock_gettime(time.CLOCK_TAI))\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--warm", type=int, default=40, help="warm runs (default 40)")
    parser.add_argument("--cold", type=int, default=7, help="cold runs per level, and bare imports (default 7)")
    args = parser.parse_args()

    from coach.sandbox import SandboxRequest, WarmPool, run_sandboxed
    from coach.sandbox.isolation import FORCE_VAR, available
    from coach.scenario_time import VirtualClock
    from coach.stub.runner import StubThread
    from coach.stub.scenario import load_scenario

    folder = Path(tempfile.mkdtemp(prefix="coach-bench-"))
    program = folder / "start.py"
    program.write_text(PROGRAM)

    def to_learner_code(stub: StubThread, pool: WarmPool | None) -> float:
        started = time.clock_gettime(time.CLOCK_TAI)
        result = run_sandboxed(SandboxRequest(file=program, clock=stub.server.clock, stub=stub, timeout_s=30), pool)
        if result.exit_code != 0:
            raise SystemExit(f"the probe failed ({result.isolation}): {result.stderr[-500:]}")
        return float(result.stdout.strip()) - started

    print(f"load average {os.getloadavg()[0]:.1f}")
    with StubThread(load_scenario("healthy"), VirtualClock()) as stub:
        for warm_level in [name for name in ("namespaces", "process") if available(name)]:
            with WarmPool(warm_level) as pool:
                pool.wait_ready()
                to_learner_code(stub, pool)  # the first fork pays page faults the rest do not
                warm = sorted(to_learner_code(stub, pool) for _ in range(args.warm))
                print(f"warm ({pool.level.label}): median {statistics.median(warm) * 1000:.1f} ms, "
                      f"p90 {warm[int(len(warm) * 0.9)] * 1000:.1f} ms over {len(warm)} runs")

        bare = []
        for _ in range(args.cold):
            started = time.perf_counter()
            subprocess.run([sys.executable, "-c", "import anthropic"], check=True)
            bare.append(time.perf_counter() - started)
        baseline = statistics.median(bare)
        print(f"bare `python -c 'import anthropic'`: median {baseline:.2f} s over {len(bare)} runs")
        for level in ("bwrap", "namespaces", "process"):
            if not available(level):
                print(f"cold ({level}): not available here")
                continue
            os.environ[FORCE_VAR] = level
            cold = [to_learner_code(stub, None) for _ in range(args.cold)]
            print(f"cold ({level}): median {statistics.median(cold):.2f} s to learner code, "
                  f"{statistics.median(cold) / baseline:.2f}x the bare import")
        os.environ.pop(FORCE_VAR, None)
    return 0


if __name__ == "__main__":
    sys.exit(main())
