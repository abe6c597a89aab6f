"""Run one request in the sandbox and turn what happened into a SandboxResult.

The app side of the sandbox: prepares a fresh work dir, starts the harness (cold, under
bubblewrap, or forked from a warm pool), hands the stub its socket, reads output with caps,
enforces the wall-clock timeout by killing the whole tree, and reads the result file back as
untrusted data.
"""

from __future__ import annotations

import array
import contextlib
import json
import os
import selectors
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach.sandbox import isolation, syscalls
from coach.sandbox.harness import EXIT_STATUS_KEY, NOBODY_UID, SPEC_VAR
from coach.sandbox.learner import MAX_LOG_RECORDS
from coach.sandbox.logchannel import LogChannel
from coach.sandbox.model import SANDBOX_API_KEY, Limits, SandboxRequest, SandboxResult
from coach.sandbox.output import CappedBuffer, clean_text

if TYPE_CHECKING:
    from coach.sandbox.warm import WarmPool
    from coach.scenario_time import ClockSession

STARTUP_GRACE_S = 30.0
"""Wall seconds the harness may take to start (interpreter, imports) before the run's own timeout starts."""
DISK_CHECK_S = 0.1
"""How often the work dir's size is checked while learner code runs."""
RESULT_CAP = 4 << 20
MAX_COPIED_FILES = 200
_RESERVED_ENV = {"ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL", "ANTHROPIC_AUTH_TOKEN", "PYTHONHASHSEED", SPEC_VAR}
_SIGNAL_LIMITS = {signal.SIGXCPU: "cpu", signal.SIGXFSZ: "file_size"}
_CLOCK = object()


@dataclass
class Started:
    """A started harness, however it was started."""

    pid: int
    stdout: int
    stderr: int
    control: socket.socket
    kill_group: bool
    """Process level: the harness's process group is the tree; namespaces: killing the pid is enough."""
    popen: subprocess.Popen[bytes] | None = None
    poller: Callable[[], int | None] | None = None
    """How to learn the exit status when the harness is not our child (warm pool)."""

    forget: Callable[[], None] | None = None
    """Tell the warm pool nobody will ask for this harness's exit status."""
    released: bool = False

    def poll(self) -> int | None:
        if self.popen is not None:
            return self.popen.poll()
        assert self.poller is not None
        return self.poller()

    def release(self) -> None:
        """The run is over by the supervisor's word: the harness's own end is not waited for (nor reaped here:
        a Popen left running is reaped by `subprocess` later, a warm pool's by its server)."""
        self.released = True
        if self.forget is not None:
            self.forget()


def run_sandboxed(request: SandboxRequest, pool: WarmPool | None = None) -> SandboxResult:
    """Run the request; with a `pool`, start from its warm fork server (at the pool's level)."""
    level = pool.level if pool is not None else isolation.current_level()
    root = Path(tempfile.mkdtemp(prefix="coach-run-"))
    try:
        workdir, tmpdir = root / "work", root / "tmp"
        workdir.mkdir()
        tmpdir.mkdir()
        learner_file = _copy_program(request.file, workdir)
        if level.name != "bwrap" and os.geteuid() == 0:
            # The learner runs as nobody on the host's files; it needs its work dir and private tmp.
            # (bubblewrap started by root maps the sandbox user to root instead.)
            os.chmod(root, 0o711)
            for path in (workdir, tmpdir, *workdir.iterdir()):
                os.chown(path, NOBODY_UID, NOBODY_UID)
        spec = _spec(request, level, learner_file, workdir, tmpdir)
        return _run(request, level, spec, pool)
    finally:
        _remove_tree(root)


def _remove_tree(root: Path) -> None:
    """Delete a run's folders; a killed tree may still be finishing a write, so try again briefly."""
    for _ in range(40):
        try:
            shutil.rmtree(root)
            return
        except FileNotFoundError:
            return
        except OSError:
            time.sleep(0.05)
    shutil.rmtree(root, ignore_errors=True)


def _copy_program(file: Path, workdir: Path) -> Path:
    """The learner's file and its sibling modules, copied: the run may change or delete them freely."""
    source = Path(file)
    if not source.is_file():
        raise FileNotFoundError(f"no such file: {source}")
    siblings = sorted(p for p in source.parent.glob("*.py") if p.is_file() and not p.is_symlink())
    for sibling in [source, *[p for p in siblings if p.name != source.name][:MAX_COPIED_FILES]]:
        shutil.copyfile(sibling, workdir / sibling.name)
    return workdir / source.name


def learner_environment(request: SandboxRequest, workdir: Path, tmpdir: str) -> dict[str, str]:
    """An allow-list: nothing from the app's environment reaches learner code by default."""
    env = {k: v for k, v in request.env.items() if k.isidentifier() and k not in _RESERVED_ENV}
    env.update(
        {
            "PATH": "/usr/local/bin:/usr/bin:/bin",
            "HOME": str(workdir),
            "TMPDIR": tmpdir,
            "LANG": "C.UTF-8",
            "TERM": "dumb",
            "ANTHROPIC_API_KEY": SANDBOX_API_KEY,
            "ANTHROPIC_BASE_URL": request.stub.base_url,
            "PYTHONHASHSEED": "0",  # set iteration order is part of what a grade replays
        }
    )
    return env


def _spec(request: SandboxRequest, level: isolation.Level, file: Path, workdir: Path, tmpdir: Path) -> dict[str, Any]:
    inner_tmp = str(tmpdir) if level.name == "process" else "/tmp"
    base = request.stub.base_url.split("://", 1)[-1].split("/", 1)[0]
    host, _, port = base.rpartition(":")
    limits = request.limits
    return {
        "level": level.name,
        "file": str(file),
        "entry": request.entry,
        "argv": list(request.args),
        "workdir": str(workdir),
        "tmpdir": inner_tmp,
        "limits": {
            "cpu_s": limits.cpu_s,
            "memory_mb": limits.memory_mb,
            "processes": limits.processes,
            "file_size_mb": limits.file_size_mb,
            "open_files": limits.open_files,
            "tmp_mb": limits.tmp_mb,
        },
        "env": learner_environment(request, workdir, inner_tmp),
        "stub_address": [host.strip("[]") or "127.0.0.1", int(port or 80)],
        "clock": {"epoch": request.clock.epoch, "seed": request.seed},
        "hidden": isolation.hidden_dirs(),
        "coach_dirs": isolation.coach_dirs(),
        "seccomp": syscalls.available(),
        "keep": isolation.python_dirs(),
    }


def _start_cold(level: isolation.Level, spec: dict[str, Any], clock_fds: tuple[int, int], log_fd: int,
                outcome_fd: int) -> Started:
    parent_end, child_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    page_fd, channel_fd = clock_fds
    spec = {**spec, "control_fd": child_end.fileno(), "log_fd": log_fd, "outcome_fd": outcome_fd,
            "clock": {**spec["clock"], "page_fd": page_fd, "channel_fd": channel_fd}}
    env = {**spec["env"], SPEC_VAR: json.dumps(spec)}
    command = [*level.command(spec), sys.executable, "-I", *level.harness_args(spec)]
    try:
        popen = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=spec["workdir"],
            pass_fds=(child_end.fileno(), *clock_fds, log_fd, outcome_fd),
            start_new_session=True,
        )
    finally:
        child_end.close()
    assert popen.stdout is not None and popen.stderr is not None
    return Started(
        pid=popen.pid,
        stdout=popen.stdout.fileno(),
        stderr=popen.stderr.fileno(),
        control=parent_end,
        kill_group=level.name == "process",
        popen=popen,
    )


def _run(request: SandboxRequest, level: isolation.Level, spec: dict[str, Any], pool: WarmPool | None) -> SandboxResult:
    started_at = time.monotonic()
    session = request.clock.open_session()
    logs, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    # The outcome channel: only the harness, after the entry point ended, writes its end.
    outcome, outcome_child = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        try:
            started = (pool.start(spec, session.child_fds(), theirs.fileno(), outcome_child.fileno())
                       if pool is not None
                       else _start_cold(level, spec, session.child_fds(), theirs.fileno(), outcome_child.fileno()))
        finally:
            theirs.close()  # the learner holds the only writing end: EOF means it is gone
            outcome_child.close()
        channel = LogChannel(request.clock.now, request.clock.epoch, MAX_LOG_RECORDS)
        return _supervise(request, level, spec, started, session, started_at, logs, channel, outcome)
    finally:
        logs.close()
        outcome.close()
        session.close()


def _supervise(request: SandboxRequest, level: isolation.Level, spec: dict[str, Any], started: Started,
               session: ClockSession, started_at: float, logs: socket.socket, channel: LogChannel,
               outcome: socket.socket) -> SandboxResult:
    out, err = CappedBuffer(request.limits.output_bytes), CappedBuffer(request.limits.output_bytes)
    reported = CappedBuffer(RESULT_CAP)
    selector = selectors.DefaultSelector()
    selector.register(logs.fileno(), selectors.EVENT_READ, channel)
    selector.register(started.stdout, selectors.EVENT_READ, out)
    selector.register(started.stderr, selectors.EVENT_READ, err)
    selector.register(outcome.fileno(), selectors.EVENT_READ, reported)
    selector.register(started.control, selectors.EVENT_READ, None)
    selector.register(session.events_fd(), selectors.EVENT_READ, _CLOCK)
    ready_at: float | None = None
    scenario_start = request.clock.now()
    scenario_end: float | None = None
    deadline = started_at + STARTUP_GRACE_S
    killed_for: str | None = None
    exit_code: int | None = None
    exited_at: float | None = None
    next_disk_check = started_at
    try:
        while True:
            now = time.monotonic()
            if exit_code is None:
                exit_code = started.poll()
                if exit_code is None and outcome.fileno() not in selector.get_map():
                    # The supervisor's last word is sent once nothing of the learner's is left.
                    exit_code = exit_status_of(bytes(reported.data))
                    if exit_code is not None:
                        started.release()
                if exit_code is not None:
                    exited_at = now
                    scenario_end = request.clock.now()  # time cannot move once the program is gone
            open_streams = [k for k in selector.get_map().values() if k.data is not None and k.data is not _CLOCK]
            if exit_code is not None and (not open_streams or now - (exited_at or now) > 0.5):
                break
            if killed_for is None and now > deadline:
                killed_for = "wall"
                _kill(started)
            if killed_for is None and now >= next_disk_check:
                # RLIMIT_FSIZE caps one file; only watching the folder caps many of them.
                next_disk_check = now + DISK_CHECK_S
                if _over_disk_quota(Path(spec["workdir"]), request.limits):
                    killed_for = "disk"
                    _kill(started)
            # Streams closed and the exit not reported yet: it is a few milliseconds away, poll quickly.
            for key, _ in selector.select(timeout=0.05 if open_streams else 0.002):
                if key.data is _CLOCK:
                    selector.unregister(key.fd)
                    if killed_for is None:
                        killed_for = session.reason
                        _kill(started)
                    continue
                if key.data is None:
                    message = _receive_control(started.control, request)
                    if message is None:
                        selector.unregister(started.control)
                    elif message == b"R" and ready_at is None:
                        ready_at = time.monotonic()
                        # Only now may time move: the harness has handed over the stub's socket (its "S" came
                        # first), so no request can sit unaccepted while the clock runs on to its timeout.
                        # Nor may it move while a log record is unread: its arrival stamp is the moment it was sent.
                        # Read before attaching: from attach on the clock may jump at once (a program already
                        # asleep), and a start read after that jump would drop the jump from scenario_s.
                        scenario_start = request.clock.now()
                        session.attach((started.stdout, started.stderr, logs.fileno()))
                        deadline = ready_at + request.timeout_s
                    continue
                # Unread log bytes hold scenario time still, so the time read before reading them is when
                # they were sent (read after, time may already have moved on).
                sent_at = request.clock.now() if isinstance(key.data, LogChannel) else None
                chunk = os.read(key.fd, 65536)
                if not chunk:
                    selector.unregister(key.fd)
                    continue
                if isinstance(key.data, LogChannel):
                    key.data.feed(chunk, sent_at)
                    continue
                key.data.feed(chunk)
                if key.data.overflowed and key.data is not reported and killed_for is None:
                    killed_for = "output"
                    _kill(started)
    finally:
        if exit_code is None:
            _kill(started)
            exit_code = _wait(started)
        selector.close()
        if started.popen is not None:
            # Through their file objects: closing the raw fds would leave those objects to close the same
            # numbers again when collected, by then perhaps another run's sockets.
            for stream in (started.popen.stdout, started.popen.stderr):
                if stream is not None:
                    stream.close()
        else:
            for fd in (started.stdout, started.stderr):
                _close(fd)
        started.control.close()
        if started.popen is not None and started.popen.returncode is None and not started.released:
            started.popen.wait()
    ended = time.monotonic()
    if exit_code < 0:
        exit_code = 128 - exit_code
    result = {} if reported.overflowed else parse_outcome(bytes(reported.data))
    limit = killed_for or _limit_from_status(exit_code, killed_for) or _text_or_none(result.get("limit"))
    refused = _text_or_none(result.get("refused"))
    stderr = err.text()
    if refused:
        separator = "" if not stderr or stderr.endswith("\n") else "\n"
        stderr += f"{separator}coach: main()'s outcome was refused: {refused}\n"
    return SandboxResult(
        exit_code=exit_code,
        stdout=out.text(),
        stderr=stderr,
        timed_out=killed_for == "wall",
        limit_hit=limit,
        isolation=level.label,
        wall_s=round(ended - (ready_at or started_at), 4),
        scenario_s=round((scenario_end if scenario_end is not None else request.clock.now()) - scenario_start, 4),
        seed=request.seed,
        return_value=result.get("return_value"),
        return_error=_text_or_none(result.get("return_error")),
        log_records=_log_records(channel.records),
        outcome=result.get("outcome"),
        outcome_refused=refused,
        fd_waiters=None if session.fd_waiters is None else tuple(session.fd_waiters),
    )


def _over_disk_quota(workdir: Path, limits: Limits) -> bool:
    """True when the work dir holds more than `disk_mb` or more than `work_files` entries (symlinks not followed)."""
    budget, entries, pending = limits.disk_mb << 20, 0, [workdir]
    used = 0
    while pending:
        try:
            with os.scandir(pending.pop()) as listing:
                for entry in listing:
                    entries += 1
                    if entries > limits.work_files:
                        return True
                    try:
                        info = entry.stat(follow_symlinks=False)
                    except OSError:
                        continue
                    used += info.st_blocks * 512
                    if used > budget:
                        return True
                    if entry.is_dir(follow_symlinks=False):
                        pending.append(Path(entry.path))
        except OSError:
            continue
    return False


def _receive_control(control: socket.socket, request: SandboxRequest) -> bytes | None:
    """One message from the harness: b"S" with the stub's listening socket, or b"R" (learner code starts)."""
    fds = array.array("i")
    try:
        data, ancdata, _, _ = control.recvmsg(1, socket.CMSG_LEN(fds.itemsize))
    except OSError:
        return None
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    if not data:
        return None
    if data == b"S" and fds:
        listener = socket.socket(fileno=fds[0])
        for extra in fds[1:]:
            os.close(extra)
        request.stub.adopt_socket(listener)
    else:
        for fd in fds:
            os.close(fd)
    return data


def _kill(started: Started) -> None:
    if started.kill_group:
        # Process level: ask the supervisor to kill its descendants (also those that left the
        # group with setsid), then kill the group in case the supervisor itself was harmed.
        _signal(started.pid, signal.SIGUSR1)
        time.sleep(0.1)
        with contextlib.suppress(OSError):
            os.killpg(started.pid, signal.SIGKILL)
    _signal(started.pid, signal.SIGKILL)


def _signal(pid: int, signum: int) -> None:
    with contextlib.suppress(OSError):
        os.kill(pid, signum)


def _wait(started: Started, timeout_s: float = 10.0) -> int:
    if started.popen is not None:
        return started.popen.wait()
    give_up = time.monotonic() + timeout_s
    while (code := started.poll()) is None and time.monotonic() < give_up:
        time.sleep(0.01)
    return -signal.SIGKILL if code is None else code


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)


def _limit_from_status(exit_code: int, killed_for: str | None) -> str | None:
    if killed_for:
        return killed_for
    signum = exit_code - 128
    if signum == signal.SIGKILL:
        return "cpu"  # the hard RLIMIT_CPU; the runner's own kills are known above
    return _SIGNAL_LIMITS.get(signal.Signals(signum)) if signum in _SIGNAL_LIMITS else None


OUTCOMES = ("returned", "raised", "exited")


def parse_outcome(data: bytes) -> dict[str, Any]:
    """The supervisor's word on the outcome channel: the harness's report, `{"refused": why}`, or {} (none came).

    The supervisor checked the report against how the learner process ended (`coach.sandbox.witness`);
    anything on the channel that is not one whole message of either shape counts as no outcome.
    """
    try:
        value = json.loads(data) if data else None
    except (ValueError, RecursionError):
        return {}
    if not isinstance(value, dict):
        return {}
    if isinstance(value.get("refused"), str):
        return {"refused": value["refused"]}
    if value.get("outcome") not in OUTCOMES:
        return {}
    return value


def exit_status_of(data: bytes) -> int | None:
    """The learner process's exit status from the supervisor's outcome message, or None if none came whole."""
    try:
        value = json.loads(data) if data else None
    except (ValueError, RecursionError):
        return None
    status = value.get(EXIT_STATUS_KEY) if isinstance(value, dict) else None
    return status if isinstance(status, int) and not isinstance(status, bool) and 0 <= status < 256 else None


def _text_or_none(value: object) -> str | None:
    return clean_text(value.encode())[:4000] if isinstance(value, str) else None


def _log_records(value: object) -> list[dict[str, Any]]:
    if not isinstance(value, list):
        return []
    records = []
    for item in value:
        if isinstance(item, dict) and isinstance(item.get("message"), str):
            records.append(
                {
                    "level": str(item.get("level", "")),
                    "logger": str(item.get("logger", "")),
                    "message": item["message"],
                    "created": item.get("created") if isinstance(item.get("created"), int | float) else None,
                    "extra": item.get("extra") if isinstance(item.get("extra"), dict) else {},
                    **{k: item[k] for k in ("arrived_s", "at_s") if isinstance(item.get(k), int | float)},
                }
            )
    return records
