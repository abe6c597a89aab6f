"""Progress survives crashes, concurrent writers and damaged files."""

from __future__ import annotations

from pathlib import Path

import pytest

from coach.progress import ProgressStore


def test_best_result_per_item_accumulates_across_attempts(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.toml")
    store.record_attempt("retry", {"a": True, "b": False})
    progress = store.record_attempt("retry", {"a": False, "b": True})
    assert progress.exercise("retry").best == {"a": True, "b": True}
    assert progress.exercise("retry").attempts == 2
    assert not progress.passed("retry")


def test_an_exercise_passes_when_every_item_passes_in_one_attempt(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.toml")
    store.record_attempt("retry", {"a": True, "b": True})
    store.record_attempt("retry", {"a": False, "b": True})
    reloaded = ProgressStore(tmp_path / "progress.toml").load()
    assert reloaded.passed("retry")
    assert reloaded.exercise("retry").last_passed is False


def test_two_stores_on_one_file_do_not_lose_each_others_work(tmp_path: Path) -> None:
    first = ProgressStore(tmp_path / "progress.toml")
    second = ProgressStore(tmp_path / "progress.toml")
    first.record_attempt("one", {"a": True})
    second.record_attempt("two", {"a": True})
    assert set(first.load().exercises) == {"one", "two"}


def test_a_damaged_file_is_kept_aside_with_a_notice(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.write_text("exercises = [[[")
    store = ProgressStore(path)
    assert store.load().exercises == {}
    assert store.notice is not None and "kept as progress.toml.corrupt-" in store.notice
    kept = list(tmp_path.glob("progress.toml.corrupt-*"))
    assert len(kept) == 1 and kept[0].read_text() == "exercises = [[["


def test_a_failed_write_leaves_the_last_good_file(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "progress.toml"
    store = ProgressStore(path)
    store.record_attempt("one", {"a": True})
    before = path.read_text()

    def crash(*args, **kwargs):
        raise RuntimeError("disk gone")

    monkeypatch.setattr("coach.progress.tomli_w.dump", crash)
    with pytest.raises(RuntimeError, match="disk gone"):
        store.record_attempt("one", {"a": False})
    assert path.read_text() == before
    assert not list(tmp_path.glob(".progress-*"))


def test_discussion_points_accumulate_and_done_sticks(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.toml")
    store.record_discussion("rate-limits", "batch", [0], done=False)
    store.record_discussion("rate-limits", "batch", [2], done=True)
    progress = store.record_discussion("rate-limits", "batch", [], done=False)
    discussion = progress.discussion("rate-limits", "batch")
    assert discussion.points == (0, 2)
    assert discussion.done and discussion.done_at is not None


def test_last_opened_is_remembered(tmp_path: Path) -> None:
    store = ProgressStore(tmp_path / "progress.toml")
    store.record_opened("rate-limits", "retry")
    assert (store.load().last_lesson, store.load().last_exercise) == ("rate-limits", "retry")
