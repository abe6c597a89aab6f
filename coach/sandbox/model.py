"""The data that crosses the sandbox boundary: what to run, with which limits, and what came back.

Plain dataclasses so the grader, the TUI and `coach run` can build requests and read results
without knowing how a run is isolated.
"""

from __future__ import annotations

import socket
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, runtime_checkable

if TYPE_CHECKING:
    from coach.scenario_time import VirtualClock


SANDBOX_API_KEY = "sk-ant-sandbox-0000"
"""The only key learner code ever sees: the stub accepts it, the real API never would."""


@runtime_checkable
class StubEndpoint(Protocol):
    """What the sandbox needs from the Messages API stub.

    `base_url` serves the process-level sandbox (the stub on the host's loopback). With
    namespaces the sandbox has its own loopback, so a trusted bootstrap inside binds a
    listening socket there and hands it out; `adopt_socket` makes the stub serve it.
    """

    base_url: str

    def adopt_socket(self, sock: socket.socket) -> None: ...


@dataclass(frozen=True)
class Limits:
    """Per-run resource limits; the defaults fit an exercise that makes a few API calls."""

    cpu_s: int = 10
    memory_mb: int = 1024
    """Address space (RLIMIT_AS). Importing anthropic maps about 300 MB of it."""
    processes: int = 32
    """Processes and threads the learner code may add (RLIMIT_NPROC)."""
    file_size_mb: int = 16
    open_files: int = 128
    output_bytes: int = 1 << 20
    """Cap on each of stdout and stderr; the run is stopped when either overflows."""
    tmp_mb: int = 64
    """Size of the private /tmp (namespace levels)."""
    disk_mb: int = 64
    """Space the work dir may take on the host's disk, all files together; checked while it runs."""
    work_files: int = 2000
    """Files and folders the work dir may hold (many tiny files cost the disk too)."""


@dataclass
class SandboxRequest:
    file: Path
    """The learner's code."""
    clock: VirtualClock
    """The grade's scenario time; the stub serving `stub` must run on its loop."""
    stub: StubEndpoint
    entry: str | None = None
    """None: run `file` as `__main__`. A name: import `file` and call that function (sync or async)."""
    timeout_s: float = 10.0
    """Wall seconds before the whole process tree is killed."""
    limits: Limits = field(default_factory=Limits)
    env: dict[str, str] = field(default_factory=dict)
    """Extra variables for the learner's environment (the rest is an allow-list)."""
    args: list[str] = field(default_factory=list)
    """`sys.argv[1:]` for the learner's program."""
    seed: int = 0
    """Seeds the program's randomness (`random`, `os.urandom`): the same seed replays the same run."""


@dataclass
class SandboxResult:
    exit_code: int
    stdout: str
    stderr: str
    timed_out: bool
    limit_hit: str | None
    """"cpu", "memory", "processes", "file_size", "open_files", "output", "disk", "wall", "deadlock"
    (every thread waited with nothing left to wake it) or "scenario_time" (the run's scenario-time limit)."""
    isolation: str
    """Short human label of the isolation level the run actually got."""
    wall_s: float
    scenario_s: float
    return_value: Any = None
    return_error: str | None = None
    log_records: list[dict[str, Any]] = field(default_factory=list)
    seed: int = 0
    """The seed the program's randomness ran with."""
    outcome: str | None = "returned"
    """How the entry point ended, as the harness reported it and the supervisor accepted it (one report,
    then the harness's SIGKILL): "returned", "raised", "exited" (SystemExit), or None when no report
    came or it was refused (the program ended before `main()` did: `os._exit`, a signal, a kill).
    Never read from a file the program can write."""
    outcome_refused: str | None = None
    """Why the supervisor refused a report of the outcome that did come (`coach.sandbox.witness`): say, a
    report the program wrote itself before ending some other way than the harness ends it. `outcome` is
    then None."""
    fd_waiters: tuple[tuple[float, int], ...] | None = None
    """Each moment scenario time moved on with two or more requests open, in journal seconds, with how many
    of the program's threads were then blocked on sockets or fd sets (`coach.scenario_time.observer`): one
    for an event loop, one per request for a synchronous client in threads. None when the kernel would not say."""
