"""Run the learner's code in this (already isolated) process and report what it produced.

Runs last in the sandbox, after limits, environment and clock are in place. The facts about the
entry point (returned, raised, exited; the value; the exception) go to `report`, which the harness
sends on the outcome channel once the code has ended. Log records go to a result file in the work
dir, which the runner treats as untrusted data: learner code can overwrite it.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import importlib.util
import inspect
import json
import logging
import os
import runpy
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from coach.sandbox import logchannel

RESULT_NAME = ".coach-result.json"
"""A file name the grader once read; nothing reads it now, so a program that writes it forges nothing."""
MAX_LOG_RECORDS = 2000
MAX_LOG_MESSAGE = 4000
_LIBRARY_LOGGERS = ("anthropic", "httpx", "httpx2", "httpcore", "httpcore2", "asyncio", "urllib3", "hpack")
_STANDARD_RECORD_KEYS = set(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {"message", "asctime"}


class LogCollector:
    """Keeps every record a learner logger creates, whatever level the learner configured.

    `isEnabledFor` is widened so records below the configured level are still created and
    collected, and `handle` only passes on the ones the learner's own configuration enables,
    so what the program prints does not change.
    """

    def __init__(self, fd: int | None) -> None:
        self.fd = fd
        """The log channel (`coach.sandbox.logchannel`): each record leaves the process as it is made."""
        self.count = 0

    def install(self) -> None:
        real_enabled = logging.Logger.isEnabledFor
        real_handle = logging.Logger.handle
        collector = self

        def is_enabled_for(self: logging.Logger, level: int) -> bool:
            if _is_library(self.name):
                return real_enabled(self, level)
            return True

        def handle(self: logging.Logger, record: logging.LogRecord) -> None:
            if not _is_library(self.name):
                collector.add(record)
                if not real_enabled(self, record.levelno):
                    return
            real_handle(self, record)

        logging.Logger.isEnabledFor = is_enabled_for  # type: ignore[method-assign]
        logging.Logger.handle = handle  # type: ignore[method-assign]

    def add(self, record: logging.LogRecord) -> None:
        if self.fd is None or self.count >= MAX_LOG_RECORDS:
            return
        self.count += 1
        try:
            message = record.getMessage()
        except Exception as exc:  # a learner's bad format string is still a record
            message = f"{record.msg!r} (formatting failed: {type(exc).__name__})"
        extra = {k: _jsonable(v) for k, v in record.__dict__.items() if k not in _STANDARD_RECORD_KEYS}
        logchannel.send(self.fd, {
            "level": record.levelname,
            "logger": record.name,
            "message": message[:MAX_LOG_MESSAGE],
            "created": record.created,
            "extra": extra,
        })


def _is_library(name: str) -> bool:
    return name.split(".", 1)[0] in _LIBRARY_LOGGERS


def _jsonable(value: Any) -> Any:
    """The value as JSON has it, else as `%s` would print it (a `uuid.UUID` as its hex form, not its repr)."""
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError, RecursionError):
        try:
            return str(value)[:MAX_LOG_MESSAGE]
        except Exception:  # a learner's __str__ can raise
            return repr(value)[:MAX_LOG_MESSAGE]


def limit_of_exception(exc: BaseException) -> str | None:
    """Which resource limit an uncaught exception most likely means."""
    if isinstance(exc, MemoryError):
        return "memory"
    if isinstance(exc, OSError) and exc.errno == errno.EMFILE:
        return "open_files"
    if isinstance(exc, OSError) and exc.errno == errno.EAGAIN:
        return "processes"
    if isinstance(exc, RuntimeError) and "can't start new thread" in str(exc):
        return "processes"
    if isinstance(exc, OSError) and exc.errno == errno.EFBIG:
        return "file_size"
    return None


def run_learner(file: Path, entry: str | None, workdir: Path, argv: list[str],
                report: Callable[[dict[str, Any]], None], log_fd: int | None = None) -> int:
    """Run the code; return the exit code. Reports the outcome unless the code exits hard; logs go out on `log_fd`."""
    learner_pid = os.getpid()
    collector = LogCollector(log_fd)
    collector.install()
    sys.path.append(str(file.parent))  # after the stdlib and site-packages: no shadowing them
    sys.argv = [str(file), *argv]
    result: dict[str, Any] = {"outcome": "returned", "return_value": None, "return_error": None, "limit": None}
    exit_code = 0
    reserve = bytearray(4 << 20)  # freed on MemoryError, so reporting it does not fail too
    try:
        if entry is None:
            runpy.run_path(str(file), run_name="__main__")
        else:
            value = _call_entry(file, entry)
            try:
                result["return_value"] = json.loads(json.dumps(value))
            except (TypeError, ValueError) as exc:
                result["return_error"] = f"TypeError: return value is not JSON-serialisable: {exc}"
                result["outcome"] = "raised"
                exit_code = 1
    except SystemExit as exc:
        exit_code = _exit_code(exc.code)
        result["outcome"] = "exited"
    except BaseException as exc:
        del reserve
        result["outcome"] = "raised"
        result["limit"] = limit_of_exception(exc)
        result["return_error"] = f"{type(exc).__name__}: {exc}"[:MAX_LOG_MESSAGE]
        _print_short_traceback(exc)
        exit_code = 1
    result["exit_code"] = exit_code
    _flush_std()
    if os.getpid() == learner_pid:  # a process the code forked finishes here too: it has no say
        report(result)
    return exit_code


def _call_entry(file: Path, entry: str) -> Any:
    name = file.stem if file.stem.isidentifier() else "learner"
    spec = importlib.util.spec_from_file_location(name, file)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {file.name}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    function = getattr(module, entry, None)
    if not callable(function):
        raise AttributeError(f"{file.name} has no function {entry!r}")
    value = function()
    if inspect.isawaitable(value):
        value = asyncio.run(_await(value))
    return value


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _exit_code(code: object) -> int:
    if code is None:
        return 0
    if isinstance(code, int):
        return code & 0xFF
    print(code, file=sys.stderr)
    return 1


def _print_short_traceback(exc: BaseException) -> None:
    try:
        lines = traceback.format_exception(exc, limit=-8)
        sys.stderr.write("".join(lines)[-8000:])
    except MemoryError:
        sys.stderr.write(f"{type(exc).__name__}\n")


def _flush_std() -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
