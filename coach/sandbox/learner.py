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

RESULT_NAME = ".coach-result.json"
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

    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []

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
        if len(self.records) >= MAX_LOG_RECORDS:
            return
        try:
            message = record.getMessage()
        except Exception as exc:  # a learner's bad format string is still a record
            message = f"{record.msg!r} (formatting failed: {type(exc).__name__})"
        extra = {k: _jsonable(v) for k, v in record.__dict__.items() if k not in _STANDARD_RECORD_KEYS}
        self.records.append(
            {
                "level": record.levelname,
                "logger": record.name,
                "message": message[:MAX_LOG_MESSAGE],
                "created": record.created,
                "extra": extra,
            }
        )


def _is_library(name: str) -> bool:
    return name.split(".", 1)[0] in _LIBRARY_LOGGERS


def _jsonable(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError, RecursionError):
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
                report: Callable[[dict[str, Any]], None]) -> int:
    """Run the code; return the exit code. Reports the outcome and writes the log file unless the code exits hard."""
    learner_pid = os.getpid()
    collector = LogCollector()
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
        _write_result(workdir, {"log_records": collector.records})
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


def _write_result(workdir: Path, result: dict[str, Any]) -> None:
    """Written aside and renamed, so a kill mid-write leaves no half file."""
    partial = workdir / f"{RESULT_NAME}.{os.getpid()}"
    try:
        data = json.dumps(result, default=repr).encode()
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(partial, workdir / RESULT_NAME)
    except (OSError, ValueError, RecursionError, MemoryError) as exc:
        print(f"coach: could not write the result: {exc}", file=sys.stderr)
