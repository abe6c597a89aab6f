"""Warm start: keep a fork server with `anthropic` imported, so a run starts in milliseconds.

Importing the SDK costs about a second; the TUI and the grader hold one `WarmPool` for the
app's lifetime and pass it to `run_sandboxed`. Isolation is applied after the fork, by the
same harness code a cold start runs, so a warm run is exactly as isolated as a cold one at
the same level. bubblewrap cannot be applied to a forked process: a pool uses the direct
namespace level where the kernel allows it, and the process level otherwise.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
from types import TracebackType
from typing import Any

from coach.sandbox import isolation
from coach.sandbox.forkserver import MAX_MESSAGE

START_TIMEOUT_S = 60.0


class WarmPool:
    """One pre-started fork server; thread-safe; restarted on demand if it dies."""

    def __init__(self, level: str | None = None) -> None:
        if level is None:
            level = isolation.warm_level()
            if level is None:
                raise ValueError(f"{isolation.FORCE_VAR}=bwrap: bubblewrap cannot isolate a forked process; run cold")
        if level not in ("namespaces", "process"):
            raise ValueError(f"a warm pool isolates after fork: 'namespaces' or 'process', not {level!r}")
        self.level = isolation._level(level)
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._pids: dict[int, int] = {}
        self._exits: dict[int, int] = {}
        self._forgotten: set[int] = set()
        self._next_id = 0
        self._generation = 0
        self._channel: socket.socket | None = None
        self._process: subprocess.Popen[bytes] | None = None
        self._ready = False
        self._start_server()

    def _start_server(self) -> None:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        code = f"from coach.sandbox.forkserver import serve; serve({theirs.fileno()}, {self.level.name!r})"
        self._process = subprocess.Popen(
            [sys.executable, "-I", "-c", code],
            stdin=subprocess.DEVNULL,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin", "LANG": "C.UTF-8", "PYTHONHASHSEED": "0"},
            pass_fds=(theirs.fileno(),),
            start_new_session=True,
        )
        theirs.close()
        self._channel = ours
        self._ready = False
        self._generation += 1
        threading.Thread(target=self._read, args=(ours, self._generation), name="coach-warm-pool", daemon=True).start()

    def _read(self, channel: socket.socket, generation: int) -> None:
        while True:
            try:
                data = channel.recv(MAX_MESSAGE)
            except OSError:
                data = b""
            with self._lock:
                if not data:
                    if generation == self._generation:
                        self._channel = None
                    # Runs of a dead server cannot report: count them as killed.
                    for pid in list(self._pids.values()):
                        self._exits.setdefault(pid, -signal.SIGKILL)
                    self._changed.notify_all()
                    return
                message = json.loads(data)
                if message.get("ready"):
                    self._ready = True
                elif "id" in message:
                    self._pids[message["id"]] = message["pid"]
                elif "pid" in message:
                    if message["pid"] in self._forgotten:
                        self._forgotten.discard(message["pid"])
                    else:
                        self._exits[message["pid"]] = message["code"]
                self._changed.notify_all()

    def wait_ready(self, timeout: float = START_TIMEOUT_S) -> None:
        """Block until the server has imported the SDK (for benchmarks and eager apps)."""
        with self._lock:
            if not self._changed.wait_for(lambda: self._ready or self._channel is None, timeout):
                raise TimeoutError("the warm pool did not start")

    def start(self, spec: dict[str, Any], clock_fds: tuple[int, int], log_fd: int, outcome_fd: int) -> Any:
        """Fork a harness for `spec`; returns the runner's `Started` handle."""
        from coach.sandbox.runner import Started

        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            with self._lock:
                if self._channel is None:
                    self._start_server()
                channel = self._channel
                assert channel is not None
                request_id = self._next_id
                self._next_id += 1
                message = json.dumps({"id": request_id, "spec": {**spec, "level": self.level.name}}).encode()
                socket.send_fds(channel, [message], [out_w, err_w, theirs.fileno(), *clock_fds, log_fd, outcome_fd])
                if not self._changed.wait_for(lambda: request_id in self._pids or self._channel is None,
                                              START_TIMEOUT_S):
                    raise TimeoutError("the warm pool did not answer")
                if request_id not in self._pids:
                    raise RuntimeError("the warm pool stopped")
                pid = self._pids.pop(request_id)
        finally:
            for fd in (out_w, err_w):
                os.close(fd)
            theirs.close()
        return Started(pid=pid, stdout=out_r, stderr=err_r, control=ours,
                       kill_group=self.level.name == "process", poller=lambda: self._poll(pid),
                       forget=lambda: self._forget(pid))

    def _poll(self, pid: int) -> int | None:
        with self._lock:
            return self._exits.pop(pid, None)

    def _forget(self, pid: int) -> None:
        """Nobody will poll `pid`: drop its exit status, now or when the server reports it."""
        with self._lock:
            if self._exits.pop(pid, None) is None:
                self._forgotten.add(pid)

    def close(self) -> None:
        with self._lock:
            channel, process = self._channel, self._process
            self._channel = None
            self._generation += 1
        if channel is not None:
            channel.close()
        if process is not None:
            process.kill()
            process.wait()

    def __enter__(self) -> WarmPool:
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.close()
