import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from coach.sandbox import Limits, SandboxRequest, SandboxResult, WarmPool, run_sandboxed
from coach.sandbox.isolation import FORCE_VAR, available
from coach.scenario_time import VirtualClock
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario

SMALL = Limits(cpu_s=3, memory_mb=768, processes=16, file_size_mb=2, open_files=64, output_bytes=64 << 10, tmp_mb=8)
COLD_LEVELS = [name for name in ("bwrap", "namespaces", "process") if available(name)]
WARM_LEVELS = [name for name in ("namespaces", "process") if available(name)]
"""Most behaviour is tested through warm pools (milliseconds per run); test_levels.py starts each level cold."""


@pytest.fixture
def stub() -> Iterator[StubThread]:
    clock = VirtualClock()
    with StubThread(load_scenario("healthy"), clock) as thread:
        yield thread


@pytest.fixture(scope="session")
def pools() -> Iterator[dict[str, WarmPool]]:
    started = {name: WarmPool(name) for name in WARM_LEVELS}
    yield started
    for pool in started.values():
        pool.close()


@pytest.fixture(params=WARM_LEVELS)
def level(request: pytest.FixtureRequest, pools: dict[str, WarmPool]) -> str:
    """The isolation level under test; `run` uses that level's warm pool."""
    return request.param


@pytest.fixture(params=COLD_LEVELS)
def cold_level(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """A level started cold (no pool): `run` spawns the harness, under bubblewrap for "bwrap"."""
    monkeypatch.setenv(FORCE_VAR, request.param)
    return request.param


@pytest.fixture
def process_level(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(FORCE_VAR, "process")
    return "process"


Run = Callable[..., SandboxResult]


@pytest.fixture
def run(request: pytest.FixtureRequest, tmp_path: Path, stub: StubThread) -> Run:
    """`run(source, entry=None, **request_fields)`: the source as a file, run in the sandbox.

    With the `level` fixture the run starts from that level's warm pool; otherwise cold.
    """
    pool = request.getfixturevalue("pools")[request.getfixturevalue("level")] if "level" in request.fixturenames \
        else None

    def _run(source: str, entry: str | None = None, name: str = "program.py", **fields: object) -> SandboxResult:
        folder = tmp_path / "learner"
        folder.mkdir(exist_ok=True)
        file = folder / name
        file.write_text(textwrap.dedent(source))
        fields.setdefault("timeout_s", 5.0)
        fields.setdefault("limits", SMALL)
        sandbox_request = SandboxRequest(file=file, entry=entry, clock=stub.server.clock, stub=stub, **fields)  # type: ignore[arg-type]
        return run_sandboxed(sandbox_request, pool)

    return _run
