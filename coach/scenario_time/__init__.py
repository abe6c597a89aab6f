"""Virtual scenario time: one clock for the stub and the sandboxed program, moved only when both wait.

`VirtualClock` lives in the grader. It owns the time (a sealed memory page the sandbox may only
read), runs the stub's timed waits, and jumps to the earliest deadline once every thread of the
program is blocked and the stub has nothing left to do. `coach.sandbox.clockpatch` is the
program's side. docs/sandbox.md ("Scenario time") explains the model and its limits.
"""

from coach.scenario_time.clock import EPOCH, ClockSession, VirtualClock, VirtualTimeUnavailable

__all__ = ["EPOCH", "ClockSession", "VirtualClock", "VirtualTimeUnavailable"]
