"""`coach stub` as a user runs it: list, serve on port 0, answer, stop cleanly on SIGTERM."""

from __future__ import annotations

import signal
import subprocess
import sys

import anthropic
import pytest

from coach.cli import main
from tests.stub.conftest import HELLO, MODEL


def test_list_names_every_scenario_with_one_line(capsys):
    assert main(["stub", "--list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    names = [line.split()[0] for line in lines]
    assert {"healthy", "retry-after", "stream-cut"} <= set(names)
    assert all(len(line.split(maxsplit=1)) == 2 for line in lines)


def test_unknown_scenario_is_a_one_line_error(capsys):
    assert main(["stub", "--scenario", "no-such"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such scenario" in err


def test_non_loopback_host_needs_allow_remote(capsys):
    assert main(["stub", "--host", "0.0.0.0"]) == 2
    assert "--allow-remote" in capsys.readouterr().err


def test_serves_until_sigterm_then_stops_cleanly(tmp_path):
    journal = tmp_path / "journal.jsonl"
    process = subprocess.Popen(
        [sys.executable, "-m", "coach", "stub", "--scenario", "retry-after", "--port", "0", "--speed", "50",
         "--journal", str(journal)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        first = process.stdout.readline()
        assert first.startswith("listening on http://127.0.0.1:")
        url = first.split()[-1]
        sdk = anthropic.Anthropic(base_url=url, api_key="sk-any", max_retries=0)
        with pytest.raises(anthropic.RateLimitError) as caught:
            sdk.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
        assert caught.value.response.headers["retry-after"] == "1"
        process.send_signal(signal.SIGTERM)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
    assert process.returncode == 0, err
    assert "stopped after 1 request(s)" in out and "Traceback" not in err
    assert "429 rate_limit_error" in out and journal.read_text().count("\n") == 1


def test_unwritable_journal_is_a_one_line_error(capsys, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    assert main(["stub", "--journal", str(blocker / "journal.jsonl")]) == 2
    assert "cannot write the journal" in capsys.readouterr().err
