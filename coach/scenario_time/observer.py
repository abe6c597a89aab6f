"""Is every thread of the sandboxed program blocked? Asked of the kernel, not of the program.

The program could claim anything about itself, so the grader reads `/proc` instead: each thread's
scheduler state, and how often and how long it has run (`schedstat`). Two snapshots taken one after
the other in which every thread is asleep (`S`) with unchanged run counts prove that, for the whole
time between them, nothing ran: a thread woken in between would show as runnable, or, had it already
run and blocked again, with a higher count. Whenever a thread has run, the first snapshot is checked
against the process tree (each process's thread count, each thread's children) and the tree walked
afresh if it changed, so threads and processes created earlier are seen; one created between the
two snapshots was created by a thread that ran, which the counts reveal.

This is Go's synctest idea ("durably blocked") across a process boundary, with the kernel as the
witness. A thread stopped, in disk sleep or runnable is not blocked; a zombie no longer counts.
"""

from __future__ import annotations

import contextlib
import os
import platform
from dataclasses import dataclass, field

_FD_WAITS = {
    # Syscalls a thread blocks in while it waits on file descriptors (numbers are the kernel's ABI):
    # the fd-set waits (poll, select, epoll: an event loop, or a socket read with a timeout) ...
    "x86_64": (frozenset({7, 23, 232, 270, 271, 281, 441}), frozenset({45, 47, 299}), frozenset({0, 19})),
    "aarch64": (frozenset({22, 72, 73, 441}), frozenset({207, 212, 243}), frozenset({63, 65})),
}
"""machine -> (fd-set waits, socket receives, reads): ... a receive on a socket, or a read, which counts
only when its fd (the syscall's first argument) is a socket, so a thread reading a pipe is left out."""


@dataclass
class _Task:
    stat: int
    schedstat: int
    children: int
    syscall: int
    known_children: bytes = b""

    def close(self) -> None:
        for fd in (self.stat, self.schedstat, self.children, self.syscall):
            _close(fd)


@dataclass
class ProgramThreads:
    """The threads of the program's processes, read from `/proc`; `quiescent()` answers for all of them.

    The roots are the processes that run learner code (each tells the clock it exists; the kernel
    names it); their descendants are found by walking `/proc/<pid>/task/<tid>/children`.
    """

    roots: set[int] = field(default_factory=set)
    _tasks: dict[tuple[int, int], _Task] = field(default_factory=dict)
    _baseline: dict[tuple[int, int], bytes] | None = None
    _stats: dict[tuple[int, int], bytes] = field(default_factory=dict)
    """Each live task's last `stat` line, from the last snapshot: its process's thread count is in it."""

    @staticmethod
    def supported() -> bool:
        return os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/schedstat")

    def add_root(self, pid: int) -> None:
        self.roots.add(pid)
        self._baseline = None
        self._rescan()

    def quiescent(self) -> bool:
        """True when every thread of every process is blocked, and has been since the last full scan.

        The process tree is walked again only when it may have changed: a known thread ran, and a
        process's thread count or a thread's children differ from what the last walk found.
        """
        now = self._snapshot()
        if now is None:
            return False
        if now != self._baseline:
            if self._baseline is None or self._tree_changed():
                self._rescan()
                now = self._snapshot()
                if now is None:
                    return False
            self._baseline = now
            if not now:
                return False
            now = self._snapshot()
        return bool(now) and now == self._baseline  # no threads at all: the program is gone, not waiting

    def close(self) -> None:
        for task in self._tasks.values():
            task.close()
        self._tasks.clear()

    def fd_waiters(self) -> int | None:
        """How many threads are blocked waiting on sockets or fd sets; None when the kernel will not say.

        Asked while `quiescent()`: an event loop is one such thread however many requests it keeps in
        flight, a synchronous client one per request. Threads parked on a lock or a queue (futex), the
        sandbox's own wake-up listener (a pipe read) and sleepers are not counted.
        """
        waits = _FD_WAITS.get(platform.machine())
        if waits is None:
            return None
        fd_sets, receives, reads = waits
        count = 0
        for (pid, _), task in self._tasks.items():
            try:
                fields = os.pread(task.syscall, 256, 0).split()
            except PermissionError:
                return None  # ptrace rules (yama) keep it from the grader
            except OSError:
                continue  # the thread ended
            if not fields or not fields[0].lstrip(b"-").isdigit():
                continue  # "running": cannot be, as everything is blocked; a thread that just woke is not waiting
            number = int(fields[0])
            if number in fd_sets or number in receives:
                count += 1
            elif number in reads and len(fields) > 1:
                with contextlib.suppress(OSError, ValueError):
                    if os.readlink(f"/proc/{pid}/fd/{int(fields[1], 16)}").startswith("socket:"):
                        count += 1
        return count

    def _snapshot(self) -> dict[tuple[int, int], bytes] | None:
        """{(pid, tid): run counters} when every live thread is asleep; None when one is not."""
        seen: dict[tuple[int, int], bytes] = {}
        stats = self._stats
        stats.clear()
        pread = os.pread
        for key, task in self._tasks.items():
            try:
                stat = pread(task.stat, 512, 0)
                counters = pread(task.schedstat, 128, 0)
            except OSError:
                continue  # the thread ended: it cannot run any more
            end = stat.rfind(b")")
            state = stat[end + 2: end + 3]
            if state != b"S":
                if state in (b"Z", b"X", b"x"):
                    continue
                return None
            seen[key] = counters
            stats[key] = stat
        return seen

    def _tree_changed(self) -> bool:
        """Did a thread or a child process appear (or go) since the last walk? Read from the last snapshot."""
        counts: dict[int, int] = {}
        declared: dict[int, int] = {}
        for (pid, _), stat in self._stats.items():
            counts[pid] = counts.get(pid, 0) + 1
            if pid not in declared:
                fields = stat[stat.rfind(b")") + 2:].split(None, 18)
                declared[pid] = int(fields[17]) if len(fields) > 17 else -1  # num_threads
        if counts != declared:
            return True
        for key, task in self._tasks.items():
            if key in self._stats:
                try:
                    if os.pread(task.children, 4096, 0) != task.known_children:
                        return True
                except OSError:
                    return True
        return False

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
                task = self._tasks.get(key) or self._open(key)
                if task is None:
                    continue
                found.add(key)
                with contextlib.suppress(OSError, ValueError):
                    task.known_children = os.pread(task.children, 4096, 0)
                    pending.extend(int(child) for child in task.known_children.split())
        for key in set(self._tasks) - found:
            self._tasks.pop(key).close()

    def _open(self, key: tuple[int, int]) -> _Task | None:
        pid, tid = key
        base = f"/proc/{pid}/task/{tid}"
        opened: list[int] = []
        try:
            for name in ("stat", "schedstat", "children", "syscall"):
                opened.append(os.open(f"{base}/{name}", os.O_RDONLY | os.O_CLOEXEC))
        except OSError:
            for fd in opened:
                _close(fd)
            return None
        task = self._tasks[key] = _Task(*opened)
        return task


def _close(fd: int) -> None:
    with contextlib.suppress(OSError):
        os.close(fd)
