"""Is every thread of the sandboxed program blocked? Asked of the kernel, not of the program.

The program could claim anything about itself, so the grader reads `/proc` instead: each thread's
scheduler state, and how often and how long it has run (`schedstat`). Two snapshots taken one after
the other in which every thread is asleep (`S`) with unchanged run counts prove that, for the whole
time between them, nothing ran: a thread woken in between would show as runnable, or, had it already
run and blocked again, with a higher count. Snapshot one walks the process tree afresh, so threads
and processes created earlier are seen; one created between the two snapshots was created by a
thread that ran, which the counts reveal.

This is Go's synctest idea ("durably blocked") across a process boundary, with the kernel as the
witness. A thread stopped, in disk sleep or runnable is not blocked; a zombie no longer counts.
"""

from __future__ import annotations

import contextlib
import os
from dataclasses import dataclass, field


@dataclass
class _Task:
    stat: int
    schedstat: int


@dataclass
class ProgramThreads:
    """The threads of the program's processes, read from `/proc`; `quiescent()` answers for all of them.

    The roots are the processes that run learner code (each tells the clock it exists; the kernel
    names it); their descendants are found by walking `/proc/<pid>/task/<tid>/children`.
    """

    roots: set[int] = field(default_factory=set)
    _tasks: dict[tuple[int, int], _Task] = field(default_factory=dict)
    _baseline: dict[tuple[int, int], bytes] | None = None

    @staticmethod
    def supported() -> bool:
        return os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/schedstat")

    def add_root(self, pid: int) -> None:
        self.roots.add(pid)
        self._baseline = None

    def quiescent(self) -> bool:
        """True when every thread of every process is blocked, and has been since the last full scan.

        The full scan (new threads, new processes) is repeated only when a known thread ran: nothing
        that stayed asleep can have started anything.
        """
        now = self._snapshot()
        if now is None:
            return False
        if now != self._baseline:
            self._rescan()
            self._baseline = self._snapshot()
            if not self._baseline:
                return False
            now = self._snapshot()
        return bool(now) and now == self._baseline  # no threads at all: the program is gone, not waiting

    def close(self) -> None:
        for task in self._tasks.values():
            _close(task.stat)
            _close(task.schedstat)
        self._tasks.clear()

    def _snapshot(self) -> dict[tuple[int, int], bytes] | None:
        """{(pid, tid): run counters} when every live thread is asleep; None when one is not."""
        seen: dict[tuple[int, int], bytes] = {}
        for key, task in list(self._tasks.items()):
            try:
                stat = os.pread(task.stat, 512, 0)
                counters = os.pread(task.schedstat, 128, 0)
            except OSError:
                continue  # the thread ended: it cannot run any more
            end = stat.rfind(b")")
            state = stat[end + 2: end + 3]
            if state in (b"Z", b"X", b"x"):
                continue
            if state != b"S":
                return None
            seen[key] = counters
        return seen

    def _rescan(self) -> None:
        found: set[tuple[int, int]] = set()
        pending = list(self.roots)
        visited: set[int] = set()
        while pending:
            pid = pending.pop()
            if pid in visited:
                continue
            visited.add(pid)
            try:
                tids = [int(t) for t in os.listdir(f"/proc/{pid}/task")]
            except (OSError, ValueError):
                continue
            for tid in tids:
                key = (pid, tid)
                found.add(key)
                if key not in self._tasks and not self._open(key):
                    continue
                with contextlib.suppress(OSError, ValueError), open(f"/proc/{pid}/task/{tid}/children", "rb") as handle:
                    pending.extend(int(child) for child in handle.read().split())
        for key in set(self._tasks) - found:
            task = self._tasks.pop(key)
            _close(task.stat)
            _close(task.schedstat)

    def _open(self, key: tuple[int, int]) -> bool:
        pid, tid = key
        base = f"/proc/{pid}/task/{tid}"
        try:
            stat = os.open(f"{base}/stat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            return False
        try:
            schedstat = os.open(f"{base}/schedstat", os.O_RDONLY | os.O_CLOEXEC)
        except OSError:
            os.close(stat)
            return False
        self._tasks[key] = _Task(stat, schedstat)
        return True


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
