"""The learner's own error, found before the checklist is read: errors first, as rustlings does.

A syntax error is found by parsing the source; a crash by reading the traceback the sandbox
printed, keeping only the frames in the learner's file (coach's own frames and the standard
library's are hidden) and naming the file as the learner knows it.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_FRAME = re.compile(r'^  File "(?P<path>[^"]+)", line (?P<line>\d+)(?:, in (?P<function>.+))?$')
_EXCEPTION = re.compile(r"^(?P<name>[A-Za-z_][\w.]*)(?::\s?(?P<message>.*))?$")


@dataclass(frozen=True)
class ErrorFrame:
    line: int
    function: str | None
    code: str


@dataclass(frozen=True)
class LearnerError:
    kind: str
    """"syntax" (the file does not parse) or "crash" (an exception escaped the entry point)."""
    exception: str
    """The exception's last line, e.g. `ZeroDivisionError: division by zero`."""
    file_name: str
    frames: tuple[ErrorFrame, ...]
    """The learner's own frames, outermost first; coach's are hidden."""
    column: int | None = None

    def lines(self) -> list[str]:
        """Short plain text: where it happened in the learner's file, then what."""
        out = []
        for frame in self.frames:
            where = f"{self.file_name}:{frame.line}" + (f" in {frame.function}" if frame.function else "")
            out.append(f"{where}: {frame.code}" if frame.code else where)
            if self.kind == "syntax" and self.column is not None and frame.code:
                out.append(" " * (len(where) + 2 + self.column - 1) + "^")
        out.append(self.exception)
        return out

    def to_json(self) -> dict:
        return {"kind": self.kind, "exception": self.exception, "file": self.file_name,
                "frames": [{"line": f.line, "function": f.function, "code": f.code} for f in self.frames]}


def syntax_error(source: str, file_name: str) -> LearnerError | None:
    try:
        ast.parse(source, filename=file_name)
    except SyntaxError as exc:
        line = exc.lineno or 0
        code = source.splitlines()[line - 1].rstrip() if 0 < line <= len(source.splitlines()) else ""
        stripped = code.lstrip()
        column = (exc.offset - (len(code) - len(stripped))) if exc.offset else None
        return LearnerError("syntax", f"{type(exc).__name__}: {exc.msg}", file_name,
                            (ErrorFrame(line, None, stripped),), column)
    except (RecursionError, MemoryError) as exc:  # Python itself cannot read the file: nested too deeply
        return LearnerError("syntax", f"{type(exc).__name__}: the code is nested too deeply for Python to parse",
                            file_name, (), None)
    return None


def crash(stderr: str, file_name: str) -> LearnerError | None:
    """The first traceback in stderr whose frames reach the learner's file."""
    blocks = stderr.split("Traceback (most recent call last):\n")[1:]
    for block in blocks:
        frames: list[ErrorFrame] = []
        lines = block.splitlines()
        exception = ""
        for n, line in enumerate(lines):
            frame = _FRAME.match(line)
            if frame:
                path = frame["path"]
                if path.rsplit("/", 1)[-1] == file_name and not path.startswith("<") and "/coach/" not in path:
                    code = lines[n + 1].strip() if n + 1 < len(lines) and lines[n + 1].startswith("    ") else ""
                    frames.append(ErrorFrame(int(frame["line"]), frame["function"], code))
                continue
            if not line.startswith(" ") and _EXCEPTION.match(line):
                exception = line.strip()
                break
        if frames and exception:
            return LearnerError("crash", exception, file_name, tuple(frames))
    return None


def learner_error(source: str, stderr: str, file_name: str) -> LearnerError | None:
    return syntax_error(source, file_name) or crash(stderr, file_name)
