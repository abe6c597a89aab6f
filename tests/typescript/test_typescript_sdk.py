"""The official TypeScript SDK against the stub, where node and npm are available (skipped otherwise).

The SDK is installed with npm once per machine into the pytest cache folder; no node, no npm, or an
install that fails (no registry) skips these tests with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from coach.clock import ScenarioClock
from coach.stub.runner import StubThread
from coach.stub.scenario import parse_scenario

HERE = Path(__file__).resolve().parent
INSTALL_TIMEOUT_S = 180
SCENARIO = 'summary = "ts"\n[response]\nttft = 0\ntokens_per_second = 0\n[batch]\nseconds = 10\n'


@pytest.fixture(scope="session")
def ts_sdk(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    if shutil.which("node") is None or shutil.which("npm") is None:
        pytest.skip("node and npm are not installed")
    cache = getattr(pytestconfig, "cache", None)  # None under -p no:cacheprovider: install into a temp folder
    folder = cache.mkdir("typescript-sdk") if cache is not None else tmp_path_factory.mktemp("typescript-sdk")
    if not (folder / "node_modules" / "@anthropic-ai" / "sdk" / "package.json").is_file():
        try:
            done = subprocess.run(["npm", "install", "--no-audit", "--no-fund", "--silent", "--prefix", str(folder),
                                   "@anthropic-ai/sdk"], capture_output=True, text=True, timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            pytest.skip("npm could not install @anthropic-ai/sdk in time")
        if done.returncode != 0:
            pytest.skip(f"npm could not install @anthropic-ai/sdk: {done.stderr.strip()[-300:]}")
    script = folder / "sdk_surfaces.mjs"
    shutil.copyfile(HERE / "sdk_surfaces.mjs", script)
    return script


def test_every_surface_through_the_typescript_sdk(ts_sdk: Path, tmp_path: Path):
    with StubThread(parse_scenario(SCENARIO, tmp_path / "ts.toml"), ScenarioClock(speed=1000)) as stub:
        env = {**os.environ, "ANTHROPIC_BASE_URL": stub.base_url}
        done = subprocess.run(["node", str(ts_sdk)], capture_output=True, text=True, env=env, timeout=120,
                              cwd=ts_sdk.parent)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen["plain"] == {"type": "text", "stop": "end_turn"}
    assert seen["tool"]["stop"] == "tool_use" and seen["tool"]["name"] == "get_weather"
    assert isinstance(seen["tool"]["input"]["city"], str)
    assert seen["toolStream"]["deltas"] > 0 and seen["toolStream"]["stop"] == "tool_use"
    assert seen["thinking"]["order"][:3] == ["thinking_delta", "signature_delta", "text_delta"]
    assert seen["thinking"]["first"] == "thinking" and seen["thinking"]["signed"]
    assert isinstance(seen["structured"]["city"], str)
    assert seen["models"] > 3 and seen["retrieved"] == 64000
    assert seen["unknownModel"] == {"status": 404, "type": "not_found_error"}
    assert seen["extraField"]["status"] == 400 and "foo: Extra inputs" in seen["extraField"]["message"]
    assert seen["batch"] == ["succeeded"]
