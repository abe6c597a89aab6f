"""`coach run`, tried as a new user would."""

import json

from coach.cli import main

REAL_LOOKING_KEY = "sk-ant-api03-" + "A1b2" * 20


def test_run_shows_only_the_sandbox_key_while_a_real_one_is_exported(process_level, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("ANTHROPIC_API_KEY", REAL_LOOKING_KEY)
    program = tmp_path / "show_key.py"
    program.write_text('import os\nprint(os.environ.get("ANTHROPIC_API_KEY"))\n')
    assert main(["run", str(program)]) == 0
    out, err = capsys.readouterr()
    assert "sk-ant-sandbox-0000" in out
    assert REAL_LOOKING_KEY not in out + err
    assert "isolation" in out and "requests" in out


def test_run_json_reports_the_requests_the_stub_saw(process_level, tmp_path, capsys):
    program = tmp_path / "call.py"
    program.write_text(
        "import anthropic\n"
        "anthropic.Anthropic().messages.create(model='claude-haiku-4-5', max_tokens=5,\n"
        "                                      messages=[{'role': 'user', 'content': 'hi'}])\n"
        "print('called')\n"
    )
    assert main(["run", str(program), "--scenario", "retry-after", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) == {"exit_code", "stdout", "stderr", "timed_out", "limit_hit", "isolation", "wall_s",
                           "scenario_s", "requests", "seed"}
    assert report["requests"] == 3  # two 429s with retry-after, then the success
    assert report["stdout"] == "called\n"


def test_run_passes_the_program_exit_status_through(process_level, tmp_path, capsys):
    program = tmp_path / "fail.py"
    program.write_text("raise SystemExit(4)\n")
    assert main(["run", str(program), "--json"]) == 4


def test_unknown_scenario_is_a_one_line_error(tmp_path, capsys):
    program = tmp_path / "p.py"
    program.write_text("pass\n")
    assert main(["run", str(program), "--scenario", "no-such-scenario"]) == 2
    err = capsys.readouterr().err
    assert "no-such-scenario" in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_missing_file_is_a_one_line_error(tmp_path, capsys):
    assert main(["run", str(tmp_path / "absent.py")]) == 2
    assert "no such file" in capsys.readouterr().err
