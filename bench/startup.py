"""Time from `coach` starting to the first painted home screen, in a real pseudo-terminal.

Each run is a fresh interpreter on a pty (80x24) that enters through the CLI exactly as
`coach` does (`coach.cli.main([])`, which builds the app with `coach.tui.app.build_app`).
The child reports, on a pipe, the moment the home screen has been painted once
(`call_after_refresh` from its mount) and which heavy modules were loaded by then,
then exits. Prints per-run figures and the median.

    .venv/bin/python bench/startup.py [--runs 15]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pty
import select
import statistics
import subprocess
import sys
import tempfile
import time

HEAVY = ("anthropic", "aiohttp", "httpx", "jinja2", "coach.grader.grade", "coach.stub.server", "coach.tutor.session")

CHILD = r"""
import os, sys, time
from coach.tui.screens.home import HomeScreen

out = int(sys.argv[1])
heavy = sys.argv[2].split(",")
original = HomeScreen.on_mount

def on_mount(self):
    original(self)
    def painted():
        loaded = [name for name in heavy if name in sys.modules]
        os.write(out, (f"{time.time()} " + ",".join(loaded) + "\n").encode())
        self.app.exit()
    self.call_after_refresh(painted)

HomeScreen.on_mount = on_mount
from coach.cli import main
main([])
"""


def one_run(home: str) -> tuple[float, list[str]]:
    read_fd, write_fd = os.pipe()
    primary, secondary = pty.openpty()
    os.set_blocking(primary, False)
    env = {**os.environ, "COACH_HOME": home, "COLUMNS": "80", "LINES": "24", "TERM": "xterm-256color"}
    started = time.time()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(write_fd), ",".join(HEAVY)],
        stdin=secondary, stdout=secondary, stderr=secondary, pass_fds=(write_fd,), env=env,
    )
    os.close(write_fd)
    os.close(secondary)
    line = b""
    deadline = started + 20
    while not line.endswith(b"\n") and time.time() < deadline:
        ready, _, _ = select.select([read_fd, primary], [], [], 0.5)
        if primary in ready:
            with contextlib.suppress(OSError):
                os.read(primary, 65536)  # drain the screen so the child never blocks on output
        if read_fd in ready:
            chunk = os.read(read_fd, 4096)
            if not chunk:
                break
            line += chunk
    while child.poll() is None and time.time() < deadline:
        try:
            select.select([primary], [], [], 0.1)
            os.read(primary, 65536)
        except OSError:
            break
    child.wait(timeout=10)
    os.close(read_fd)
    os.close(primary)
    if not line:
        raise SystemExit("the app never reported a painted home screen")
    stamp, _, loaded = line.decode().strip().partition(" ")
    return float(stamp) - started, [name for name in loaded.split(",") if name]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    args = parser.parse_args()
    times = []
    with tempfile.TemporaryDirectory() as home:
        one_run(home)  # warm the file cache and bytecode once; not counted
        for _ in range(args.runs):
            seconds, loaded = one_run(home)
            times.append(seconds)
    print("runs (ms):", ", ".join(f"{t * 1000:.0f}" for t in times))
    print(f"median {statistics.median(times) * 1000:.0f} ms, min {min(times) * 1000:.0f} ms, "
          f"max {max(times) * 1000:.0f} ms over {len(times)} runs")
    print("heavy modules loaded by first paint:", ", ".join(loaded) or "none")


if __name__ == "__main__":
    main()
