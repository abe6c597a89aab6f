"""Make learner code live on the scenario clock (runs inside the sandbox only).

Python reads time through a few module attributes, so replacing them before learner code
runs moves everything built on them: `time.sleep/time/monotonic/perf_counter` (and `_ns`),
`threading` waits (Event, Condition, Timer, Thread.join, queue.Queue), the asyncio loop
(its `time()` is `time.monotonic()`, and its selector waits are scaled by 1/speed), and
socket timeouts (`settimeout` is scaled so a 10 s scenario timeout fires after 10/speed
wall seconds), and `datetime.datetime.now/utcnow/today`, so an RFC 3339 `*-reset` header minus
`datetime.now(timezone.utc)` is the wait in scenario seconds. Limits are in docs/sandbox.md: other
C code reading the clock directly (`date.today()`, `time.gmtime()`, a raw `Lock.acquire(timeout=)`)
still sees host time.
"""

from __future__ import annotations

import asyncio
import datetime
import queue
import selectors
import socket
import threading
import time
from collections.abc import Callable

from coach.clock import ScenarioClock


def install(clock: ScenarioClock) -> None:
    speed = clock.speed
    real_sleep = time.sleep
    real_monotonic = time.monotonic
    origin = clock.origin
    epoch = clock.epoch

    def now() -> float:
        return (real_monotonic() - origin) * speed

    def sleep(seconds: float) -> None:
        if seconds < 0:
            raise ValueError("sleep length must be non-negative")
        real_sleep(seconds / speed)

    def wall() -> float:
        return epoch + now()

    time.sleep = sleep
    time.time = wall
    time.time_ns = lambda: int(wall() * 1e9)
    for name in ("monotonic", "perf_counter"):
        setattr(time, name, now)
        setattr(time, f"{name}_ns", lambda: int(now() * 1e9))

    def scaled(timeout: float | None) -> float | None:
        return None if timeout is None else max(timeout, 0) / speed

    _patch_threading(now, scaled)
    _patch_asyncio(scaled)
    _patch_sockets(speed)
    _patch_datetime(wall)


def _patch_threading(now: Callable[[], float], scaled: Callable[[float | None], float | None]) -> None:
    # threading and queue bound `monotonic` at import time; Condition.wait is the one real wait
    # under Event.wait, Timer, Barrier and Queue.get/put.
    threading._time = now  # type: ignore[attr-defined]
    queue.time = now  # type: ignore[attr-defined]
    real_wait = threading.Condition.wait
    real_join = threading.Thread.join

    def wait(self: threading.Condition, timeout: float | None = None) -> bool:
        return real_wait(self, scaled(timeout))

    def join(self: threading.Thread, timeout: float | None = None) -> None:
        real_join(self, scaled(timeout))

    threading.Condition.wait = wait  # type: ignore[method-assign]
    threading.Thread.join = join  # type: ignore[method-assign]


def _patch_asyncio(scaled: Callable[[float | None], float | None]) -> None:
    # The loop computes timeouts from `time.monotonic()` (now scenario seconds) and hands them
    # to its selector, which waits in host seconds: scale at that one point.
    base = selectors.DefaultSelector

    class ScenarioSelector(base):  # type: ignore[misc, valid-type]
        def select(self, timeout: float | None = None):  # type: ignore[no-untyped-def]
            return super().select(scaled(timeout))

    class ScenarioLoopPolicy(asyncio.DefaultEventLoopPolicy):
        def new_event_loop(self) -> asyncio.AbstractEventLoop:
            return asyncio.SelectorEventLoop(ScenarioSelector())

    asyncio.set_event_loop_policy(ScenarioLoopPolicy())


def _patch_sockets(speed: float) -> None:
    real_settimeout = socket.socket.settimeout
    real_gettimeout = socket.socket.gettimeout

    def settimeout(self: socket.socket, value: float | None) -> None:
        real_settimeout(self, None if value is None else value / speed)

    def gettimeout(self: socket.socket) -> float | None:
        value = real_gettimeout(self)
        return None if value is None else value * speed

    socket.socket.settimeout = settimeout  # type: ignore[method-assign]
    socket.socket.gettimeout = gettimeout  # type: ignore[method-assign]
    real_setdefault = socket.setdefaulttimeout
    real_getdefault = socket.getdefaulttimeout
    default = real_getdefault()

    def setdefaulttimeout(value: float | None) -> None:
        real_setdefault(None if value is None else value / speed)

    def getdefaulttimeout() -> float | None:
        value = real_getdefault()
        return None if value is None else value * speed

    socket.setdefaulttimeout = setdefaulttimeout
    socket.getdefaulttimeout = getdefaulttimeout
    if default is not None:
        setdefaulttimeout(default)


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
