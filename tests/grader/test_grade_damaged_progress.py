"""`coach grade` on top of a damaged progress file: the report, a notice, the file set aside once."""

from pathlib import Path

from coach import paths
from coach.cli import main
from coach.curriculum import load_curriculum
from coach.workspace import open_workspace

REFERENCE = Path(__file__).parents[2] / "exercises/retry-backoff/reference.py"


def test_grading_over_a_damaged_progress_file_reports_and_sets_it_aside_once(capsys) -> None:
    progress = paths.user_data_dir() / "progress.toml"
    progress.parent.mkdir(parents=True, exist_ok=True)
    progress.write_bytes(b"[exercises.retry-backoff]\nattempts = inf\n")
    workspace = open_workspace(load_curriculum().exercise("retry-backoff"))  # only the workspace copy is recorded
    workspace.write_text(REFERENCE.read_text(encoding="utf-8"), encoding="utf-8")
    assert main(["grade", "retry-backoff"]) == 0
    captured = capsys.readouterr()
    assert "All checks pass." in captured.out
    assert "exercises.retry-backoff.attempts" in captured.err and "Traceback" not in captured.err
    assert main(["grade", "retry-backoff"]) == 0
    assert "damaged" not in capsys.readouterr().err
    assert len(list(progress.parent.glob("progress.toml.corrupt-*"))) == 1
