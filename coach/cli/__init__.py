"""The `coach` command: one subcommand per module, each with `register` and `run`.

A subcommand module exposes `register(subparsers)`, which adds its parser and sets
`handler=run` on it. Handlers return the exit code; usage errors exit 2 through argparse.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from types import ModuleType

from coach import __version__


def _commands() -> list[ModuleType]:
    from coach.cli import ask_cmd, grade_cmd, lessons_cmd, lint_cmd, run_cmd, schema_cmd, stub_cmd

    return [lessons_cmd, lint_cmd, schema_cmd, grade_cmd, run_cmd, ask_cmd, stub_cmd]


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="coach",
        description="A terminal tutor for shipping Claude integrations that survive production. "
        "Run with no command to open the app.",
    )
    parser.add_argument("--version", action="version", version=f"coach {__version__}")
    parser.set_defaults(handler=None)
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    for module in _commands():
        module.register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    words = sys.argv[1:] if argv is None else list(argv)
    if words[:1] == ["grade"] and not {"-h", "--help"} & set(words):
        from coach.grader.early_pool import start_early

        start_early()  # the sandbox's SDK import begins before the grader's own imports and parsers
    if words:
        args = build_parser().parse_args(words)
        handler = args.handler
    else:
        # `coach` alone opens the app. Skip building every command's parser: their modules
        # may import heavy libraries (aiohttp, the SDK) that the first paint must not wait for.
        args, handler = argparse.Namespace(), None
    if handler is None:
        from coach.cli.lessons_cmd import run_home

        handler = run_home
    try:
        return int(handler(args) or 0)
    except KeyboardInterrupt:
        print(file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0
    except ValueError as exc:  # a broken model catalogue is an instructor's file: name it, no traceback
        from coach.catalogue import CatalogueError

        if not isinstance(exc, CatalogueError):
            raise
        print(f"coach: the model catalogue cannot be read:\n{exc}", file=sys.stderr)
        return 2
