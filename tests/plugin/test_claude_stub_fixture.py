"""The pytest plugin, run as a user's test suite would run it (pytester, in its own folder)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

USER_TESTS = '''
import anthropic

def test_answers_through_an_unmodified_client(claude_stub):
    stub = claude_stub("healthy", speed=1000)
    reply = anthropic.Anthropic().messages.create(model="claude-sonnet-4-6", max_tokens=20,
                                                  messages=[{"role": "user", "content": "hi"}])
    assert reply.content[0].type == "text"
    assert [e.status for e in stub.journal.entries()] == [200]
    assert stub.env["ANTHROPIC_BASE_URL"] == stub.base_url

def test_a_scenario_path_and_its_faults(claude_stub, tmp_path):
    scenario = tmp_path / "two-429.toml"
    scenario.write_text('summary = "two 429s"\\n[[faults]]\\nkind = "status"\\nstatus = 429\\nretry_after = 0\\n'
                        'requests = [1, 2]\\n')
    stub = claude_stub(scenario, speed=1000)
    anthropic.Anthropic().messages.create(model="claude-sonnet-4-6", max_tokens=5,
                                          messages=[{"role": "user", "content": "hi"}])
    assert [e.status for e in stub.journal.entries()] == [429, 429, 200]
'''


def test_the_fixture_serves_a_users_tests_through_the_entry_point(pytester: pytest.Pytester):
    pytester.makepyfile(test_user=USER_TESTS)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)


def test_an_unknown_scenario_fails_the_test_with_a_clear_message(pytester: pytest.Pytester):
    pytester.makepyfile(test_user="def test_x(claude_stub):\n    claude_stub('no-such-scenario')\n")
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*claude_stub: *no such scenario*"])
    assert "Traceback" not in result.stdout.str()


def test_the_readme_example_passes_as_written(pytester: pytest.Pytester):
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Test your own app against the stub", 1)[1]
    example = section.split("```python\n", 1)[1].split("```", 1)[0]
    assert len(example.strip().splitlines()) <= 10
    pytester.makepyfile(test_readme=example)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
