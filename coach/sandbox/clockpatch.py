"""Put the program on virtual scenario time (runs inside the sandbox, before learner code).

Reading the time reads the grader's sealed page (`coach.scenario_time`): `time.time/monotonic/
perf_counter` (and `_ns`, `clock_gettime`), `time.localtime/gmtime/ctime/strftime` without an
argument, and `datetime.now/utcnow/today`. Every timed wait becomes an untimed wait plus a deadline
the grader is told about, and the grader wakes the process when scenario time reaches it:
`time.sleep`, `threading` (Condition.wait, and so Event, Semaphore, Barrier, Timer and
`queue.Queue`; `Thread.join`), the asyncio loop's selector, and socket timeouts (`settimeout`,
`create_connection(timeout=)`, `setdefaulttimeout`) and `select.select`. A listener thread per process reads the
grader's wake-ups; nothing here can move the time, only wait for it.

Randomness is seeded from the grade's seed: `random`, new `random.Random()` instances, and
`os.urandom` (so `secrets`, `SystemRandom` and `uuid.uuid4`), since a grade must replay exactly
and nothing inside the sandbox needs real secrecy. The limits (C code reading the host clock,
`select.poll` and raw `Lock.acquire` with a timeout) are in docs/sandbox.md.
"""

from __future__ import annotations

import _socket
import _thread
import asyncio
import contextlib
import datetime
import heapq
import itertools
import math
import mmap
import multiprocessing.connection  # here, so the warm pool's server imports it once, not every run
import os
import queue
import random
import select
import selectors
import socket
import threading
import time
import weakref
from collections.abc import Callable
from typing import Any

from coach.scenario_time import wire

Wake = Callable[[], None]


class _Timer:
    __slots__ = ("deadline", "state", "wake")

    def __init__(self, deadline: int, wake: Wake) -> None:
        self.deadline, self.wake, self.state = deadline, wake, 0  # 0 pending, 1 fired, 2 cancelled


class ProgramClock:
    """This process's view of scenario time: the read-only page, its deadlines, its wake-up listener."""

    def __init__(self, page_fd: int, channel_fd: int, epoch: float) -> None:
        self._page = mmap.mmap(page_fd, mmap.PAGESIZE, prot=mmap.PROT_READ)
        os.close(page_fd)
        self._channel = _socket.socket(fileno=channel_fd)  # the C type: socket patches below don't apply
        self.epoch = epoch
        self._order = itertools.count()
        self._start()
        os.register_at_fork(after_in_child=self._start)

    def _start(self) -> None:
        """(Re)start in this process: a forked child has none of its parent's waits or listener."""
        self._lock = _thread.allocate_lock()
        self._heap: list[tuple[int, int, _Timer]] = []
        self._announced: int | None = None
        wake_r, wake_w = os.pipe2(os.O_CLOEXEC)
        try:
            self._channel.sendmsg([wire.WAKE_PIPE],
                                  [(socket.SOL_SOCKET, socket.SCM_RIGHTS, wake_w.to_bytes(4, "little", signed=True))])
        finally:
            os.close(wake_w)
        _thread.start_new_thread(self._listen, (wake_r,))

    def now_ns(self) -> int:
        return wire.read_now_ns(self._page)

    def now(self) -> float:
        return self.now_ns() / 1e9

    def wall(self) -> float:
        return self.epoch + self.now_ns() / 1e9

    def deadline_after(self, seconds: float) -> int:
        return self.now_ns() + math.ceil(seconds * 1e9)

    def register(self, deadline: int, wake: Wake) -> _Timer:
        """Call `wake` (on the listener thread) once scenario time reaches `deadline` nanoseconds."""
        timer = _Timer(deadline, wake)
        with self._lock:
            heapq.heappush(self._heap, (deadline, next(self._order), timer))
            if self._announced is None or deadline < self._announced:
                self._announce(deadline)
            else:
                self.waiting()
        return timer

    def waiting(self) -> None:
        """Tell the grader a thread is about to block, so it looks now instead of at its next poll."""
        with contextlib.suppress(OSError):
            self._channel.send(wire.WAITING)

    def cancel(self, timer: _Timer) -> bool:
        """True if the timer had not fired yet (it never will now)."""
        with self._lock:
            if timer.state != 0:
                return False
            timer.state = 2
            if timer.deadline == self._announced:
                # The grader must not move time for a wait that is over (a read that got its answer).
                heap = self._heap
                while heap and heap[0][2].state != 0:
                    heapq.heappop(heap)
                following = heap[0][0] if heap else None
                if following != self._announced:
                    self._announce(following)
            return True

    def _announce(self, deadline: int | None) -> None:
        self._announced = deadline
        with contextlib.suppress(OSError):  # the grader is gone: the run is ending
            self._channel.send(wire.deadline_message(deadline))

    def _listen(self, wake_r: int) -> None:
        while True:
            try:
                if not os.read(wake_r, 64):
                    return
            except InterruptedError:
                continue
            except OSError:
                return
            now = self.now_ns()
            due: list[_Timer] = []
            with self._lock:
                heap = self._heap
                while heap and (heap[0][2].state != 0 or heap[0][0] <= now):
                    _, _, timer = heapq.heappop(heap)
                    if timer.state == 0:
                        timer.state = 1
                        due.append(timer)
                # The grader forgot this process's deadline when it woke it: say the next one.
                self._announce(heap[0][0] if heap else None)
            for timer in due:
                with contextlib.suppress(Exception):  # a wake must never end the listener
                    timer.wake()


_clock: ProgramClock | None = None


def install(page_fd: int, channel_fd: int, epoch: float, seed: int) -> ProgramClock:
    global _clock
    clock = _clock = ProgramClock(page_fd, channel_fd, epoch)
    _patch_time(clock)
    _patch_threading(clock)
    _patch_asyncio(clock)
    _patch_sockets(clock)
    _patch_select(clock)
    _patch_multiprocessing()
    _patch_datetime(clock.wall)
    _seed_randomness(seed)
    return clock


# -- time ------------------------------------------------------------------------------------


def _sleep_seconds(seconds: object) -> float:
    if isinstance(seconds, bool) or not isinstance(seconds, int | float):
        if not hasattr(seconds, "__float__") and not hasattr(seconds, "__index__"):
            raise TypeError(f"'{type(seconds).__name__}' object cannot be interpreted as an integer")
        seconds = float(seconds)  # type: ignore[arg-type]
    if isinstance(seconds, float):
        if math.isnan(seconds):
            raise ValueError("Invalid value NaN (not a number)")
        if math.isinf(seconds):
            raise OverflowError("timestamp too large to convert to C _PyTime_t")
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    return float(seconds)


def _patch_time(clock: ProgramClock) -> None:
    real_sleep = time.sleep
    real_localtime, real_gmtime, real_strftime = time.localtime, time.gmtime, time.strftime
    real_clock_gettime, real_clock_gettime_ns = time.clock_gettime, time.clock_gettime_ns
    virtual_ids = {time.CLOCK_REALTIME, time.CLOCK_MONOTONIC}
    for name in ("CLOCK_MONOTONIC_RAW", "CLOCK_BOOTTIME"):
        if hasattr(time, name):
            virtual_ids.add(getattr(time, name))

    def sleep(seconds: float) -> None:
        seconds = _sleep_seconds(seconds)
        if seconds == 0:
            real_sleep(0)
            return
        gate = _thread.allocate_lock()
        gate.acquire()
        clock.register(clock.deadline_after(seconds), gate.release)
        gate.acquire()

    def clock_gettime_ns(clk_id: int) -> int:
        if clk_id not in virtual_ids:
            return real_clock_gettime_ns(clk_id)
        if clk_id == time.CLOCK_REALTIME:
            return int(clock.epoch * 1e9) + clock.now_ns()
        return clock.now_ns()

    def clock_gettime(clk_id: int) -> float:
        if clk_id not in virtual_ids:
            return real_clock_gettime(clk_id)
        return clock_gettime_ns(clk_id) / 1e9

    time.sleep = sleep
    time.time = clock.wall
    time.time_ns = lambda: int(clock.epoch * 1e9) + clock.now_ns()
    for name in ("monotonic", "perf_counter"):
        setattr(time, name, clock.now)
        setattr(time, f"{name}_ns", clock.now_ns)
    time.clock_gettime, time.clock_gettime_ns = clock_gettime, clock_gettime_ns
    time.localtime = lambda secs=None: real_localtime(clock.wall() if secs is None else secs)  # type: ignore[assignment]
    time.gmtime = lambda secs=None: real_gmtime(clock.wall() if secs is None else secs)  # type: ignore[assignment]
    time.ctime = lambda secs=None: time.asctime(time.localtime(secs))  # type: ignore[assignment]
    time.strftime = lambda fmt, t=None: real_strftime(fmt, time.localtime() if t is None else t)  # type: ignore[assignment]


# -- threading -------------------------------------------------------------------------------


class _Waiter:
    """One thread waiting on a Condition: notified or timed out, whichever comes first, never both."""

    __slots__ = ("gate", "state")
    _claims = _thread.allocate_lock()

    def __init__(self) -> None:
        self.gate = _thread.allocate_lock()
        self.gate.acquire()
        self.state = 0  # 0 waiting, 1 notified, 2 timed out

    def claim(self, state: int) -> bool:
        with _Waiter._claims:
            if self.state:
                return False
            self.state = state
        self.gate.release()
        return True


def _patch_threading(clock: ProgramClock) -> None:
    # threading and queue bound `monotonic` at import time.
    threading._time = clock.now  # type: ignore[attr-defined]
    queue.time = clock.now  # type: ignore[attr-defined]
    real_join = threading.Thread.join
    real_bootstrap = threading.Thread._bootstrap_inner  # type: ignore[attr-defined]
    joiners: weakref.WeakKeyDictionary[threading.Thread, list[_Waiter]] = weakref.WeakKeyDictionary()

    def wait(self: threading.Condition, timeout: float | None = None) -> bool:
        if not self._is_owned():  # type: ignore[attr-defined]
            raise RuntimeError("cannot wait on un-acquired lock")
        waiter = _Waiter()
        self._waiters.append(waiter)  # type: ignore[attr-defined]
        saved = self._release_save()  # type: ignore[attr-defined]
        timer = None
        try:
            if timeout is None:
                clock.waiting()
                waiter.gate.acquire()
            elif timeout <= 0:
                if not waiter.claim(2):
                    waiter.gate.acquire()
            else:
                timer = clock.register(clock.deadline_after(timeout), lambda: waiter.claim(2))
                waiter.gate.acquire()
            return waiter.state == 1
        finally:
            if timer is not None:
                clock.cancel(timer)
            self._acquire_restore(saved)  # type: ignore[attr-defined]
            if waiter.state != 1:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)  # type: ignore[attr-defined]

    def notify(self: threading.Condition, n: int = 1) -> None:
        if not self._is_owned():  # type: ignore[attr-defined]
            raise RuntimeError("cannot notify on un-acquired lock")
        waiters = self._waiters  # type: ignore[attr-defined]
        while waiters and n > 0:
            waiter = waiters[0]
            if waiter.claim(1) if isinstance(waiter, _Waiter) else _release(waiter):
                n -= 1
            with contextlib.suppress(ValueError):
                waiters.remove(waiter)

    def join(self: threading.Thread, timeout: float | None = None) -> None:
        if timeout is None or timeout <= 0 or not self.is_alive() or self is threading.current_thread():
            if timeout is None and self.is_alive():
                clock.waiting()
            real_join(self, timeout)
            return
        waiter = _Waiter()
        joiners.setdefault(self, []).append(waiter)
        timer = clock.register(clock.deadline_after(timeout), lambda: waiter.claim(2))
        try:
            if self.is_alive():
                waiter.gate.acquire()
            else:
                waiter.claim(1)
        finally:
            clock.cancel(timer)
            with _Waiter._claims:
                waiting = joiners.get(self, [])
                if waiter in waiting:
                    waiting.remove(waiter)
        if waiter.state == 1:
            real_join(self)  # the thread is past its last line: its end is moments away

    def bootstrap_inner(self: threading.Thread) -> None:
        try:
            real_bootstrap(self)
        finally:
            for waiter in list(joiners.get(self, [])):
                waiter.claim(1)

    threading.Condition.wait = wait  # type: ignore[method-assign]
    threading.Condition.notify = notify  # type: ignore[method-assign]
    threading.Thread.join = join  # type: ignore[method-assign]
    threading.Thread._bootstrap_inner = bootstrap_inner  # type: ignore[attr-defined]


def _release(lock: Any) -> bool:
    """A waiter from before the patch: a plain lock."""
    try:
        lock.release()
        return True
    except RuntimeError:
        return False


# -- asyncio ---------------------------------------------------------------------------------

_WAKE = object()


def _patch_asyncio(clock: ProgramClock) -> None:
    # The loop's clock is `time.monotonic()` (virtual now); only its selector's wait needs a deadline.
    base = selectors.DefaultSelector

    class ScenarioSelector(base):  # type: ignore[misc, valid-type]
        def __init__(self) -> None:
            super().__init__()
            self._wake_r, self._wake_w = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
            super().register(self._wake_r, selectors.EVENT_READ, _WAKE)

        def select(self, timeout: float | None = None):  # type: ignore[no-untyped-def]
            if timeout is None or timeout <= 0:
                if timeout is None:
                    clock.waiting()
                ready = super().select(timeout)
            else:
                ready = super().select(0)
                if not [key for key, _ in ready if key.data is not _WAKE]:
                    timer = clock.register(clock.deadline_after(timeout), self._poke)
                    try:
                        ready = super().select(None)
                    finally:
                        clock.cancel(timer)
            if any(key.data is _WAKE for key, _ in ready):
                _drain(self._wake_r)
                ready = [(key, events) for key, events in ready if key.data is not _WAKE]
            return ready

        def _poke(self) -> None:
            _poke(self._wake_w)

        def close(self) -> None:
            super().close()
            for fd in (self._wake_r, self._wake_w):
                with contextlib.suppress(OSError):
                    os.close(fd)

    class ScenarioLoopPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return asyncio.SelectorEventLoop(ScenarioSelector())

    asyncio.set_event_loop_policy(ScenarioLoopPolicy())


_thread_pipes = threading.local()
os.register_at_fork(after_in_child=lambda: _thread_pipes.__dict__.clear())


def _thread_wake_pipe() -> tuple[int, int]:
    """This thread's own wake pipe (read, write), made on first use; a forked child makes its own."""
    fds = getattr(_thread_pipes, "pipe", None)
    if fds is None:
        fds = _thread_pipes.pipe = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
    return fds


def _patch_select(clock: ProgramClock) -> None:
    """`select.select` with a timeout: untimed, plus this thread's wake pipe and a deadline."""
    real_select = select.select

    def scenario_select(rlist: Any, wlist: Any, xlist: Any, timeout: float | None = None) -> Any:
        if timeout is None or timeout <= 0:
            return real_select(rlist, wlist, xlist, timeout)
        rlist, wlist, xlist = list(rlist), list(wlist), list(xlist)
        ready = real_select(rlist, wlist, xlist, 0)
        if any(ready):
            return ready
        wake_r, wake_w = _thread_wake_pipe()
        deadline = clock.deadline_after(timeout)
        timer = clock.register(deadline, lambda: _poke(wake_w))
        try:
            while True:
                readable, writable, exceptional = real_select([*rlist, wake_r], wlist, xlist)
                if wake_r in readable:
                    _drain(wake_r)
                    readable = [r for r in readable if r is not wake_r and r != wake_r]
                if readable or writable or exceptional or clock.now_ns() >= deadline:
                    return readable, writable, exceptional
        finally:
            clock.cancel(timer)

    select.select = scenario_select


def _patch_multiprocessing() -> None:
    """`multiprocessing.connection.wait` with a timeout (joins, pools, `Connection.poll`) waits on scenario time.

    Its own loop re-reads `time.monotonic()` until the deadline passes, which only waits move: a `poll()`
    with no timeout would spin for ever, and ProcessPoolExecutor polls so. Here it is `select.select` above.
    """
    real_wait = multiprocessing.connection.wait

    def wait(object_list: Any, timeout: float | None = None) -> list[Any]:
        if timeout is None:
            return real_wait(object_list)
        return select.select(list(object_list), [], [], max(float(timeout), 0.0))[0]

    multiprocessing.connection.wait = wait


def _drain(fd: int) -> None:
    try:
        while os.read(fd, 4096):
            pass
    except OSError:
        pass


# -- sockets ---------------------------------------------------------------------------------


def _patch_sockets(clock: ProgramClock) -> None:
    """A socket timeout of T waits untimed, with a deadline T scenario seconds away."""
    cls = socket.socket
    real_settimeout, real_gettimeout, real_setblocking = cls.settimeout, cls.gettimeout, cls.setblocking
    real_init = cls.__init__
    timeouts: weakref.WeakKeyDictionary[socket.socket, float] = weakref.WeakKeyDictionary()
    default: list[float | None] = [socket.getdefaulttimeout()]
    socket.setdefaulttimeout(None)

    def settimeout(self: socket.socket, value: float | None) -> None:
        real_settimeout(self, value)  # validates, and sets blocking or not
        if value is None or value == 0:
            timeouts.pop(self, None)
        else:
            real_settimeout(self, None)
            timeouts[self] = float(value)

    def gettimeout(self: socket.socket) -> float | None:
        value = timeouts.get(self)
        return value if value is not None else real_gettimeout(self)

    def setblocking(self: socket.socket, flag: bool) -> None:
        real_setblocking(self, flag)
        timeouts.pop(self, None)

    def init(self: socket.socket, *args: Any, **kwargs: Any) -> None:
        real_init(self, *args, **kwargs)
        if default[0] is not None:
            settimeout(self, default[0])

    def wait(sock: socket.socket, events: int) -> None:
        timeout = timeouts.get(sock)
        if timeout is None:
            return
        fd = sock.fileno()
        if fd < 0:
            return
        poller = select.poll()
        poller.register(fd, events)
        if poller.poll(0):
            return
        wake_r, wake_w = _thread_wake_pipe()
        deadline = clock.deadline_after(timeout)
        timer = clock.register(deadline, lambda: _poke(wake_w))
        poller.register(wake_r, select.POLLIN)
        try:
            while True:
                if any(ready == fd for ready, _ in poller.poll()):
                    return
                _drain(wake_r)
                if clock.now_ns() >= deadline:
                    raise TimeoutError("timed out")
        finally:
            clock.cancel(timer)

    def waiting(name: str, events: int) -> None:
        real = getattr(cls, name)

        def method(self: socket.socket, *args: Any, **kwargs: Any) -> Any:
            wait(self, events)
            return real(self, *args, **kwargs)

        method.__name__ = name
        setattr(cls, name, method)

    readable, writable = select.POLLIN | select.POLLPRI, select.POLLOUT
    for name in ("recv", "recv_into", "recvfrom", "recvfrom_into", "recvmsg", "recvmsg_into", "_accept"):
        waiting(name, readable)
    for name in ("send", "sendall", "sendto", "sendmsg"):
        waiting(name, writable)
    cls.settimeout = settimeout  # type: ignore[method-assign]
    cls.gettimeout = gettimeout  # type: ignore[method-assign]
    cls.setblocking = setblocking  # type: ignore[method-assign]
    cls.__init__ = init  # type: ignore[method-assign]

    def setdefaulttimeout(value: float | None) -> None:
        if value is not None and (not isinstance(value, int | float) or value < 0):
            raise ValueError("Timeout value out of range")
        default[0] = None if value is None else float(value)

    socket.setdefaulttimeout = setdefaulttimeout
    socket.getdefaulttimeout = lambda: default[0]


def _poke(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.write(fd, b"t")


# -- datetime --------------------------------------------------------------------------------


def _patch_datetime(wall: Callable[[], float]) -> None:
    # `datetime.datetime` is a C type whose `now()` reads the host clock and cannot be reassigned;
    # the module attribute can, so code that imports datetime later gets a subclass reading
    # scenario time. Its metaclass keeps `isinstance(x, datetime)` true for ordinary datetimes
    # (the SDK's, made before the patch), and its names keep reprs and pickles as they were.
    real = datetime.datetime

    class _Meta(type):
        def __instancecheck__(cls, instance: object) -> bool:
            return isinstance(instance, real)

        def __subclasscheck__(cls, subclass: type) -> bool:
            return issubclass(subclass, real)

    class ScenarioDatetime(real, metaclass=_Meta):
        @classmethod
        def now(cls, tz: datetime.tzinfo | None = None) -> ScenarioDatetime:
            return cls.fromtimestamp(wall(), tz)

        @classmethod
        def utcnow(cls) -> ScenarioDatetime:
            return cls.now(datetime.UTC).replace(tzinfo=None)

        @classmethod
        def today(cls) -> ScenarioDatetime:
            return cls.now()

        def __repr__(self) -> str:
            return f"datetime.{super().__repr__()}"  # C's repr names the type by its bare name

    ScenarioDatetime.__name__ = ScenarioDatetime.__qualname__ = "datetime"
    ScenarioDatetime.__module__ = "datetime"
    datetime.datetime = ScenarioDatetime  # type: ignore[misc]


# -- randomness ------------------------------------------------------------------------------


def _seed_randomness(seed: int) -> None:
    random.seed(seed)
    streams = random.Random(f"coach-{seed}")
    real_seed = random.Random.seed

    def seed_method(self: random.Random, a: Any = None, version: int = 2) -> None:
        real_seed(self, streams.getrandbits(64) if a is None else a, version)

    def urandom(size: int) -> bytes:
        if size < 0:
            raise ValueError("negative argument not allowed")
        return streams.randbytes(size)

    random.Random.seed = seed_method  # type: ignore[method-assign]
    os.urandom = urandom
    random._urandom = urandom  # type: ignore[attr-defined]  (SystemRandom and secrets read this)
