"""What learner code can see of the app: only the allow-listed environment and the sandbox key."""

import json

import pytest

from coach.sandbox import SANDBOX_API_KEY


@pytest.fixture(autouse=True)
def secrets_in_parent(monkeypatch):
    monkeypatch.setenv("ANTHROPIC_API_KEY", "sk-ant-api03-real-looking-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "canary-aws")


def test_learner_sees_the_sandbox_key_not_the_real_one(level, run):
    result = run("import os; print(os.environ.get('ANTHROPIC_API_KEY'))")
    assert result.stdout.strip() == SANDBOX_API_KEY


def test_environment_is_an_allow_list(level, run):
    result = run("import os, json; print(json.dumps(sorted(os.environ)))")
    names = set(json.loads(result.stdout))
    assert "AWS_SECRET_ACCESS_KEY" not in names
    assert names <= {"PATH", "HOME", "TMPDIR", "LANG", "TERM", "ANTHROPIC_API_KEY", "ANTHROPIC_BASE_URL",
                     "PYTHONHASHSEED"}


def test_extra_variables_pass_but_cannot_replace_the_key(level, run):
    result = run("import os; print(os.environ['EXERCISE_MODE'], os.environ['ANTHROPIC_API_KEY'])",
                 env={"EXERCISE_MODE": "strict", "ANTHROPIC_API_KEY": "sk-ant-leaked"})
    assert result.stdout.split() == ["strict", SANDBOX_API_KEY]


def test_client_with_no_arguments_reaches_the_stub(level, run, stub):
    result = run("""
        import anthropic
        reply = anthropic.Anthropic().messages.create(
            model="claude-haiku-4-5", max_tokens=20, messages=[{"role": "user", "content": "hi"}])
        print(reply.type)
    """)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == "message"
    assert len(stub.journal.entries()) == 1


def test_every_run_reports_its_isolation_level(level, run):
    result = run("pass")
    assert result.isolation
    assert result.isolation.startswith("namespaces") == (level != "process")
