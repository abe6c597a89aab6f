"""The grader's side of virtual scenario time.

Scenario time moves only when everything is waiting: every thread of the program is blocked
(asked of the kernel, `observer.ProgramThreads`), its output has been read, no request or reply is
waiting to be read, and the stub has nothing runnable, only timed waits of its own. Time then jumps
to the earliest deadline, the stub's or one the program declared, and whoever waits for it is woken.
CPU work therefore costs no scenario time at all, and a loaded machine sees the same scenario as a
quiet one. The models are Go's testing/synctest, Trio's MockClock(autojump_threshold=0) and Tokio's
paused clock; the difference is that the program runs in another process.

The clock works inside the stub's event loop: `new_event_loop()` gives that loop a selector that,
instead of blocking while the loop is idle, checks whether the program is blocked too and, if so,
moves time. The time itself is kept in a sealed memory page (memfd with F_SEAL_FUTURE_WRITE): the
grader's mapping writes it, the sandbox can only map it read-only, so nothing inside can set it.
"""

from __future__ import annotations

import array
import asyncio
import contextlib
import datetime
import fcntl
import heapq
import itertools
import math
import mmap
import os
import select
import selectors
import socket
import stat
import struct
import termios
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from coach.scenario_time import wire
from coach.scenario_time.observer import ProgramThreads

EPOCH = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC).timestamp()
"""The Unix time scenario time zero stands for: fixed, so `*-reset` headers and `datetime.now()`
read the same in every grade."""
DEADLOCK_GRACE_S = 0.25
"""Wall seconds everything must stay blocked with nothing to wake it before the run is a deadlock
(a wait the clock cannot see, such as a raw `Lock.acquire(timeout=)`, gets that long to end)."""
SCENARIO_LIMIT_S = 86_400.0
"""Scenario seconds a run may last: a program that sleeps in a loop forever ends here, not at the wall limit."""
_POLL_MIN_S, _POLL_MAX_S = 20e-6, 2e-3
"""How often to look at a running program's threads: soon after any message (a thread says it is about
to wait), then less and less often while it stays busy."""
_F_SEAL_FUTURE_WRITE = 0x0010
_MAX_WAKE_PIPES = 64
_CHANNEL = object()
_CREDENTIALS = struct.Struct("iII")  # struct ucred: pid, uid, gid
_ANCILLARY_BYTES = socket.CMSG_SPACE(4 * 4) + socket.CMSG_SPACE(_CREDENTIALS.size)  # up to 4 fds, and the sender


class VirtualTimeUnavailable(RuntimeError):
    """This system lacks what virtual time needs (Linux's /proc schedstat and memfd)."""


class VirtualClock:
    """Scenario time for one grade: `now()`, `wall_time()` and `asleep()` for the stub, sessions for runs."""

    def __init__(self, epoch: float = EPOCH, limit_s: float = SCENARIO_LIMIT_S) -> None:
        if not hasattr(os, "memfd_create") or not ProgramThreads.supported():
            raise VirtualTimeUnavailable(
                "grading needs virtual scenario time, which needs Linux (/proc/<pid>/task/*/schedstat and memfd); "
                "this system has neither, see docs/sandbox.md")
        self.epoch = epoch
        self.limit_ns = int(limit_s * 1e9)
        self._now_ns = 0
        self._page_fd = os.memfd_create("coach-scenario-time", os.MFD_ALLOW_SEALING | os.MFD_CLOEXEC)
        os.ftruncate(self._page_fd, mmap.PAGESIZE)
        self._page = mmap.mmap(self._page_fd, mmap.PAGESIZE)
        fcntl.fcntl(self._page_fd, fcntl.F_ADD_SEALS,
                    _F_SEAL_FUTURE_WRITE | fcntl.F_SEAL_SHRINK | fcntl.F_SEAL_GROW | fcntl.F_SEAL_SEAL)
        self._timers: list[tuple[int, int, asyncio.Future[None]]] = []
        self._order = itertools.count()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._selector: VirtualSelector | None = None
        self._session: ClockSession | None = None
        self.steps = 0
        """How many times time moved (a measure of how much waiting a run did)."""
        self.in_flight: Callable[[], int] = lambda: 0
        """How many requests the stub holds open (set by the stub): with two or more, time moving first
        records how many of the program's threads wait on sockets (`ClockSession.fd_waiters`)."""

    # -- what the stub reads -------------------------------------------------------------------

    def now(self) -> float:
        """Scenario seconds since time zero."""
        return self._now_ns / 1e9

    def now_ns(self) -> int:
        return self._now_ns

    def wall_time(self) -> float:
        """Scenario Unix time, for `date` headers and RFC 3339 resets."""
        return self.epoch + self._now_ns / 1e9

    async def asleep(self, seconds: float) -> None:
        """Wait `seconds` of scenario time; costs no wall time once the program waits too."""
        if not seconds > 0:
            await asyncio.sleep(0)
            return
        loop = asyncio.get_running_loop()
        assert loop is self._loop, "a VirtualClock's waits run on the loop from its new_event_loop()"
        future: asyncio.Future[None] = loop.create_future()
        heapq.heappush(self._timers, (self._now_ns + math.ceil(seconds * 1e9), next(self._order), future))
        await future

    # -- the stub's loop -----------------------------------------------------------------------

    def new_event_loop(self) -> asyncio.AbstractEventLoop:
        """The event loop the stub must run on: its idle moments are where time moves."""
        assert self._loop is None, "a VirtualClock drives one event loop"
        self._selector = VirtualSelector(self)
        self._loop = asyncio.SelectorEventLoop(self._selector)
        return self._loop

    # -- runs ----------------------------------------------------------------------------------

    def open_session(self) -> ClockSession:
        """The channel for one sandboxed run; `attach()` it to the run's root pid once started.

        From here until the session closes, time moves only by the program's and the stub's waits.
        """
        assert self._loop is not None, "start the stub (new_event_loop) before a run"
        session = ClockSession(self)
        done = threading.Event()

        def claim() -> None:
            assert self._session is None, "one sandboxed run at a time per clock"
            self._session = session
            done.set()

        self._loop.call_soon_threadsafe(claim)
        done.wait(5.0)
        return session

    def page_fd(self) -> int:
        return self._page_fd

    def close(self) -> None:
        with contextlib.suppress(BufferError, ValueError):
            self._page.close()
        with contextlib.suppress(OSError):
            os.close(self._page_fd)

    # -- moving time (loop thread only) -------------------------------------------------------

    def _earliest(self) -> int | None:
        timers = self._timers
        while timers and timers[0][2].done():
            heapq.heappop(timers)
        candidates = [timers[0][0]] if timers else []
        if self._session is not None:
            candidates.extend(self._session.live_deadlines())
        return min(candidates) if candidates else None

    def _advance(self, target_ns: int) -> None:
        if target_ns > self._now_ns:
            self._now_ns = target_ns
            self._page[0:8] = struct.pack("<q", target_ns)
        self.steps += 1
        timers = self._timers
        while timers and timers[0][0] <= self._now_ns:
            _, _, future = heapq.heappop(timers)
            if not future.done():
                future.set_result(None)
        if self._session is not None:
            self._session.wake_due(self._now_ns)

    def _idle(self, selector: VirtualSelector, timeout: float | None) -> list[Any]:
        """The stub's loop has nothing to do: move time when the program has nothing to do either."""
        host_deadline = None if timeout is None else time.monotonic() + timeout
        poll = _POLL_MIN_S
        stuck_since: float | None = None
        while True:
            session = self._session
            if session is None:
                # No program: whoever calls the stub now (a test, a hung-up client's leftovers) is not on
                # scenario time, so time runs on to each of the stub's deadlines at once.
                target = self._earliest()
                if target is not None:
                    self._advance(target)
                    return []
            if session is None or session.threads is None:
                remaining = None if host_deadline is None else max(0.0, host_deadline - time.monotonic())
                return selector.inner_select(remaining)
            if session.threads.quiescent() and session.output_drained():
                ready, changed = selector.inner_poll()
                if ready:
                    return ready
                if not changed:
                    target = self._earliest()
                    if target is None:
                        now = time.monotonic()
                        stuck_since = stuck_since or now
                        if now - stuck_since >= DEADLOCK_GRACE_S:
                            session.report("deadlock")
                    elif target - session.started_ns > self.limit_ns:
                        session.report("scenario_time")
                    else:
                        session.note_fd_waiters(self._now_ns)
                        self._advance(target)
                        return []
            else:
                stuck_since = None
            ready, changed = selector.inner_poll(poll)
            if ready:
                return ready
            if host_deadline is not None and time.monotonic() >= host_deadline:
                return []
            poll = _POLL_MIN_S if changed else min(poll * 2, _POLL_MAX_S)


class VirtualSelector(selectors.DefaultSelector):  # type: ignore[misc, valid-type]
    """The stub loop's selector: where an idle loop would block, the clock may move time instead."""

    def __init__(self, clock: VirtualClock) -> None:
        super().__init__()
        self._clock = clock

    def select(self, timeout: float | None = None) -> list[Any]:
        ready, changed = self.inner_poll()
        if ready or changed or (timeout is not None and timeout <= 0):
            return ready
        return self._clock._idle(self, timeout)

    def inner_select(self, timeout: float | None) -> list[Any]:
        ready = super().select(timeout)
        return self._handle_internal(ready)[0]

    def inner_poll(self, wait_s: float = 0.0) -> tuple[list[Any], bool]:
        """Ready events for the loop, and whether the clock channel said anything."""
        if wait_s > 0:
            # epoll counts in milliseconds; select() on the epoll fd itself waits microseconds and still
            # returns at once when anything registered (the clock channel, a client's socket) is ready.
            select.select([self.fileno()], [], [], wait_s)
        return self._handle_internal(super().select(0))

    def _handle_internal(self, ready: list[Any]) -> tuple[list[Any], bool]:
        if not any(key.data is _CHANNEL for key, _ in ready):
            return ready, False
        for key, _ in ready:
            if key.data is _CHANNEL and self._clock._session is not None:
                self._clock._session.receive()
        return [(key, events) for key, events in ready if key.data is not _CHANNEL], True


@dataclass
class ClockSession:
    """One sandboxed run's link to the clock: the channel, the program's deadlines, its threads."""

    clock: VirtualClock
    deadlines: dict[int, int | None] = field(default_factory=dict)
    threads: ProgramThreads | None = None
    started_ns: int = 0
    reason: str | None = None
    """Why the clock stopped the run: "deadlock" or "scenario_time"."""
    fd_waiters: list[tuple[float, int]] | None = field(default_factory=list)
    """(scenario seconds, threads waiting on sockets or fd sets) each time time moved with two or more
    requests open at the stub, as the kernel saw them with every thread blocked
    (`ProgramThreads.fd_waiters`); None once the kernel would not say."""
    _wake_pipes: dict[int, int] = field(default_factory=dict)
    _output_fds: tuple[int, ...] = ()
    _channel: socket.socket | None = None
    _program_end: socket.socket | None = None
    _events_r: int = -1
    _events_w: int = -1
    _attached: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self._channel, self._program_end = socket.socketpair(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self._channel.setblocking(False)
        # The kernel stamps every message with its sender's pid (as this namespace sees it).
        self._channel.setsockopt(socket.SOL_SOCKET, socket.SO_PASSCRED, 1)
        self._events_r, self._events_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)

    # -- the runner's side (any thread) --------------------------------------------------------

    def child_fds(self) -> tuple[int, int]:
        """(page, channel): the fds the sandbox's harness is given."""
        assert self._program_end is not None
        return self.clock.page_fd(), self._program_end.fileno()

    def events_fd(self) -> int:
        """Readable when the clock stops the run (see `reason`)."""
        return self._events_r

    def attach(self, output_fds: tuple[int, ...] = ()) -> None:
        """Start listening to the started harness; returns once the loop does.

        The processes to watch introduce themselves on the channel (the learner process first, before
        any learner code runs); until then time stands still. `output_fds` are the runner's ends of the
        program's stdout and stderr, which must be read empty before time may move.
        """
        loop = self.clock._loop
        assert loop is not None
        self._output_fds = output_fds
        if self._program_end is not None:
            self._program_end.close()  # the harness has its copy now
            self._program_end = None
        loop.call_soon_threadsafe(self._attach_in_loop)
        self._attached.wait(5.0)

    def close(self) -> None:
        """Stop watching; the stub keeps serving, but time no longer moves for this run."""
        loop = self.clock._loop
        done = threading.Event()

        def detach() -> None:
            try:
                if self.clock._session is self:
                    self.clock._session = None
                    selector = self.clock._selector
                    if selector is not None and self._channel is not None:
                        with contextlib.suppress(KeyError, ValueError):
                            selector.unregister(self._channel)
                if self.threads is not None:
                    self.threads.close()
                for fd in self._wake_pipes.values():
                    _close(fd)
                self._wake_pipes.clear()
            finally:
                done.set()

        if loop is not None and not loop.is_closed() and loop.is_running():
            try:
                loop.call_soon_threadsafe(detach)
                done.wait(5.0)
            except RuntimeError:
                detach()
        else:
            detach()
        for sock in (self._channel, self._program_end):
            if sock is not None:
                sock.close()
        _close(self._events_r)
        _close(self._events_w)

    # -- the loop's side -----------------------------------------------------------------------

    def _attach_in_loop(self) -> None:
        try:
            self.started_ns = self.clock._now_ns
            assert self.clock._selector is not None and self._channel is not None
            self.clock._selector.register(self._channel, selectors.EVENT_READ, _CHANNEL)
        finally:
            self._attached.set()

    def note_fd_waiters(self, now_ns: int) -> None:
        """Record, before time moves on from `now_ns`, how many threads wait on fds (loop thread only)."""
        if self.fd_waiters is None or self.threads is None or self.clock.in_flight() < 2:
            return
        count = self.threads.fd_waiters()
        if count is None:
            self.fd_waiters = None
        else:
            self.fd_waiters.append((now_ns / 1e9, count))

    def output_drained(self) -> bool:
        """The runner has read everything the program wrote (a full pipe would block it, unseen)."""
        for fd in self._output_fds:
            try:
                waiting = fcntl.ioctl(fd, termios.FIONREAD, b"\0\0\0\0")
            except OSError:
                continue
            if struct.unpack("i", waiting)[0]:
                return False
        return True

    def receive(self) -> None:
        """Every message waiting on the channel (untrusted: malformed ones are dropped)."""
        assert self._channel is not None
        recvmsg = self._channel.recvmsg
        while True:
            try:
                data, ancdata, _, _ = recvmsg(wire.MAX_MESSAGE, _ANCILLARY_BYTES)
            except OSError:  # BlockingIOError: nothing more to read
                return
            if not data:
                return
            if data == wire.WAITING and all(kind == socket.SCM_CREDENTIALS for _, kind, _ in ancdata):
                continue  # a hint (the caller looks at the threads again), with no fds to close
            passed = _passed_fds(ancdata)
            pid = _sender_pid(ancdata)
            if pid is None:
                pass
            elif len(data) == wire.DEADLINE.size and data[:1] == b"D":
                _, deadline = wire.DEADLINE.unpack(data)
                if pid in self._wake_pipes:
                    self.deadlines[pid] = None if deadline < 0 else deadline
            elif data == wire.WAKE_PIPE and len(passed) == 1 and self._adopt_wake_pipe(pid, passed[0]):
                passed = []
                if self.threads is None and ProgramThreads.supported():
                    self.threads = ProgramThreads()
                if self.threads is not None:
                    self.threads.add_root(pid)
            for fd in passed:
                _close(fd)

    def _adopt_wake_pipe(self, pid: int, fd: int) -> bool:
        try:
            if not stat.S_ISFIFO(os.fstat(fd).st_mode):
                return False
        except OSError:
            return False
        if pid not in self._wake_pipes and len(self._wake_pipes) >= _MAX_WAKE_PIPES:
            return False
        os.set_blocking(fd, False)
        old = self._wake_pipes.pop(pid, None)
        if old is not None:
            _close(old)
        self._wake_pipes[pid] = fd
        return True

    def live_deadlines(self) -> list[int]:
        """The deadlines of processes still alive: a process that ended closed its wake pipe's far end."""
        live = []
        for pid, deadline in self.deadlines.items():
            if deadline is None:
                continue
            fd = self._wake_pipes.get(pid)
            if fd is not None and _reader_gone(fd):
                self.deadlines[pid] = None
                continue
            live.append(deadline)
        return live

    def wake_due(self, now_ns: int) -> None:
        """Wake every process whose earliest deadline has come; it will say what it waits for next."""
        for pid, deadline in list(self.deadlines.items()):
            if deadline is not None and deadline <= now_ns:
                self.deadlines[pid] = None
                fd = self._wake_pipes.get(pid)
                if fd is not None:
                    with contextlib.suppress(BlockingIOError, OSError):
                        os.write(fd, b"t")

    def report(self, reason: str) -> None:
        if self.reason is None:
            self.reason = reason
            with contextlib.suppress(OSError):
                os.write(self._events_w, b"!")


def _reader_gone(fd: int) -> bool:
    poller = select.poll()
    poller.register(fd, 0)
    return any(events & (select.POLLERR | select.POLLHUP) for _, events in poller.poll(0))


def _sender_pid(ancdata: list[tuple[int, int, bytes]]) -> int | None:
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_CREDENTIALS and len(payload) >= _CREDENTIALS.size:
            return _CREDENTIALS.unpack_from(payload)[0]
    return None


def _passed_fds(ancdata: list[tuple[int, int, bytes]]) -> list[int]:
    fds = array.array("i")
    for level, kind, payload in ancdata:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds.frombytes(payload[: len(payload) - (len(payload) % fds.itemsize)])
    return list(fds)


def _close(fd: int) -> None:
    if fd >= 0:
        with contextlib.suppress(OSError):
            os.close(fd)
