"""The trusted side of the sandbox that runs inside it, before and around learner code.

Started as `python -I -m coach.sandbox` (cold) or called after a fork by the warm
pool. It applies the isolation level, then splits into a supervisor (PID 1 of the new PID
namespace, or a child subreaper at process level) that reaps every descendant, and the
learner process, which gets its limits, environment and clock and then runs the code.
The spec arrives in the environment variable `COACH_SANDBOX_SPEC` and is removed before
learner code runs; it holds no secret.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
from collections.abc import Callable
from pathlib import Path
from typing import Any

SPEC_VAR = "COACH_SANDBOX_SPEC"
SANDBOX_UID = 1000
NOBODY_UID = 65534


def main() -> None:
    spec = json.loads(os.environ.pop(SPEC_VAR))
    launch(spec)


def launch(spec: dict[str, Any]) -> None:
    """Never returns: the process ends with the learner's exit status (128+N for signal N)."""
    with contextlib.suppress(ImportError):
        import anthropic  # noqa: F401  (paid once here, or once in the warm pool, not by learner code)
    # Everything the learner process needs, imported before anything hides coach's folders.
    from coach.sandbox import audit, clockpatch, landlock, learner, namespaces, syscalls  # noqa: F401

    # Their bindings find libc and libseccomp with ctypes.util.find_library, which runs `ldconfig`:
    # done now, while programs may still start, not after Landlock refuses them.
    landlock.abi()
    syscalls.available()
    level = spec["level"]
    if level == "namespaces":
        from coach.sandbox import namespaces

        namespaces.enter(spec)  # returns in PID 1 of the new namespaces
    elif level == "bwrap":
        from coach.sandbox import namespaces

        namespaces.hand_off_stub_socket(spec)
    _supervise(spec)


def _supervise(spec: dict[str, Any]) -> None:
    from coach.sandbox import namespaces

    namespaces.become_subreaper()
    pid = os.fork()
    if pid != 0:
        os.close(spec["control_fd"])
        for fd in [*_clock_fds(spec), spec["outcome_fd"]]:
            os.close(fd)  # the learner process keeps the clock and outcome channels; the supervisor needs none
        if isinstance(spec.get("log_fd"), int):
            os.close(spec["log_fd"])  # nor the log channel: only the learner's records go on it
    if pid == 0:
        try:
            _become_learner(spec)
        finally:
            os._exit(70)
    signal.signal(signal.SIGUSR1, lambda *_: None)  # the runner's "stop now": interrupt the wait below
    status = _wait_for(pid)
    namespaces.kill_descendants()
    os._exit(status)


def _wait_for(pid: int) -> int:
    while True:
        try:
            _, status = os.waitpid(pid, 0)
        except InterruptedError:
            continue
        except ChildProcessError:
            return 70
        except OSError:
            return 70
        if status == -1:
            continue
        if os.WIFSIGNALED(status):
            return 128 + os.WTERMSIG(status)
        return os.WEXITSTATUS(status)


def _clock_fds(spec: dict[str, Any]) -> list[int]:
    clock = spec.get("clock") or {}
    return [clock[name] for name in ("page_fd", "channel_fd") if isinstance(clock.get(name), int)]


def _become_learner(spec: dict[str, Any]) -> None:
    from coach.sandbox import audit, clockpatch, landlock, namespaces, syscalls
    from coach.sandbox.learner import run_learner

    signal.signal(signal.SIGUSR1, signal.SIG_DFL)
    workdir = Path(spec["workdir"])
    os.chdir(workdir)
    level = spec["level"]
    python_roots = landlock.python_read_roots()
    keep_caps = 0
    if level == "process" and os.geteuid() == 0:
        # nobody may need to search root's 0700 home to reach the interpreter; Landlock, where the
        # kernel has it, then limits every read to its folders whatever the capability allows.
        needs = _hidden_from_others(python_roots)
        keep_caps = namespaces.root_to_nobody(NOBODY_UID) if needs else _root_to_nobody_without_caps()
    namespaces.drop_privileges(keep_caps)
    _apply_limits(spec["limits"], level)
    env = dict(spec["env"])
    os.environ.clear()
    os.environ.update(env)
    writable = [str(workdir), spec["tmpdir"], *(["/dev/shm"] if level != "process" else [])]
    landlock.apply([p for p in writable if os.path.isdir(p)], python_roots, _port_of(env["ANTHROPIC_BASE_URL"]),
                   list(spec.get("coach_dirs", [])),
                   ["/proc/self"] if level == "process" else ["/proc", "/dev"])
    if spec.get("seccomp"):  # the runner saw libseccomp load: not loading it here is an error, not a quiet gap
        syscalls.apply(netlink=level != "process")
    clock = spec["clock"]
    clockpatch.install(clock["page_fd"], clock["channel_fd"], float(clock["epoch"]), int(clock["seed"]))
    if level == "process":
        host, port = spec["stub_address"]
        audit.install([str(workdir), spec["tmpdir"]], (host, int(port)), spec["hidden"], spec["keep"])
    report = _outcome_reporter(spec["outcome_fd"])
    _forget_coach_modules()
    _announce_start(spec["control_fd"])
    log_fd = spec.get("log_fd") if isinstance(spec.get("log_fd"), int) else None
    code = run_learner(Path(spec["file"]), spec["entry"], workdir, list(spec.get("argv", [])), report, log_fd)
    os._exit(code)


def _forget_coach_modules() -> None:
    """coach's modules leave `sys.modules`: learner code finds no grader to import or patch by name.

    The harness's own functions keep their modules alive; a fresh `import coach` fails, since
    Landlock leaves coach's folders unreadable.
    """
    import sys

    for name in [n for n in sys.modules if n == "coach" or n.startswith("coach.")]:
        del sys.modules[name]


def _port_of(base_url: str) -> int:
    netloc = base_url.split("://", 1)[-1].split("/", 1)[0]
    return int(netloc.rpartition(":")[2] or 80)


def _hidden_from_others(paths: list[str]) -> bool:
    """True when a user without capabilities could not read one of `paths` (say a Python in root's 0700 home)."""
    for path in paths:
        parts = Path(path).parts
        for depth in range(1, len(parts) + 1):
            try:
                mode = os.stat(os.path.join(*parts[:depth])).st_mode
            except OSError:
                return True
            if not mode & 0o001 or (depth == len(parts) and not mode & 0o004):
                return True
    return False


def _root_to_nobody_without_caps() -> int:
    from coach.sandbox import namespaces

    namespaces.root_to_nobody(NOBODY_UID)
    return 0


def _outcome_reporter(fd: int) -> Callable[[dict[str, Any]], None]:
    """How the entry point's outcome leaves: once, on the outcome channel, after the code has ended.

    The functions are bound now, before learner code runs, so replacing `os.write` or
    `json.dumps` later changes nothing here. The runner trusts no other source for these facts.
    """
    write, close, dumps = os.write, os.close, json.dumps
    os.set_inheritable(fd, False)
    sent = [False]

    def report(facts: dict[str, Any]) -> None:
        if sent[0]:
            return
        sent[0] = True
        try:
            data = memoryview(dumps(facts, default=repr).encode())
        except (ValueError, TypeError, RecursionError):
            data = memoryview(dumps({"outcome": facts.get("outcome"), "return_error": "unreportable outcome"}).encode())
        try:
            while data:
                data = data[write(fd, data):]
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                close(fd)

    return report


def _announce_start(control_fd: int) -> None:
    """Tell the runner learner code starts now (its timeout starts), and drop the channel."""
    with contextlib.suppress(OSError):
        os.write(control_fd, b"R")
    os.close(control_fd)


def _apply_limits(limits: dict[str, int], level: str) -> None:
    mib = 1 << 20
    cpu = int(limits["cpu_s"])
    resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
    resource.setrlimit(resource.RLIMIT_AS, (limits["memory_mb"] * mib,) * 2)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits["file_size_mb"] * mib,) * 2)
    resource.setrlimit(resource.RLIMIT_NOFILE, (limits["open_files"],) * 2)
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # RLIMIT_NPROC counts every process of this uid; outside a user namespace that
    # includes the learner's own desktop, so the allowance is added to what already runs.
    already = _processes_of_uid(os.getuid()) if level == "process" else 0
    resource.setrlimit(resource.RLIMIT_NPROC, (already + limits["processes"],) * 2)


def _processes_of_uid(uid: int) -> int:
    """Tasks (processes and threads) this uid runs now, as RLIMIT_NPROC counts them."""
    count = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            if os.stat(f"/proc/{entry}").st_uid == uid:
                count += len(os.listdir(f"/proc/{entry}/task"))
        except OSError:
            continue
    return count
