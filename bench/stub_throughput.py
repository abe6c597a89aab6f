"""How fast is the stub? Non-streaming requests/s and streamed SSE events/s at concurrency 64,
and the stub's non-streaming rate as a ratio of a bare aiohttp handler's (parse the JSON, return a
canned message), the two measured alternately in one run with the same client on the same core.

The stub runs as `coach stub` in its own process pinned to one core (taskset), the load
generator (a minimal HTTP/1.1 client) on the other, so the figure is what one core of server gives.
The scenario is unpaced (no time to first token, no tokens/s limit) and has roomy limits:
this measures the stub's own overhead, which must stay far below what the exercises need
(a 1,000-document batch must never be limited by the stub).

    .venv/bin/python bench/stub_throughput.py [--runs 5] [--seconds 3] [--concurrency 64] [--ratio-only]

Each server's CPU time per request is read from /proc as well: on a machine shared with other work the
rate ratio swings with each server's share of its core, while the CPU ratio does not.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SCENARIO = """
summary = "benchmark: unpaced, roomy limits"
[response]
output_tokens = 40
ttft = 0
tokens_per_second = 0
[limits]
requests_per_minute = 100000000
input_tokens_per_minute = 1000000000
output_tokens_per_minute = 1000000000
"""
BODY = {"model": "claude-sonnet-5-5", "max_tokens": 100, "messages": [{"role": "user", "content": "Summarise."}]}
HEADERS = {"x-api-key": "bench", "anthropic-version": "2023-06-01", "content-type": "application/json"}


BARE_SERVER = """
import json
from aiohttp import web
CANNED = json.dumps({"id": "msg_bare", "type": "message", "role": "assistant", "model": "claude-sonnet-4-6",
                     "content": [{"type": "text", "text": "Hello."}], "stop_reason": "end_turn",
                     "stop_sequence": None, "usage": {"input_tokens": 8, "output_tokens": 2}}).encode()
async def messages(request):
    json.loads(await request.read())
    return web.Response(body=CANNED, content_type="application/json")
app = web.Application()
app.router.add_post("/v1/messages", messages)
runner = web.AppRunner(app, access_log=None)
import asyncio
async def main():
    await runner.setup()
    await web.TCPSite(runner, "127.0.0.1", 0).start()
    print("listening on http://127.0.0.1:" + str(runner.addresses[0][1]), flush=True)
    await asyncio.Event().wait()
asyncio.run(main())
"""
"""The baseline: the least an aiohttp server can do for the same request."""


def pinned(core: int) -> list[str]:
    return ["taskset", "-c", str(core)] if shutil.which("taskset") and (os.cpu_count() or 1) > 1 else []


def start_stub(scenario: Path, core: int) -> tuple[subprocess.Popen[str], str]:
    command = [*pinned(core), sys.executable, "-m", "coach", "stub", "--scenario", str(scenario),
               "--port", "0", "--quiet"]
    return start_server(command)


def start_bare(core: int) -> tuple[subprocess.Popen[str], str]:
    return start_server([*pinned(core), sys.executable, "-c", BARE_SERVER])


def start_server(command: list[str]) -> tuple[subprocess.Popen[str], str]:
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()
    if not line.startswith("listening on "):
        process.kill()
        raise SystemExit(f"stub did not start: {line!r}")
    return process, line.split()[-1]


async def load(url: str, concurrency: int, seconds: float, stream: bool) -> tuple[int, int, int]:
    """(requests done, SSE events received, failures) in `seconds` of wall time.

    A minimal keep-alive HTTP/1.1 client on raw asyncio streams: a full client library costs
    more CPU per request than the stub does, and would measure itself instead of the stub.
    """
    host, port = url.removeprefix("http://").rsplit(":", 1)
    payload = json.dumps({**BODY, "stream": stream}).encode()
    request = (f"POST /v1/messages HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Length: {len(payload)}\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in HEADERS.items()) + "\r\n").encode() + payload
    done = events = failures = 0
    deadline = time.monotonic() + seconds

    async def connection() -> None:
        nonlocal done, events, failures
        reader, writer = await asyncio.open_connection(host, int(port))
        while time.monotonic() < deadline:
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            if not head.startswith(b"HTTP/1.1 200"):
                failures += 1
            length = re.search(rb"(?i)content-length: (\d+)", head)
            if length:
                await reader.readexactly(int(length.group(1)))
            else:  # chunked: read to the last chunk, counting SSE events
                body = b""
                while not body.endswith(b"\r\n0\r\n\r\n"):
                    body += await reader.read(65536)
                events += body.count(b"event: ")
            done += 1
        writer.close()

    await asyncio.gather(*(connection() for _ in range(concurrency)))
    return done, events, failures


def cpu_seconds(process: subprocess.Popen[str]) -> float:
    """User + system CPU seconds the server has used so far (Linux /proc), or NaN where that is not readable."""
    try:
        fields = Path(f"/proc/{process.pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def measured(process: subprocess.Popen[str], url: str, args: argparse.Namespace) -> tuple[int, int, float]:
    """(requests done, failures, server CPU seconds) of one run."""
    before = cpu_seconds(process)
    done, _events, failures = asyncio.run(load(url, args.concurrency, args.seconds, False))
    return done, failures, cpu_seconds(process) - before


def stub_thread_start_ms(times: int = 20) -> list[float]:
    """Wall ms to start a StubThread until it serves, as the grader does once per grade."""
    from coach.clock import ScenarioClock
    from coach.stub.runner import StubThread
    from coach.stub.scenario import load_scenario

    scenario = load_scenario("healthy")
    out = []
    for _ in range(times):
        started = time.perf_counter()
        stub = StubThread(scenario, ScenarioClock(speed=20)).start()
        out.append((time.perf_counter() - started) * 1000)
        stub.stop()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement; the median is reported")
    parser.add_argument("--seconds", type=float, default=3.0, help="length of each run")
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--ratio-only", action="store_true", help="only the stub-against-bare series")
    args = parser.parse_args()
    if pinned(0):
        os.sched_setaffinity(0, {1})  # the load generator stays off the stub's core
    with tempfile.TemporaryDirectory() as folder:
        scenario = Path(folder) / "bench.toml"
        scenario.write_text(SCENARIO, encoding="utf-8")
        process, url = start_stub(scenario, core=0)
        bare, bare_url = start_bare(core=0)
        try:
            asyncio.run(load(url, args.concurrency, 0.5, stream=False))  # warm up
            asyncio.run(load(bare_url, args.concurrency, 0.5, stream=False))
            ratios, stub_rates, bare_rates, stub_cpu, bare_cpu, cpu_ratios = [], [], [], [], [], []
            for _ in range(args.runs):  # alternated, so a busy moment on the machine hits both alike
                done, failures, cpu = measured(process, url, args)
                bare_done, _failures, cpu_bare = measured(bare, bare_url, args)
                if failures:
                    print(f"warning: {failures} non-200 answers", file=sys.stderr)
                stub_rates.append(done / args.seconds)
                bare_rates.append(bare_done / args.seconds)
                ratios.append(done / bare_done if bare_done else 0.0)
                stub_cpu.append(cpu / done * 1e6 if done else float("nan"))
                bare_cpu.append(cpu_bare / bare_done * 1e6 if bare_done else float("nan"))
                cpu_ratios.append(bare_cpu[-1] / stub_cpu[-1])
            print(f"{'stub requests/s':<26} median {statistics.median(stub_rates):>9,.0f}   runs: "
                  + ", ".join(f"{r:,.0f}" for r in stub_rates))
            print(f"{'bare aiohttp requests/s':<26} median {statistics.median(bare_rates):>9,.0f}   runs: "
                  + ", ".join(f"{r:,.0f}" for r in bare_rates))
            print(f"{'stub / bare ratio':<26} median {statistics.median(ratios):>9.2f}   runs: "
                  + ", ".join(f"{r:.2f}" for r in ratios))
            # A shared machine gives each server a varying share of its core; CPU per request does not depend on
            # that share, and on a core of its own the rate ratio is this ratio.
            print(f"{'stub CPU µs/request':<26} median {statistics.median(stub_cpu):>9.0f}   runs: "
                  + ", ".join(f"{r:.0f}" for r in stub_cpu))
            print(f"{'bare CPU µs/request':<26} median {statistics.median(bare_cpu):>9.0f}   runs: "
                  + ", ".join(f"{r:.0f}" for r in bare_cpu))
            print(f"{'bare / stub CPU ratio':<26} median {statistics.median(cpu_ratios):>9.2f}   runs: "
                  + ", ".join(f"{r:.2f}" for r in cpu_ratios))
            results = {}
            for stream in () if args.ratio_only else (False, True):
                rates = []
                for _ in range(args.runs):
                    done, events, failures = asyncio.run(load(url, args.concurrency, args.seconds, stream))
                    if failures:
                        print(f"warning: {failures} non-200 answers", file=sys.stderr)
                    rates.append((events if stream else done) / args.seconds)
                results[stream] = rates
                label = "streamed events/s" if stream else "non-streaming requests/s"
                runs = ", ".join(f"{rate:,.0f}" for rate in rates)
                print(f"{label:<26} median {statistics.median(rates):>9,.0f}   runs: {runs}")
        finally:
            for server in (process, bare):
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=10)
    if args.ratio_only:
        return 0
    starts = stub_thread_start_ms()
    print(f"{'StubThread start (ms)':<26} median {statistics.median(starts):>9.1f}   max {max(starts):.1f}")
    print(f"concurrency {args.concurrency}, {args.runs} runs of {args.seconds:g} s, stub pinned to core 0"
          if pinned(0) else "unpinned (taskset not available)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
