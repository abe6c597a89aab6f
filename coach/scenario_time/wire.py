"""What crosses the clock channel between the grader and the sandboxed program.

Shared by both sides and free of imports beyond the standard library, so the sandbox can use it
before learner code runs. The channel is a SOCK_SEQPACKET socketpair (one message per send); time
itself never travels on it: it sits in a memory page the program can only read.

Program to grader (the kernel adds the sender's pid to every message, SO_PASSCRED, so a process
can speak only for itself):
- `D` deadline_ns: the earliest deadline the sending process waits for (-1: none);
- `P`, with a pipe's write end attached: wake the sending process through that pipe (and watch it);
- `W`: a thread of the sending process is about to wait. Only a hint to look at the threads now
  rather than at the next poll; the kernel's answer decides, so a false hint costs one look.
Grader to program: one byte on a process's wake pipe means "time moved; look at your timers".
"""

from __future__ import annotations

import struct

PAGE_BYTES = 8
"""The shared page holds one little-endian int64: scenario nanoseconds since time zero."""
DEADLINE = struct.Struct("<cq")
WAKE_PIPE = b"P"
WAITING = b"W"
NO_DEADLINE = -1
MAX_MESSAGE = 64


def deadline_message(deadline_ns: int | None) -> bytes:
    return DEADLINE.pack(b"D", NO_DEADLINE if deadline_ns is None else deadline_ns)


def read_now_ns(page: object) -> int:
    return struct.unpack_from("<q", page, 0)[0]  # type: ignore[arg-type]
