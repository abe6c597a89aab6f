"""The supervisor's verdict on how `main()` ended: a report from the learner process, checked against its end.

Learner code and the harness share the learner process, so nothing written from inside it can be
proved to be the harness's. The outcome channel to the runner therefore never enters that process:
the supervisor (its parent, which runs no learner code) holds it. The learner process gets a pipe to
the supervisor instead, and the harness ends its report in a way the supervisor checks from outside:
exactly one framed report, after which the process is ended at once by SIGKILL, which the kernel
reports to the parent and nothing can catch or fake as another end. A report followed by any other
end (an `os._exit`, a crash, a return to the interpreter), two reports, or bytes that are not one
report are refused, and the refusal says why.

What cannot be refused is a program that carries out the harness's whole ending itself (one framed
report, then SIGKILL at once): that is exactly what returning or raising at that moment produces, so
it claims nothing an honest `main()` could not have had.
"""

from __future__ import annotations

import json
import os
import signal
import struct
from collections.abc import Callable
from typing import Any

FRAME = struct.Struct(">I")
"""A report is its length, then that many bytes of JSON."""
MAX_REPORT = 4 << 20
OUTCOMES = ("returned", "raised", "exited")
_CODE_OF = {"returned": 0, "raised": 1}


def frame(facts: dict[str, Any], dumps: Callable[..., str] = json.dumps) -> bytes:
    """The report as it goes on the pipe (`dumps` is the harness's own, bound before learner code runs)."""
    try:
        body = dumps(facts, default=repr).encode()
    except (ValueError, TypeError, RecursionError):
        body = dumps({**_shape(facts), "return_value": None, "return_error": "unreportable outcome"}).encode()
    if len(body) > MAX_REPORT:
        body = dumps({**_shape(facts), "outcome": "raised", "return_value": None, "exit_code": 1,
                      "return_error": f"ValueError: the return value is over {MAX_REPORT >> 20} MiB as JSON"}).encode()
    return FRAME.pack(len(body)) + body


def _shape(facts: dict[str, Any]) -> dict[str, Any]:
    return {key: facts.get(key) for key in ("outcome", "limit", "exit_code")}


class Witness:
    """Collects what the learner process wrote on its report pipe and judges it once the process has ended."""

    def __init__(self) -> None:
        self.data = bytearray()
        self.overflowed = False

    def feed(self, chunk: bytes) -> None:
        if len(self.data) + len(chunk) > MAX_REPORT + FRAME.size:
            self.overflowed = True  # keep reading, so the writer never blocks, but keep nothing
            return
        self.data += chunk

    def verdict(self, status: int) -> tuple[dict[str, Any] | None, int]:
        """(what to tell the runner, the exit status to end with) for a learner process that ended with `status`.

        None to tell: no report came, which the runner already reads as "ended without returning".
        """
        ended = exit_status(status)
        if not self.data and not self.overflowed:
            return None, ended
        if self.overflowed:
            return _refused(f"more than {MAX_REPORT >> 20} MiB was written on the report pipe"), ended
        facts, why = _one_report(bytes(self.data))
        if facts is None:
            return _refused(why), ended
        if not (os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL):
            how = (f"exit status {os.WEXITSTATUS(status)}" if os.WIFEXITED(status)
                   else f"signal {signal.Signals(os.WTERMSIG(status)).name}")
            return _refused(f"a report arrived, then the learner process ended by {how}; the harness ends it "
                            "by SIGKILL the moment it has reported, so the report was not the harness's"), ended
        return facts, int(facts["exit_code"])


def _one_report(data: bytes) -> tuple[dict[str, Any] | None, str]:
    if len(data) < FRAME.size:
        return None, f"{len(data)} stray bytes on the report pipe, not a report"
    (length,) = FRAME.unpack_from(data)
    if length > MAX_REPORT or FRAME.size + length > len(data):
        return None, "the report pipe held a cut-off report: something besides the harness wrote to it"
    if FRAME.size + length < len(data):
        return None, ("the report pipe held more than one report: something besides the harness wrote to it "
                      f"({len(data)} bytes where one report has {FRAME.size + length})")
    try:
        facts = json.loads(data[FRAME.size:])
    except (ValueError, RecursionError):
        return None, "the report pipe held bytes that are not a report"
    if not isinstance(facts, dict) or facts.get("outcome") not in OUTCOMES:
        return None, "the report names no outcome the harness reports"
    code = facts.get("exit_code")
    if isinstance(code, bool) or not isinstance(code, int) or not 0 <= code <= 255:
        return None, "the report's exit status is not one a process can have"
    if _CODE_OF.get(facts["outcome"], code) != code:
        return None, f"the report says main() {facts['outcome']} with exit status {code}, which the harness never pairs"
    return facts, ""


def _refused(why: str) -> dict[str, Any]:
    return {"refused": why}


def exit_status(status: int) -> int:
    """A wait status as a shell shows it: the exit code, or 128 plus the signal."""
    if os.WIFSIGNALED(status):
        return 128 + os.WTERMSIG(status)
    return os.WEXITSTATUS(status) if os.WIFEXITED(status) else 70
