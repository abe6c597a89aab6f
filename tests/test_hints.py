"""The hint ladder: a nudge, a pointer, then near-code, revealed one step at a time and remembered."""

from __future__ import annotations

from pathlib import Path

from coach.curriculum import load_curriculum, load_lesson_file
from coach.curriculum.model import CheckItem
from coach.hints import hint_ladder, revealed
from coach.progress import ProgressStore

OLD_FORM = CheckItem("runs", "exits_cleanly", "The program finishes.", "Read the traceback.")


def test_an_item_with_only_a_hint_gets_a_nudge_from_its_description_first() -> None:
    ladder = hint_ladder(OLD_FORM)
    assert [step.name for step in ladder] == ["nudge", "near-code"]
    assert "The program finishes" in ladder[0].text
    assert ladder[-1].text == "Read the traceback."


def test_an_authored_ladder_comes_before_the_hint() -> None:
    item = CheckItem("runs", "exits_cleanly", "d", "the code", ladder=("think", "look here"))
    assert [(s.name, s.text) for s in hint_ladder(item)] == [
        ("nudge", "think"), ("pointer", "look here"), ("near-code", "the code")]


def test_nothing_is_revealed_until_asked() -> None:
    assert revealed(OLD_FORM, 0) == ()
    assert len(revealed(OLD_FORM, 5)) == 2


def test_every_retry_backoff_item_has_a_three_step_ladder() -> None:
    exercise = load_curriculum().exercise("retry-backoff")
    assert exercise is not None
    assert all(len(hint_ladder(item)) == 3 for item in exercise.checks)


def test_a_lesson_with_a_ladder_loads_and_one_without_still_does(tmp_path: Path) -> None:
    lesson_file = Path(__file__).parent / "tui" / "course" / "lessons" / "01-retries.toml"
    lesson, errors = load_lesson_file(lesson_file)
    assert not errors and lesson is not None
    with_ladder, without = lesson.exercises
    assert len(with_ladder.checks[0].ladder) == 2 and without.checks[0].ladder == ()


def test_revealed_steps_are_kept_in_progress_and_never_go_down(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.toml")
    store.record_hint("retry", "jitter", 2)
    store.record_hint("retry", "jitter", 1)
    store.record_attempt("retry", {"jitter": False})
    assert ProgressStore(tmp_path / "progress.toml").load().exercise("retry").hints == {"jitter": 2}
