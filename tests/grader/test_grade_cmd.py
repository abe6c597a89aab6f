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


def test_starter_exits_1_and_prints_evidence_but_no_hint_until_asked(capsys) -> None:
    assert main(["grade", "retry-backoff", str(STARTER)]) == 1
    out = capsys.readouterr().out
    assert "✗" in out and "retry-after: 2" in out
    assert "nudge:" not in out and "near-code:" not in out and "coach grade --hint" in out


def test_hint_reveals_one_step_of_the_first_failing_item_and_records_it(capsys) -> None:
    from coach.progress import ProgressStore

    assert main(["grade", "retry-backoff", "--hint"]) == 1
    out = capsys.readouterr().out
    assert out.count("nudge:") == 1 and "pointer:" not in out
    assert main(["grade", "retry-backoff", "--hint"]) == 1
    assert "pointer:" in capsys.readouterr().out
    assert ProgressStore().load().exercise("retry-backoff").hints == {"honours-retry-after": 2}


def test_grading_a_file_outside_the_workspace_records_no_pass(capsys) -> None:
    from coach.progress import ProgressStore

    assert main(["grade", "retry-backoff", str(REFERENCE)]) == 0
    assert "not recorded as your attempt" in capsys.readouterr().out
    assert not ProgressStore().load().passed("retry-backoff")
    assert ProgressStore().load().exercise("retry-backoff").attempts == 0


def test_passing_from_the_workspace_marks_the_exercise_in_coach_list(capsys) -> None:
    from coach.curriculum import load_curriculum
    from coach.workspace import open_workspace

    open_workspace(load_curriculum().exercise("retry-backoff")).write_text(REFERENCE.read_text())
    assert main(["grade", "retry-backoff"]) == 0
    capsys.readouterr()
    assert main(["list"]) == 0
    line = next(line for line in capsys.readouterr().out.splitlines() if "[retry-backoff]" in line)
    assert "✓" in line and "passed" in line
    assert main(["list", "--json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    statuses = {e["id"]: e["status"] for lesson in listed["lessons"] for e in lesson["exercises"]}
    assert statuses["retry-backoff"] == "passed" and statuses["batch-pipeline"] == "new"


def test_a_syntax_error_is_printed_first_as_the_learners_own_line(capsys, tmp_path) -> None:
    broken = tmp_path / "mine.py"
    broken.write_text("import anthropic\n\ndef main(:\n    pass\n")
    assert main(["grade", "retry-backoff", str(broken)]) == 1
    out = capsys.readouterr().out
    assert "Your code does not parse" in out and "mine.py:3: def main(:" in out
    assert out.index("SyntaxError") < out.index("✗"), "the error comes before the checklist"
    assert "importlib" not in out and "coach/sandbox" not in out


def test_code_nested_too_deeply_to_parse_is_reported_as_the_learners_not_a_traceback(capsys, tmp_path) -> None:
    nested = tmp_path / "mine.py"
    nested.write_text("x = a" + ".a" * 200_000 + "\n")  # Python's parser gives up with RecursionError
    assert main(["grade", "retry-backoff", str(nested)]) == 1
    out = capsys.readouterr().out
    assert "nested too deeply" in out and out.index("nested too deeply") < out.index("✗")


def test_a_crash_shows_the_learners_frames_and_hides_coachs(capsys, tmp_path) -> None:
    crashing = tmp_path / "mine.py"
    crashing.write_text("def helper():\n    return 1 / 0\n\n\ndef main():\n    return helper()\n")
    assert main(["grade", "retry-backoff", str(crashing)]) == 1
    out = capsys.readouterr().out
    assert "mine.py:6 in main: return helper()" in out and "mine.py:2 in helper: return 1 / 0" in out
    assert out.index("ZeroDivisionError") < out.index("✗")
    assert "learner.py" not in out and "coach/sandbox" not in out


def test_watch_redraws_the_report_on_each_save(capsys, monkeypatch, tmp_path) -> None:
    import sys

    import watchfiles

    from coach.cli import grade_cmd

    file = tmp_path / "mine.py"
    file.write_text("x = 1\n")
    saves = [{(watchfiles.Change.modified, str(file))}, {(watchfiles.Change.added, str(tmp_path / "other"))}]
    monkeypatch.setattr(watchfiles, "watch", lambda *a, **k: iter(saves))
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    runs = []
    assert grade_cmd._watch(file, lambda: runs.append(1) or 1) == 1
    assert len(runs) == 2, "graded once at the start and once for the save; the other file is ignored"
    assert capsys.readouterr().out.count("\033[2J") == 2, "each grade clears the screen first"


def test_grading_without_a_file_uses_the_workspace_copy_of_the_starter(capsys) -> None:
    assert main(["grade", "retry-backoff", "--json"]) == 1
    assert json.loads(capsys.readouterr().out)["exercise"] == "retry-backoff"
