"""Every ```python example in the bundled lessons runs to completion against the local stub.

"Runnable" is checked, not claimed: each lesson's examples run in one child process with
ANTHROPIC_BASE_URL pointing at a loopback stub (scenario `healthy`) and a fake key, each example
in a fresh namespace and a scratch working folder. Nothing reaches the internet.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator

import pytest

from coach import paths
from coach.clock import ScenarioClock
from coach.curriculum import load_curriculum
from coach.stub.runner import StubThread
from coach.stub.scenario import load_scenario

DRIVER = textwrap.dedent('''
    import json, sys, traceback, warnings
    warnings.simplefilter("ignore")
    results = []
    for index, source in enumerate(json.load(sys.stdin)):
        try:
            exec(compile(source, f"<example {index}>", "exec"), {"__name__": "__main__"})
            results.append(None)
        except BaseException:
            results.append(traceback.format_exc(limit=3))
    print("RESULTS " + json.dumps(results))
''')


@pytest.fixture(scope="module")
def stub() -> Iterator[StubThread]:
    with StubThread(load_scenario("healthy"), ScenarioClock(speed=50)) as thread:
        yield thread


def lesson_examples() -> list[tuple[str, list[str]]]:
    curriculum = load_curriculum([paths.bundled_lessons_dir()])
    examples = []
    for lesson in curriculum.lessons:
        blocks = [block for section in lesson.sections
                  for block in section.body.split("```python\n")[1:]]
        examples.append((lesson.id, [block.split("```")[0] for block in blocks]))
    return examples


@pytest.mark.parametrize(("lesson_id", "blocks"), lesson_examples(), ids=[i for i, _ in lesson_examples()])
def test_lesson_examples_run_against_the_stub(lesson_id, blocks, stub, tmp_path):
    (tmp_path / "refund_policy.md").write_text("Refunds within 30 days. " * 600, encoding="utf-8")
    env = {key: value for key, value in os.environ.items() if not key.startswith("ANTHROPIC_")}
    env.update(ANTHROPIC_BASE_URL=stub.base_url, ANTHROPIC_API_KEY="test-key-not-real")
    done = subprocess.run([sys.executable, "-c", DRIVER], input=json.dumps(blocks), capture_output=True,
                          text=True, cwd=tmp_path, env=env, timeout=120)
    marker = [line for line in done.stdout.splitlines() if line.startswith("RESULTS ")]
    assert marker, done.stderr[-2000:]
    failures = {i: error for i, error in enumerate(json.loads(marker[-1][len("RESULTS "):])) if error}
    assert failures == {}, "\n".join(f"example {i}:\n{error}" for i, error in failures.items())
