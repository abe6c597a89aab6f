"""`coach grade`: the checklist for scripts and for people, and exit codes that say what happened."""

import json
from pathlib import Path

from coach.cli import main

ROOT = Path(__file__).parents[2]
REFERENCE = ROOT / "exercises/retry-backoff/reference.py"
STARTER = ROOT / "exercises/retry-backoff/starter.py"


def test_unknown_exercise_exits_2_naming_the_known_ones(capsys) -> None:
    assert main(["grade", "no-such-exercise"]) == 2
    err = capsys.readouterr().err
    assert "no exercise 'no-such-exercise'" in err and "retry-backoff" in err


def test_missing_file_exits_2(capsys, tmp_path) -> None:
    assert main(["grade", "retry-backoff", str(tmp_path / "gone.py")]) == 2
    assert "no such file" in capsys.readouterr().err


def test_passing_solution_exits_0_with_every_json_field(capsys) -> None:
    assert main(["grade", "retry-backoff", str(REFERENCE), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert {"exercise", "passed", "checks", "timeline", "isolation", "wall_s", "scenario_s"} <= set(report)
    assert report["passed"] is True
    assert all({"id", "passed", "evidence", "hint"} <= set(item) for item in report["checks"])
    assert report["timeline"], "the timeline lists the requests the stub saw"


def test_starter_exits_1_and_prints_evidence_and_hints(capsys) -> None:
    assert main(["grade", "retry-backoff", str(STARTER)]) == 1
    out = capsys.readouterr().out
    assert "✗" in out and "hint:" in out and "retry-after: 2" in out


def test_grading_without_a_file_uses_the_workspace_copy_of_the_starter(capsys) -> None:
    assert main(["grade", "retry-backoff", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["exercise"] == "retry-backoff"
