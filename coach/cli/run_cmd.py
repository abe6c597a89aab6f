"""`coach run FILE`: run a program in the sandbox against the stub, as the grader would."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coach.grader.report import CLOCK_STOPS
from coach.sandbox import SandboxRequest, SandboxResult, run_sandboxed
from coach.sandbox.isolation import IsolationUnavailable
from coach.scenario_time import VirtualClock, VirtualTimeUnavailable

DEFAULT_SCENARIO = "healthy"


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "run",
        help="run a program in the sandbox against the API stub",
        description="Start the API stub with a scenario, run FILE as __main__ in the sandbox against it "
        "(no real key, no internet, limited CPU, memory and time), then print its output and a summary.",
    )
    p.add_argument("file", type=Path, metavar="FILE", help="the Python program to run")
    p.add_argument("--scenario", default=DEFAULT_SCENARIO, metavar="NAME|PATH",
                   help=f"stub scenario: a bundled name or a scenario TOML file (default: {DEFAULT_SCENARIO})")
    p.add_argument("--timeout", type=float, default=10.0, metavar="S",
                   help="wall-clock seconds before the program is stopped (default: 10)")
    p.add_argument("--seed", type=int, default=1, metavar="N",
                   help="seed for the program's randomness (random, os.urandom); the same seed replays the run")
    p.add_argument("--json", action="store_true", help="print one JSON object instead of the output and summary")
    p.set_defaults(handler=run_run)


def run_run(args: argparse.Namespace) -> int:
    from coach.stub.runner import StubThread
    from coach.stub.scenario import ScenarioError, load_scenario

    if not args.file.is_file():
        print(f"coach run: no such file: {args.file}", file=sys.stderr)
        return 2
    if not args.timeout > 0:
        print(f"coach run: --timeout must be positive, got {args.timeout}", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        print(f"coach run: {exc.errors[0] if exc.errors else exc}", file=sys.stderr)
        return 2
    try:
        clock = VirtualClock()
    except VirtualTimeUnavailable as exc:
        print(f"coach run: {exc}", file=sys.stderr)
        return 2
    try:
        with StubThread(scenario, clock) as stub:
            request = SandboxRequest(file=args.file, entry=None, clock=clock, stub=stub, timeout_s=args.timeout,
                                     seed=args.seed)
            try:
                result = run_sandboxed(request)
            except IsolationUnavailable as exc:
                print(f"coach run: {exc}", file=sys.stderr)
                return 2
            requests = len(stub.journal.entries())
    finally:
        clock.close()
    if args.json:
        print(json.dumps(_json_summary(result, requests), indent=2))
    else:
        _print_text(result, requests, scenario.name)
    return result.exit_code if 0 <= result.exit_code <= 255 else 1


def _json_summary(result: SandboxResult, requests: int) -> dict[str, object]:
    return {
        "exit_code": result.exit_code,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "timed_out": result.timed_out,
        "limit_hit": result.limit_hit,
        "isolation": result.isolation,
        "wall_s": result.wall_s,
        "scenario_s": result.scenario_s,
        "requests": requests,
        "seed": result.seed,
    }


def _print_text(result: SandboxResult, requests: int, scenario: str) -> None:
    sys.stdout.write(result.stdout)
    if result.stdout and not result.stdout.endswith("\n"):
        sys.stdout.write("\n")
    sys.stdout.flush()
    if result.stderr:
        sys.stderr.write(result.stderr if result.stderr.endswith("\n") else result.stderr + "\n")
        sys.stderr.flush()
    status = f"exit {result.exit_code}"
    if result.timed_out:
        status += f" (stopped after {result.wall_s:.1f} s)"
    print("── coach run " + "─" * 40)
    print(f"status     {status}")
    print(f"limit hit  {result.limit_hit or 'none'}"
          + (f" (the program {CLOCK_STOPS[result.limit_hit]})" if result.limit_hit in CLOCK_STOPS else ""))
    print(f"isolation  {result.isolation}")
    print(f"scenario   {scenario}: {result.scenario_s:.2f} scenario s in {result.wall_s:.2f} wall s")
    print(f"requests   {requests} seen by the stub")
