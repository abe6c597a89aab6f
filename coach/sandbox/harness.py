"""The trusted side of the sandbox that runs inside it, before and around learner code.

Started as `python -I -m coach.sandbox` (cold) or called after a fork by the warm
pool. It applies the isolation level, then splits into a supervisor (PID 1 of the new PID
namespace, or a child subreaper at process level) that reaps every descendant and alone holds
the outcome channel to the runner (it judges the learner process's report, `coach.sandbox.witness`),
and the learner process, which gets its limits, environment and clock and then runs the code.
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
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from coach.sandbox.witness import Witness

SPEC_VAR = "COACH_SANDBOX_SPEC"
EXIT_STATUS_KEY = "exit_status"
"""The supervisor's outcome message always carries the learner process's exit status under this key."""
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
    from coach.sandbox import audit, clockpatch, landlock, learner, namespaces, syscalls, witness  # noqa: F401

    # Their bindings find libc and libseccomp with ctypes.util.find_library, which runs `ldconfig`:
    # done now, while programs may still start, not after Landlock refuses them.
    landlock.abi()
    syscalls.available()
    level = spec["level"]
    if level == "namespaces" and spec.pop("in_namespaces", False):
        # A warm pool's zygote: this is PID 1 already, of namespaces unshared before the run was asked for.
        namespaces.set_up(spec)
        namespaces.finish_pid1()
    elif level == "namespaces":
        namespaces.enter(spec)  # returns in PID 1 of the new namespaces
    elif level == "bwrap":
        namespaces.hand_off_stub_socket(spec)
    _supervise(spec)


def _supervise(spec: dict[str, Any]) -> None:
    """Fork the learner process; stay its parent, holding the outcome channel it never holds, and report its end."""
    from coach.sandbox import namespaces

    namespaces.become_subreaper()
    report_r, report_w = os.pipe()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(report_r)
            os.close(spec["outcome_fd"])  # only the supervisor reaches the runner's outcome channel
            _become_learner(spec, report_w)
        finally:
            os._exit(70)
    os.close(report_w)
    os.close(spec["control_fd"])
    for fd in _clock_fds(spec):
        os.close(fd)  # the learner process keeps the clock channels; the supervisor needs none
    if isinstance(spec.get("log_fd"), int):
        os.close(spec["log_fd"])  # nor the log channel: only the learner's records go on it
    # Nor its output: the runner then sees stdout and stderr end the moment the last learner process does.
    namespaces.let_go_of_output()
    told, status = _witness(pid, report_r, spec["outcome_fd"])
    namespaces.kill_descendants()
    # The last word, once nothing of the learner's is left: the runner need not wait for this process's
    # own end (a PID namespace's teardown takes milliseconds) to know how the run ended.
    _send_outcome(spec["outcome_fd"], {**(told or {}), EXIT_STATUS_KEY: status})
    os._exit(status)


def _witness(pid: int, report_r: int, outcome_fd: int) -> tuple[dict[str, Any] | None, int]:
    """Read the learner process's report pipe until the process ends; then judge the report against that end.

    The runner never writes on the outcome channel, so its end becoming readable means the runner is gone
    (its grader ended, or was killed): the run is stopped then, instead of outliving everyone who could end it.
    """
    import selectors

    from coach.sandbox.witness import Witness, exit_status

    witness = Witness()
    stopped = [False]
    wake_r, wake_w = os.pipe()
    for fd in (wake_r, wake_w, report_r):
        os.set_blocking(fd, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    signal.signal(signal.SIGUSR1, lambda *_: stopped.__setitem__(0, True))  # the runner's "stop now"
    selector = selectors.DefaultSelector()
    selector.register(report_r, selectors.EVENT_READ)
    selector.register(wake_r, selectors.EVENT_READ)
    selector.register(outcome_fd, selectors.EVENT_READ)
    status = _ended(pid)
    while status is None:
        if stopped[0]:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        for key, _ in selector.select():
            if key.fd == wake_r:
                with contextlib.suppress(OSError):
                    os.read(wake_r, 512)
            elif key.fd == outcome_fd:
                selector.unregister(outcome_fd)  # the runner hung up: stop, as on its SIGUSR1
                stopped[0] = True
            elif not _read_into(witness, report_r):
                selector.unregister(report_r)
        status = _ended(pid)
    _read_into(witness, report_r, until_empty=True)  # all it wrote before it ended is in the pipe by now
    selector.close()
    if stopped[0]:
        return None, exit_status(status)  # stopped by the runner: whatever was reported, main() did not finish
    return witness.verdict(status)


def _ended(pid: int) -> int | None:
    """The learner process's wait status once it has ended, else None."""
    try:
        got, status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return 70 << 8
    return status if got == pid else None


def _read_into(witness: Witness, fd: int, until_empty: bool = False) -> bool:
    """Feed the witness what the pipe holds; False once every writer has closed it."""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return True
        except OSError:
            return False
        if not chunk:
            return False
        witness.feed(chunk)
        if not until_empty:
            return True


def _send_outcome(fd: int, told: dict[str, Any]) -> None:
    data = memoryview(json.dumps(told).encode())
    with contextlib.suppress(OSError):
        while data:
            data = data[os.write(fd, data):]
    with contextlib.suppress(OSError):
        os.close(fd)


def _clock_fds(spec: dict[str, Any]) -> list[int]:
    clock = spec.get("clock") or {}
    return [clock[name] for name in ("page_fd", "channel_fd") if isinstance(clock.get(name), int)]


def _become_learner(spec: dict[str, Any], report_fd: int) -> None:
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
    report = _outcome_reporter(report_fd)
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
    """How the entry point's outcome leaves: one framed report to the supervisor, then SIGKILL at once.

    The supervisor accepts a report only from a learner process that SIGKILL ended right after it
    (`coach.sandbox.witness`), so a program that writes a report and then exits any other way is
    refused. The functions are bound now, before learner code runs, so replacing `os.write`,
    `signal.raise_signal` or `json.dumps` later changes nothing here.
    """
    from coach.sandbox.witness import frame

    # `raise_signal`, not `os.kill`: the audit hook refuses os.kill to learner code, and so to us.
    write, end, dumps, sigkill = os.write, signal.raise_signal, json.dumps, signal.SIGKILL
    os.set_inheritable(fd, False)

    def report(facts: dict[str, Any]) -> None:
        data = memoryview(frame(facts, dumps))
        try:
            while data:
                data = data[write(fd, data):]
        except OSError:
            pass
        end(sigkill)

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
