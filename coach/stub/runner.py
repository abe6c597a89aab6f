"""A StubServer on its own event-loop thread, for synchronous callers (grader, `coach run`, tests).

Starting one costs a thread and two listening sockets (tens of milliseconds), so the grader
can start a fresh stub, with a fresh journal, cache and rate limits, for every grade.
"""

from __future__ import annotations

import asyncio
import socket
import threading
from pathlib import Path
from types import TracebackType

from coach.clock import ScenarioClock
from coach.scenario_time import VirtualClock
from coach.stub.journal import Journal
from coach.stub.scenario import Scenario
from coach.stub.server import StubServer

START_TIMEOUT_S = 10.0


class StubThread:
    """`with StubThread(scenario, clock) as stub:` then point clients at `stub.base_url`."""

    def __init__(self, scenario: Scenario, clock: ScenarioClock | VirtualClock, journal_path: Path | None = None,
                 host: str = "127.0.0.1", port: int = 0) -> None:
        self.journal = Journal(journal_path)
        self.server = StubServer(scenario, clock, self.journal)
        self._host, self._port = host, port
        # A virtual clock moves time in its loop's idle moments, so the stub must run on that loop.
        self._loop = clock.new_event_loop() if isinstance(clock, VirtualClock) else asyncio.new_event_loop()
        if isinstance(clock, VirtualClock):
            clock.in_flight = lambda: self.journal.in_flight
        self._thread = threading.Thread(target=self._loop.run_forever, name="coach-stub", daemon=True)
        self._started = False

    @property
    def base_url(self) -> str:
        assert self.server.base_url is not None, "the stub is not started"
        return self.server.base_url

    @property
    def admin_url(self) -> str:
        assert self.server.admin_url is not None, "the stub is not started"
        return self.server.admin_url

    def start(self) -> StubThread:
        self._thread.start()
        self._started = True
        try:
            self._run(self.server.start(self._host, self._port))
        except BaseException:
            self.stop()  # e.g. the port is taken: leave no thread or loop behind
            raise
        return self

    def adopt_socket(self, sock: socket.socket) -> None:
        """Serve the API on a listening socket too; returns once it is being served."""
        self._run(self.server.adopt_socket(sock))

    def stop(self) -> None:
        if not self._thread.is_alive():
            return
        try:
            if self._started:
                self._run(self.server.stop())
        finally:
            self._loop.call_soon_threadsafe(self._loop.stop)
            self._thread.join(timeout=START_TIMEOUT_S)
            self._loop.close()
            self.journal.close()

    def _run(self, coroutine: object) -> object:
        future = asyncio.run_coroutine_threadsafe(coroutine, self._loop)  # type: ignore[arg-type]
        return future.result(timeout=START_TIMEOUT_S)

    def __enter__(self) -> StubThread:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()
