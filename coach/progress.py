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
import tempfile
import tomllib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import tomli_w

from coach import paths


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
    """The progress file could not be written."""


def _now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


class ProgressStore:
    def __init__(self, path: Path | None = None) -> None:
        self.path = path or paths.user_data_dir() / "progress.toml"
        self.notice: str | None = None
        """Set when a damaged file was moved aside; say it to the learner once."""

    def load(self) -> Progress:
        return _decode(self._read())

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
        with self._locked():
            progress = change(_decode(self._read()))
            self._write(_encode(progress))
        return progress

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with open(self.path.with_name(self.path.name + ".lock"), "a") as lock:
                fcntl.flock(lock, fcntl.LOCK_EX)
                yield
        except OSError as exc:
            raise ProgressError(f"cannot save progress in {self.path.parent}: {exc.strerror or exc}") from exc

    def _read(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {}
        except OSError as exc:
            self.notice = f"could not read progress file {self.path}: {exc.strerror or exc}"
            return {}
        try:
            data = tomllib.loads(text)
            _decode(data)  # the shape must be right too, not just the syntax
            return data
        except (tomllib.TOMLDecodeError, UnicodeDecodeError, TypeError, ValueError, KeyError,
                AttributeError) as exc:
            aside = self.path.with_name(f"{self.path.name}.corrupt-{_now():%Y%m%dT%H%M%S}")
            with contextlib.suppress(OSError):
                os.replace(self.path, aside)
            self.notice = (f"progress file {self.path} was damaged ({exc}); "
                           f"it was kept as {aside.name} and progress starts afresh")
            return {}

    def _write(self, data: dict[str, Any]) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".progress-", suffix=".tmp")
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


def _decode(data: dict[str, Any]) -> Progress:
    exercises = {
        key: ExerciseProgress(
            attempts=int(value.get("attempts", 0)),
            best={str(k): bool(v) for k, v in value.get("best", {}).items()},
            last_passed=bool(value.get("last_passed", False)),
            passed_at=_datetime(value.get("passed_at")),
            last_attempt_at=_datetime(value.get("last_attempt_at")),
            hints={str(k): int(v) for k, v in value.get("hints", {}).items()},
        )
        for key, value in data.get("exercises", {}).items()
    }
    discussions = {
        key: DiscussionProgress(
            done=bool(value.get("done", False)),
            points=tuple(int(p) for p in value.get("points", [])),
            done_at=_datetime(value.get("done_at")),
        )
        for key, value in data.get("discussions", {}).items()
    }
    last = data.get("last", {})
    return Progress(exercises, discussions, last.get("lesson"), last.get("exercise"))


def _datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    raise TypeError(f"expected a date and time, got {value!r}")


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
