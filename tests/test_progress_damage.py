"""A damaged progress file is set aside with a reason, whatever the damage; nothing is lost or raised."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import pytest

from coach.progress import ProgressError, ProgressStore

GOOD_ATTEMPT = {"a": True}

DAMAGE = {
    "not-utf-8": ("[exercises.retry]\nattempts = 1\nnote = 'caf\xe9'\n".encode("latin-1"), "not UTF-8"),
    "random-bytes": (random.Random(18).randbytes(4096), ""),
    "attempts-inf": (b"[exercises.retry]\nattempts = inf\n", "exercises.retry.attempts"),
    "attempts-nan": (b"[exercises.retry]\nattempts = nan\n", "exercises.retry.attempts"),
    "nested-100000-deep": (b"x = " + b"[" * 100_000 + b"]" * 100_000 + b"\n", "nested more than"),
    "attempts-as-text": (b"[exercises.retry]\nattempts = 'three'\n", "exercises.retry.attempts"),
    "negative-attempts": (b"[exercises.retry]\nattempts = -1\n", "exercises.retry.attempts"),
    "exercises-not-a-table": (b"exercises = [1, 2]\n", "exercises"),
    "date-without-time": (b"[exercises.retry]\npassed_at = 2026-01-01\n", "exercises.retry.passed_at"),
}


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_loading_a_damaged_file_sets_it_aside_with_the_reason(tmp_path: Path, damage) -> None:
    raw, reason = damage
    path = tmp_path / "progress.toml"
    path.write_bytes(raw)
    store = ProgressStore(path)
    assert store.load().exercises == {}
    assert store.notice is not None and reason in store.notice and "kept as progress.toml.corrupt-" in store.notice
    (kept,) = tmp_path.glob("progress.toml.corrupt-*")
    assert kept.read_bytes() == raw
    assert not path.exists()


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_recording_over_a_damaged_file_sets_it_aside_and_saves_the_new_attempt(tmp_path: Path, damage) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(damage[0])
    store = ProgressStore(path)
    store.record_attempt("retry", GOOD_ATTEMPT)
    assert store.notice is not None
    assert ProgressStore(path).load().exercise("retry").attempts == 1
    assert len(list(tmp_path.glob("progress.toml.corrupt-*"))) == 1


def test_the_line_of_a_non_utf8_byte_is_named(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"version = 1\n\n[exercises.retry]\nbest = { '\xff' = true }\n")
    store = ProgressStore(path)
    store.load()
    assert "line 4: not UTF-8 text: byte 0xff at column 11" in store.notice


def test_a_damaged_file_that_cannot_be_moved_aside_is_never_overwritten(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"attempts = [[[")

    def refuse(*args):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr("coach.progress.os.replace", refuse)
    store = ProgressStore(path)
    assert store.load().exercises == {}
    assert "could not be moved aside" in store.notice
    with pytest.raises(ProgressError, match="could not be moved aside"):
        store.record_attempt("retry", GOOD_ATTEMPT)
    assert path.read_bytes() == b"attempts = [[["


def test_unknown_keys_are_not_damage(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    path.write_bytes(b"version = 2\nfuture = 'x'\n[exercises.retry]\nattempts = 3\nstreak = 2\n")
    store = ProgressStore(path)
    assert store.load().exercise("retry").attempts == 3
    assert store.notice is None


def test_temp_files_of_writers_that_are_gone_are_removed_on_start(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    ProgressStore(path).record_attempt("retry", GOOD_ATTEMPT)
    stale = [tmp_path / f".progress-{n}.tmp" for n in range(40)]
    for file in stale:
        file.write_bytes(b"half a write")
    store = ProgressStore(path)
    assert store.load().exercise("retry").attempts == 1
    assert not any(file.exists() for file in stale)


def test_a_temp_file_being_written_now_is_left_alone(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    ProgressStore(path).record_attempt("retry", GOOD_ATTEMPT)
    busy = tmp_path / ".progress-busy.tmp"
    busy.write_bytes(b"being written")
    holder = subprocess.Popen(
        [sys.executable, "-c", "import fcntl, sys; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
         "print('locked', flush=True); sys.stdin.read()", str(path) + ".lock"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        ProgressStore(path).load()
        assert busy.exists()
    finally:
        holder.stdin.close()
        holder.wait(timeout=10)


def test_a_killed_writer_leaves_a_temp_file_that_the_next_start_removes(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    code = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "import coach.progress as p\n"
        "def die(*a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGKILL)\n"
        "p.os.fsync = die\n"
        "p.ProgressStore(Path(sys.argv[1])).record_attempt('retry', {'a': True})\n"
    )
    result = subprocess.run([sys.executable, "-c", code, str(path)], env={**os.environ}, timeout=60)
    assert result.returncode == -9
    assert list(tmp_path.glob(".progress-*.tmp"))
    ProgressStore(path).load()
    assert not list(tmp_path.glob(".progress-*.tmp"))


def test_the_first_recording_of_a_start_also_removes_stale_temp_files(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    stale = tmp_path / ".progress-dead.tmp"
    stale.write_bytes(b"half a write")
    ProgressStore(path).record_attempt("retry", GOOD_ATTEMPT)
    assert not stale.exists()


def test_two_damaged_files_in_one_second_are_both_kept(tmp_path: Path) -> None:
    path = tmp_path / "progress.toml"
    for raw in (b"attempts = [[[", b"\xff\xfe"):
        path.write_bytes(raw)
        ProgressStore(path).load()
    assert sorted(p.read_bytes() for p in tmp_path.glob("progress.toml.corrupt-*")) == [b"attempts = [[[", b"\xff\xfe"]
