"""`coach stub`: run the fault-injecting Messages API locally and point any app at it."""

from __future__ import annotations

import argparse
import asyncio
import ipaddress
import signal
import sys
from pathlib import Path

from coach.clock import ScenarioClock
from coach.stub.journal import Journal, JournalEntry
from coach.stub.scenario import Scenario, ScenarioError, load_scenario, scenario_summaries


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "stub", help="run the fault-injecting Messages API stub",
        description="Serve a local copy of the Messages API that breaks the way a scenario says. "
        "Point an app at it with ANTHROPIC_BASE_URL or base_url=...; any non-empty API key works. "
        "Stops cleanly on Ctrl-C or SIGTERM.")
    p.add_argument("--list", action="store_true", help="list the scenarios with one line each, then exit")
    p.add_argument("--scenario", default="healthy", metavar="NAME|PATH",
                   help="scenario name (see --list) or path of a scenario TOML file (default: healthy)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default: 127.0.0.1)")
    p.add_argument("--port", type=int, default=8765, help="port to listen on; 0 picks a free one (default: 8765)")
    p.add_argument("--speed", type=float, default=None, metavar="K",
                   help="scenario clock speed: retry-after, resets, refills, TTLs and pacing run K times faster "
                   "than wall time. Default: the scenario's speed, else 1, since your app's own clock is not sped up.")
    p.add_argument("--journal", type=Path, default=None, metavar="PATH",
                   help="also write the journal (one JSON line per finished request) to PATH")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow a non-loopback --host (the stub has no real authentication)")
    p.add_argument("--quiet", action="store_true", help="do not print a line per request")
    p.set_defaults(handler=run_stub)


def run_stub(args: argparse.Namespace) -> int:
    if args.list:
        for name, summary in scenario_summaries():
            print(f"{name:<20} {summary}")
        return 0
    if not (args.allow_remote or _is_loopback(args.host)):
        print(f"coach stub: {args.host} is not a loopback address; add --allow-remote to listen on it",
              file=sys.stderr)
        return 2
    if args.speed is not None and not args.speed > 0:
        print("coach stub: --speed must be positive", file=sys.stderr)
        return 2
    try:
        scenario = load_scenario(args.scenario)
    except ScenarioError as exc:
        for error in exc.errors:
            print(f"coach stub: {error}", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print(f"coach stub: --port must be between 0 and 65535, got {args.port}", file=sys.stderr)
        return 2
    try:
        journal = Journal(args.journal)
    except OSError as exc:
        print(f"coach stub: cannot write the journal to {args.journal}: {exc.strerror or exc}", file=sys.stderr)
        return 2
    try:
        return asyncio.run(_serve(args, scenario, journal))
    except OSError as exc:
        print(f"coach stub: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}", file=sys.stderr)
        return 1


async def _serve(args: argparse.Namespace, scenario: Scenario, journal: Journal) -> int:
    if not args.quiet:
        journal.subscribe(_print_entry)
    from coach.stub.server import StubServer  # aiohttp: imported only to serve, so `coach --help` stays quick

    # Your own app runs in real time: the scenario's `speed` (or --speed) is the one place a scaled clock is left.
    speed = args.speed or scenario.speed or 1.0
    server = StubServer(scenario, ScenarioClock(speed=speed), journal)
    url = await server.start(args.host, args.port)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    print(f"listening on {url}", flush=True)
    print(f"scenario {scenario.name}: {scenario.summary}  (clock speed {speed:g})", flush=True)
    print(f"journal: {server.admin_url}/journal" + (f" and {args.journal}" if args.journal else ""), flush=True)
    print(f"point an app at it: ANTHROPIC_BASE_URL={url} (any non-empty API key)", flush=True)
    try:
        await stop.wait()
    finally:
        await server.stop()
        journal.close()
    print(f"stopped after {len(journal.entries())} request(s)", flush=True)
    return 0


def _print_entry(entry: JournalEntry) -> None:
    if entry.finished_s is None:
        return
    outcome = f"{entry.status}" + (f" {entry.error_type}" if entry.error_type else "")
    extras = []
    if entry.retry_count is not None:
        extras.append(f"retry {entry.retry_count}")
    if entry.stream_end:
        extras.append(f"stream {entry.stream_end}")
    if entry.fault:
        extras.append(f"fault {entry.fault}")
    print(f"  #{entry.seq} t={entry.arrived_s:.2f}s {entry.method} {entry.path} -> {outcome}"
          + (f" ({', '.join(extras)})" if extras else ""), flush=True)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False
