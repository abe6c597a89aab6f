"""The learner's progress, kept in one TOML file that survives crashes.

Every change re-reads the file under a lock, applies itself and writes a new file that
replaces the old one atomically, so the app and `coach grade --watch` in another terminal
can both record without losing each other's work, and a crash mid-write leaves the last
good file. A file that cannot be read is moved aside (never silently reset) and the
reason is kept in `notice` for the interface to show.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import reprlib
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from coach import paths
from coach.curriculum.schema import type_name
from coach.tomlfile import TomlFileError, parse_toml


@dataclass(frozen=True)
class ExerciseProgress:
    attempts: int = 0
    best: dict[str, bool] = field(default_factory=dict)
    """Per checklist item: passed in any attempt so far."""
    last_passed: bool = False
    passed_at: datetime | None = None
    """When every item first passed in one attempt."""
    last_attempt_at: datetime | None = None
    hints: dict[str, int] = field(default_factory=dict)
    """Per checklist item: how many steps of its hint ladder the learner has revealed."""


@dataclass(frozen=True)
class DiscussionProgress:
    done: bool = False
    points: tuple[int, ...] = ()
    """Indexes of the discussion's target points the learner has reached."""
    done_at: datetime | None = None


@dataclass(frozen=True)
class Progress:
    exercises: dict[str, ExerciseProgress] = field(default_factory=dict)
    discussions: dict[str, DiscussionProgress] = field(default_factory=dict)
    """Keyed by `lesson_id/discussion_id`."""
    last_lesson: str | None = None
    last_exercise: str | None = None

    def exercise(self, exercise_id: str) -> ExerciseProgress:
        return self.exercises.get(exercise_id, ExerciseProgress())

    def discussion(self, lesson_id: str, discussion_id: str) -> DiscussionProgress:
        return self.discussions.get(f"{lesson_id}/{discussion_id}", DiscussionProgress())

    def passed(self, exercise_id: str) -> bool:
        return self.exercise(exercise_id).passed_at is not None

    def status(self, exercise_id: str) -> str:
        """"passed", "tried" (graded, not passed yet) or "new"."""
        if self.passed(exercise_id):
            return "passed"
        return "tried" if self.exercise(exercise_id).attempts else "new"


class ProgressError(Exception):
    """The progress file could not be written (or a damaged one could not be moved aside)."""


TEMP_PREFIX, TEMP_SUFFIX = ".progress-", ".tmp"


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ProgressStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.user_data_dir() / "progress.toml"
        self.notice: str | None = None
        """Set when a damaged file was moved aside; say it to the learner once."""
        self._lock_path = self.path.with_name(self.path.name + ".lock")
        self._temps_checked = False

    def load(self) -> Progress:
        """What the file holds; a damaged file is set aside and `notice` says so (never raises)."""
        self._remove_stale_temps()
        try:
            return self._read()
        except ProgressError:
            return Progress()  # the notice says why nothing can be saved

    def record_attempt(self, exercise_id: str, results: Mapping[str, bool]) -> Progress:
        """One grading of an exercise: item id -> passed."""

        def change(progress: Progress) -> Progress:
            old = progress.exercise(exercise_id)
            best = dict(old.best)
            for item, ok in results.items():
                best[item] = best.get(item, False) or bool(ok)
            all_passed = bool(results) and all(results.values())
            now = _now()
            new = ExerciseProgress(
                attempts=old.attempts + 1,
                best=best,
                last_passed=all_passed,
                passed_at=old.passed_at or (now if all_passed else None),
                last_attempt_at=now,
                hints=old.hints,
            )
            return replace(progress, exercises={**progress.exercises, exercise_id: new})

        return self._update(change)

    def record_hint(self, exercise_id: str, item_id: str, steps: int) -> Progress:
        """The learner has now seen `steps` steps of this item's hint ladder; the count never goes down."""

        def change(progress: Progress) -> Progress:
            old = progress.exercise(exercise_id)
            hints = {**old.hints, item_id: max(old.hints.get(item_id, 0), steps)}
            return replace(progress, exercises={**progress.exercises, exercise_id: replace(old, hints=hints)})

        return self._update(change)

    def record_discussion(
        self, lesson_id: str, discussion_id: str, points: Iterable[int], done: bool
    ) -> Progress:
        """Points reached accumulate; a discussion once done stays done."""

        def change(progress: Progress) -> Progress:
            old = progress.discussion(lesson_id, discussion_id)
            reached = tuple(sorted(set(old.points) | {int(p) for p in points}))
            finished = old.done or done
            new = DiscussionProgress(finished, reached, old.done_at or (_now() if finished else None))
            key = f"{lesson_id}/{discussion_id}"
            return replace(progress, discussions={**progress.discussions, key: new})

        return self._update(change)

    def record_opened(self, lesson_id: str, exercise_id: str | None = None) -> Progress:
        return self._update(lambda p: replace(p, last_lesson=lesson_id, last_exercise=exercise_id))

    def reset_exercise(self, exercise_id: str) -> Progress:
        def change(progress: Progress) -> Progress:
            exercises = {k: v for k, v in progress.exercises.items() if k != exercise_id}
            return replace(progress, exercises=exercises)

        return self._update(change)

    # -- file handling -------------------------------------------------------------

    def _update(self, change: Callable[[Progress], Progress]) -> Progress:
        self._remove_stale_temps()  # before taking the lock: it tells a dead writer's temp files from a live one's
        with self._locked():
            progress = change(self._read())
            self._write(_encode(progress))
        return progress

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self._lock_path, "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                yield
        except OSError as exc:
            raise ProgressError(f"cannot save progress in {self.path.parent}: {exc.strerror or exc}") from exc

    def _read(self) -> Progress:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return Progress()
        except OSError as exc:
            self.notice = f"could not read progress file {self.path}: {exc.strerror or exc}"
            return Progress()
        try:
            data, _ = parse_toml(raw)
            return _decode(data)  # the shape must be right too, not just the syntax
        except TomlFileError as exc:
            where = f"line {exc.problem.line}: " if exc.problem.line else ""
            return self._set_aside(f"{where}{exc.problem.message}")
        except _Damage as exc:
            return self._set_aside(str(exc))

    def _set_aside(self, reason: str) -> Progress:
        """Keep the damaged file under another name and say so: never lose it, never read it again."""
        stamp = f"{self.path.name}.corrupt-{_now():%Y%m%dT%H%M%S}"
        aside = self.path.with_name(stamp)
        n = 1
        while aside.exists():  # never replace a file set aside earlier in the same second
            n += 1
            aside = self.path.with_name(f"{stamp}-{n}")
        try:
            os.replace(self.path, aside)
        except OSError as exc:
            self.notice = (f"progress file {self.path} is damaged ({reason}) and could not be moved aside "
                           f"({exc.strerror or exc}); progress is not being saved until it is moved or removed")
            raise ProgressError(self.notice) from exc
        self.notice = (f"progress file {self.path} was damaged ({reason}); "
                       f"it was kept as {aside.name} and progress starts afresh")
        return Progress()

    def _remove_stale_temps(self) -> None:
        """Delete `.progress-*.tmp` files left by writers that died mid-write.

        A temp file is only ever written while its writer holds the lock, so when the lock can
        be taken without waiting, every temp file there belongs to a writer that is gone.
        """
        if self._temps_checked:
            return
        self._temps_checked = True
        try:
            with open(self._lock_path, "a") as lock:
                try:
                    fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return  # someone is writing now; the next start will tidy up
                for stale in self.path.parent.glob(f"{TEMP_PREFIX}*{TEMP_SUFFIX}"):
                    with contextlib.suppress(OSError):
                        stale.unlink()
        except OSError:
            pass  # no folder yet, or read-only: nothing to tidy

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=TEMP_PREFIX, suffix=TEMP_SUFFIX)
        try:
            with os.fdopen(fd, "wb") as out:
                tomli_w.dump(data, out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise


class _Damage(Exception):
    """The file parses as TOML but is not a progress file: says which key and why."""


def _decode(data: dict[str, Any]) -> Progress:
    """Strictly: a count is a non-negative integer (not a float, inf, nan, text or true), a time is a date
    and time. Written by hand rather than with pydantic, whose import would cost the app's first paint
    about 0.1 to 0.25 s (`python -X importtime`); unknown keys are left alone for newer versions."""
    exercises = {
        key: ExerciseProgress(
            attempts=_count(entry, "attempts", where),
            best={name: _kind(flag, bool, f"{where}.best.{name}")
                  for name, flag in _table(entry, "best", where).items()},
            last_passed=_kind(entry.get("last_passed", False), bool, f"{where}.last_passed"),
            passed_at=_time(entry, "passed_at", where),
            last_attempt_at=_time(entry, "last_attempt_at", where),
            hints={name: _non_negative(step, f"{where}.hints.{name}")
                   for name, step in _table(entry, "hints", where).items()},
        )
        for key, entry, where in _entries(data, "exercises")
    }
    discussions = {
        key: DiscussionProgress(
            done=_kind(entry.get("done", False), bool, f"{where}.done"),
            points=tuple(_non_negative(p, f"{where}.points[{i}]")
                         for i, p in enumerate(_kind(entry.get("points", []), list, f"{where}.points"))),
            done_at=_time(entry, "done_at", where),
        )
        for key, entry, where in _entries(data, "discussions")
    }
    last = _table(data, "last", "")
    lesson, exercise = (_kind(last.get(k), (str, type(None)), f"last.{k}") for k in ("lesson", "exercise"))
    return Progress(exercises, discussions, lesson, exercise)


def _entries(data: dict[str, Any], name: str) -> Iterator[tuple[str, dict[str, Any], str]]:
    for key in _table(data, name, ""):
        yield key, _table(data[name], key, name), f"{name}.{key}"


def _table(data: dict[str, Any], key: str, where: str) -> dict[str, Any]:
    return _kind(data.get(key, {}), dict, f"{where}.{key}" if where else key)


def _kind(value: Any, kind: type | tuple[type, ...], where: str) -> Any:
    kinds = kind if isinstance(kind, tuple) else (kind,)
    if type(value) not in kinds:  # exact: true is not a count, and 1 is not true
        raise _Damage(f"{where}: expected {type_name(kinds[0])}, got {_short(value)}")
    return value


def _non_negative(value: Any, where: str) -> int:
    if type(value) is not int or value < 0:
        raise _Damage(f"{where}: expected a count (a whole number, 0 or more), got {_short(value)}")
    return value


def _short(value: Any) -> str:
    """A damaged value as the notice shows it: a few dozen characters, whatever its size."""
    return reprlib.repr(value)


def _count(entry: dict[str, Any], key: str, where: str) -> int:
    return _non_negative(entry.get(key, 0), f"{where}.{key}")


def _time(entry: dict[str, Any], key: str, where: str) -> datetime | None:
    value = entry.get(key)
    if value is not None and type(value) is not datetime:
        raise _Damage(f"{where}.{key}: expected a date and time, got {_short(value)}")
    return value


def _encode(progress: Progress) -> dict[str, Any]:
    def clean(values: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in values.items() if v is not None}

    data: dict[str, Any] = {"version": 1}
    last = clean({"lesson": progress.last_lesson, "exercise": progress.last_exercise})
    if last:
        data["last"] = last
    data["exercises"] = {
        key: clean({"attempts": e.attempts, "best": e.best, "last_passed": e.last_passed,
                    "passed_at": e.passed_at, "last_attempt_at": e.last_attempt_at,
                    **({"hints": e.hints} if e.hints else {})})
        for key, e in progress.exercises.items()
    }
    data["discussions"] = {
        key: clean({"done": d.done, "points": list(d.points), "done_at": d.done_at})
        for key, d in progress.discussions.items()
    }
    return data
