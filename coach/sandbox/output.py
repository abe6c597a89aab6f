"""Learner output is data: capped while it is read, and cleaned before anyone displays it."""

from __future__ import annotations

import re

# C0 controls except tab and newline, DEL, and C1 controls: escape sequences, carriage
# returns and backspaces that could overwrite a line or forge a grade on a terminal.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_ESCAPE_SEQUENCE = re.compile(r"\x1b(\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)?|[@-Z\\-_])")


def clean_text(data: bytes) -> str:
    """Decode as UTF-8 (bad bytes replaced) and drop escape sequences and control characters."""
    text = data.decode("utf-8", errors="replace")
    return _CONTROL.sub("", _ESCAPE_SEQUENCE.sub("", text))


class CappedBuffer:
    """Collects one stream up to `cap` bytes; `overflowed` says more was offered."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.data = bytearray()
        self.overflowed = False

    def feed(self, chunk: bytes) -> None:
        room = self.cap - len(self.data)
        if len(chunk) > room:
            self.overflowed = True
            chunk = chunk[: max(room, 0)]
        self.data += chunk

    def text(self) -> str:
        return clean_text(bytes(self.data))
