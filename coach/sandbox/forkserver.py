"""The warm pool's server: a process with `anthropic` imported that forks one harness per run.

Runs as `python -I -c "from coach.sandbox.forkserver import serve; serve(FD, LEVEL)"` with a scrubbed
environment. Each request on the SOCK_SEQPACKET socket FD is one JSON spec plus seven fds (stdout,
stderr, control, the clock's page and channel, the log channel, the outcome channel); the harness
takes those fds and calls `harness.launch`, which applies the isolation after the fork. Replies are
JSON: `{"id": n, "pid": p}` when a run starts and `{"pid": p, "code": c}` when it ends.

At the namespace level the server keeps `ZYGOTES` harnesses forked ahead, while nothing waits:
each has unshared its namespaces, been given its uid maps and forked its PID 1, which waits for a
run's spec and fds (the part of the isolation that depends on the run: mounts, limits, Landlock,
seccomp, the clock). Three forks and an unshare, about 15 ms, are then off a run's path. A zygote
is the same process a run would have forked at that moment, so a run is exactly as isolated.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket
from collections import deque
from dataclasses import dataclass

MAX_MESSAGE = 1 << 20
ZYGOTES = 2
"""Zygotes kept ready: a jitter item grades two seeded runs side by side."""
_FDS = 7
FIRST_REQUEST_GRACE_S = 0.05


@dataclass
class _Zygote:
    pid: int
    spec_socket: socket.socket
    """The server's end: one message (spec and fds) starts the run; closing it ends the zygote."""


def serve(fd: int, level: str | None = None) -> None:
    import anthropic  # noqa: F401  (the point of the pool: paid once)

    from coach.sandbox import audit, clockpatch, harness, landlock, learner, namespaces, syscalls, witness  # noqa: F401
    from coach.sandbox.sdkwarmup import warm_sdk

    landlock.abi()  # loads py-landlock (which runs `ldconfig` to find libc) once, here
    namespaces.libc()  # and libc's handle: every harness and zygote forked below inherits both
    landlock.hold(landlock.python_read_roots())  # every run's Landlock folders, opened once, here
    if syscalls.available():
        syscalls.prepare()  # a forked harness only loads the filter built here
    # Everything imported so far is shared with every harness forked below; frozen, the
    # collector never walks (and so never copies) those pages in a child.
    gc.collect()
    gc.freeze()
    # No PR_SET_PDEATHSIG here: it fires when the *thread* that started us exits, and pools are
    # started from short-lived worker threads. The app going away closes the channel instead,
    # which ends the loop below (the kernel closes a killed app's sockets too).
    channel = socket.socket(fileno=fd)
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)
    selector = selectors.DefaultSelector()
    selector.register(channel, selectors.EVENT_READ, "request")
    selector.register(wake_r, selectors.EVENT_READ, "child")
    _send(channel, {"ready": True})
    own_fds = [channel.fileno(), wake_r, wake_w]
    zygotes: deque[_Zygote] = deque()
    started: set[int] = set()
    """Harnesses handed a run: only their ends are reported (a zygote's end is nobody's business)."""
    warmed = False
    while True:
        # Before the warm-up, a moment's grace: a cold `coach grade` asks for its run within milliseconds of
        # "ready" (its request would otherwise wait behind the warm-up, about 100 ms).
        if not selector.select(timeout=0 if warmed else FIRST_REQUEST_GRACE_S):
            if not warmed:
                # The SDK's first-use costs (an SSL context per client, lazily built parsers), paid once, when
                # nothing is waiting: a run asked for at once (`coach grade`) is not held up by them.
                warm_sdk()
                warmed = True
                gc.freeze()
                continue
            if level == "namespaces" and len(zygotes) < ZYGOTES:
                # Forked after the warm-up, so each carries it.
                zygotes.append(_zygote(own_fds, zygotes))
                continue
        for key, _ in selector.select():
            if key.data == "child":
                os.read(wake_r, 4096)
                _report_exits(channel, started, zygotes)
                continue
            try:
                data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, _FDS)
            except OSError:
                os._exit(0)
            if not data:
                os._exit(0)  # the pool closed its end
            request = json.loads(data)
            spec = request["spec"]
            pid = (_start_in_zygote(spec, fds, own_fds, zygotes) if spec.get("level") == "namespaces"
                   else _fork_harness(spec, fds, own_fds, zygotes))
            for passed in fds:
                os.close(passed)
            started.add(pid)
            _send(channel, {"id": request["id"], "pid": pid})
            _report_exits(channel, started, zygotes)


def _fork_harness(spec: dict, fds: list[int], own_fds: list[int], zygotes: deque[_Zygote]) -> int:  # type: ignore[type-arg]
    from coach.sandbox import harness

    pid = os.fork()
    if pid == 0:
        try:
            _detach([*own_fds, *(z.spec_socket.fileno() for z in zygotes)])
            _take_fds_and_launch(spec, fds, harness.launch)
        finally:
            os._exit(70)
    return pid


def _zygote(own_fds: list[int], zygotes: deque[_Zygote]) -> _Zygote:
    """Fork a harness that unshares, is mapped, forks its PID 1 and waits there for a run."""
    from coach.sandbox import harness, namespaces

    # This server is outside the harness's namespaces, so it writes the maps: no helper process per run.
    (request_r, request_w), (done_r, done_w) = os.pipe(), os.pipe()
    ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    pid = os.fork()
    if pid == 0:
        try:
            _detach([*own_fds, *(z.spec_socket.fileno() for z in zygotes), ours.fileno(), request_r, done_w])
            namespaces.unshare_mapped_by_parent(request_w, done_r)
            namespaces.become_pid1()  # the harness waits outside; PID 1 carries on here, holding `theirs`
            try:
                data, fds, _, _ = socket.recv_fds(theirs, MAX_MESSAGE, _FDS)
            except OSError:
                data, fds = b"", []
            if not data or len(fds) != _FDS:
                os._exit(0)  # the server went away, or closed this zygote
            theirs.send(b"1")  # alive and taking it
            theirs.close()
            _take_fds_and_launch({**json.loads(data), "in_namespaces": True}, fds, harness.launch)
        finally:
            os._exit(70)
    theirs.close()
    os.close(request_w)
    os.close(done_r)
    namespaces.map_ids_when_asked(pid, request_r, done_w)
    return _Zygote(pid, ours)


def _start_in_zygote(spec: dict, fds: list[int], own_fds: list[int], zygotes: deque[_Zygote]) -> int:  # type: ignore[type-arg]
    """Hand the run to a ready zygote (a new one if none is ready, or one has died); its pid is the harness's."""
    while True:
        zygote = zygotes.popleft() if zygotes else _zygote(own_fds, zygotes)
        try:
            socket.send_fds(zygote.spec_socket, [json.dumps(spec).encode()], fds)
            taken = zygote.spec_socket.recv(1) == b"1"
        except OSError:
            taken = False
        finally:
            zygote.spec_socket.close()
        if taken:
            return zygote.pid
        # It died waiting (killed from outside), perhaps this very moment: its end is reaped and not reported,
        # and the fds it was sent are still ours to send again.


def _detach(close: list[int]) -> None:
    """A forked child's first steps: the server's signal handling and fds dropped, a session of its own."""
    signal.set_wakeup_fd(-1)
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for fd in close:
        os.close(fd)
    os.setsid()


def _take_fds_and_launch(spec: dict, fds: list[int], launch) -> None:  # type: ignore[no-untyped-def, type-arg]
    out, err, control, page, clock_channel, log, outcome = fds
    spec = {**spec, "clock": {**spec["clock"], "page_fd": page, "channel_fd": clock_channel}, "log_fd": log}
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.dup2(out, 1)
    os.dup2(err, 2)
    for fd in (devnull, out, err):
        if fd > 2:
            os.close(fd)
    os.chdir(spec["workdir"])
    launch({**spec, "control_fd": control, "outcome_fd": outcome})


def _report_exits(channel: socket.socket, started: set[int], zygotes: deque[_Zygote]) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        if pid in started:
            started.discard(pid)
            _send(channel, {"pid": pid, "code": os.waitstatus_to_exitcode(status)})
            continue
        for zygote in [z for z in zygotes if z.pid == pid]:  # died before it was used
            zygotes.remove(zygote)
            zygote.spec_socket.close()


def _send(channel: socket.socket, message: dict) -> None:  # type: ignore[type-arg]
    try:
        channel.send(json.dumps(message).encode())
    except OSError:
        os._exit(0)
