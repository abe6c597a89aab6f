"""The observer counts the threads blocked on sockets or fd sets, as the kernel reports their syscalls."""

import platform
import subprocess
import sys
import time

import pytest

from coach.scenario_time.observer import _FD_WAITS, ProgramThreads

PROGRAM = """
import os, select, socket, threading
a, b = socket.socketpair()
c, d = socket.socketpair()
pipe_r, _pipe_w = os.pipe()
threads = [
    threading.Thread(target=lambda: select.select([a], [], []), daemon=True),  # an fd set
    threading.Thread(target=lambda: c.recv(1), daemon=True),                 # a socket receive
    threading.Thread(target=lambda: os.read(pipe_r, 1), daemon=True),        # a pipe: the sandbox's listener
    threading.Thread(target=threading.Event().wait, daemon=True),            # a lock (futex)
]
for thread in threads:
    thread.start()
print("ready", flush=True)
threading.Event().wait()
"""


@pytest.mark.skipif(not ProgramThreads.supported() or platform.machine() not in _FD_WAITS,
                    reason="needs Linux /proc, and syscall numbers known for this machine")
def test_threads_waiting_on_sockets_are_counted_and_locks_and_pipes_are_not() -> None:
    child = subprocess.Popen([sys.executable, "-c", PROGRAM], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None and child.stdout.readline() == "ready\n"
        threads = ProgramThreads()
        threads.add_root(child.pid)
        deadline = time.monotonic() + 10
        while not threads.quiescent() and time.monotonic() < deadline:
            time.sleep(0.01)
        assert threads.fd_waiters() == 2
        threads.close()
    finally:
        child.kill()
        child.wait()
