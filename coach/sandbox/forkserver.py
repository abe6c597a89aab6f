"""The warm pool's server: a process with `anthropic` imported that forks one harness per run.

Runs as `python -I -c "from coach.sandbox.forkserver import serve; serve(FD)"` with a scrubbed
environment. Each request on the SOCK_SEQPACKET socket FD is one JSON spec plus six fds (stdout,
stderr, control, the clock's page and channel, the log channel, the outcome channel); the server forks,
the child starts a new session, takes those fds and calls `harness.launch`, which applies the isolation
after the fork. Replies are JSON:
`{"id": n, "pid": p}` when a run starts and `{"pid": p, "code": c}` when it ends.
"""

from __future__ import annotations

import gc
import json
import os
import selectors
import signal
import socket

MAX_MESSAGE = 1 << 20


def serve(fd: int) -> None:
    import anthropic  # noqa: F401  (the point of the pool: paid once)

    from coach.sandbox import audit, clockpatch, harness, landlock, learner, namespaces, syscalls, witness  # noqa: F401
    from coach.sandbox.sdkwarmup import warm_sdk

    landlock.abi()  # loads py-landlock (which runs `ldconfig` to find libc) once, here
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
    warmed = False
    while True:
        if not warmed and not selector.select(timeout=0):
            # The SDK's first-use costs (an SSL context per client, lazily built parsers), paid once, when
            # nothing is waiting: a run asked for at once (`coach grade`) is not held up by them.
            warm_sdk()
            warmed = True
            gc.freeze()
        for key, _ in selector.select():
            if key.data == "child":
                os.read(wake_r, 4096)
                _report_exits(channel)
                continue
            try:
                data, fds, _, _ = socket.recv_fds(channel, MAX_MESSAGE, 7)
            except OSError:
                os._exit(0)
            if not data:
                os._exit(0)  # the pool closed its end
            request = json.loads(data)
            spec = request["spec"]
            # At the namespace level this server writes the harness's uid maps (it is outside its
            # namespace), so the harness needs no helper process of its own: one fork fewer per run.
            maps = (os.pipe(), os.pipe()) if spec.get("level") == "namespaces" else None
            if maps is not None:
                spec = {**spec, "map_fds": [maps[0][1], maps[1][0]]}
            pid = os.fork()
            if pid == 0:
                ours = [maps[0][0], maps[1][1]] if maps is not None else []
                _become_harness(spec, fds, [channel.fileno(), wake_r, wake_w, *ours], harness.launch)
            for passed in fds:
                os.close(passed)
            if maps is not None:
                os.close(maps[0][1])
                os.close(maps[1][0])
                namespaces.map_ids_when_asked(pid, maps[0][0], maps[1][1])
            _send(channel, {"id": request["id"], "pid": pid})
            _report_exits(channel)


def _become_harness(spec: dict, fds: list[int], close: list[int], launch) -> None:  # type: ignore[no-untyped-def, type-arg]
    try:
        signal.set_wakeup_fd(-1)
        signal.signal(signal.SIGCHLD, signal.SIG_DFL)
        for fd in close:
            os.close(fd)
        os.setsid()
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
    finally:
        os._exit(70)


def _report_exits(channel: socket.socket) -> None:
    while True:
        try:
            pid, status = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return
        _send(channel, {"pid": pid, "code": os.waitstatus_to_exitcode(status)})


def _send(channel: socket.socket, message: dict) -> None:  # type: ignore[type-arg]
    try:
        channel.send(json.dumps(message).encode())
    except OSError:
        os._exit(0)
