"""The official Python SDK's own example programs, unmodified, against the stub (tests/sdk_examples/programs)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from coach.clock import ScenarioClock
from coach.stub.runner import StubThread
from coach.stub.scenario import parse_scenario

PROGRAMS = Path(__file__).resolve().parent / "programs"
SCENARIO = """
summary = "the SDK's examples"
[response]
ttft = 0
tokens_per_second = 0
[batch]
seconds = 60
"""


@pytest.fixture
def stub(tmp_path: Path):  # type: ignore[no-untyped-def]
    with StubThread(parse_scenario(SCENARIO, tmp_path / "examples.toml"), ScenarioClock(speed=1000)) as running:
        yield running


def run(stub: StubThread, program: str, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "ANTHROPIC_BASE_URL": stub.base_url, "ANTHROPIC_API_KEY": "sk-ant-example"}
    env.pop("ANTHROPIC_AUTH_TOKEN", None)
    done = subprocess.run([sys.executable, str(PROGRAMS / program), *args], cwd=PROGRAMS, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def statuses(stub: StubThread) -> list[int | None]:
    return [entry.status for entry in stub.journal.entries()]


def test_tools_calls_the_tool_then_answers_its_result(stub):
    out = run(stub, "tools.py").stdout
    assert '"stop_reason": "tool_use"' in out and '"stop_reason": "end_turn"' in out
    assert statuses(stub) == [200, 200]


def test_tools_stream_prints_input_json_deltas_and_snapshots(stub):
    out = run(stub, "tools_stream.py").stdout
    assert "delta: " in out and "snapshot: {'location': " in out


def test_the_tool_runner_calls_the_tool_and_finishes(stub):
    out = run(stub, "tools_runner.py").stdout
    assert "Fetching weather for" in out
    assert [e.stop_reason for e in stub.journal.entries()] == ["tool_use", "end_turn"]


def test_thinking_prints_thinking_then_text(stub):
    out = run(stub, "thinking.py").stdout
    assert out.index("Thinking: ") < out.index("Text: ")


def test_thinking_stream_streams_thinking_then_text(stub):
    out = run(stub, "thinking_stream.py").stdout
    assert out.index("Thinking:\n---------") < out.index("Text:\n-----")


def test_structured_outputs_parses_an_order(stub):
    out = run(stub, "structured_outputs.py").stdout
    assert out.startswith("product_name=")


def test_a_batch_and_its_results(stub):
    batch_id = run(stub, "batch_create.py").stdout.strip().splitlines()[-1]
    out = run(stub, "batch_results.py", batch_id).stdout
    assert out.count("MessageBatchIndividualResponse") == 3 and "succeeded" in out


def test_images_sends_the_logo_and_gets_an_answer(stub):
    run(stub, "images.py")
    entry = stub.journal.entries()[0]
    assert entry.status == 200 and entry.input_tokens_estimated < 2000  # counted from pixels, not base64 length


@pytest.mark.parametrize("program", ["messages.py", "messages_stream.py"])
def test_the_plain_message_examples(stub, program):
    run(stub, program)
    assert all(status == 200 for status in statuses(stub))
