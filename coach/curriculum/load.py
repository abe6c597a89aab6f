"""Load lesson files into plain data, collecting located errors instead of raising.

A broken file never stops the others from loading: it is reported and skipped.
"""

from __future__ import annotations

import ast
import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from coach import paths
from coach.curriculum.locate import key_lines, line_of
from coach.curriculum.model import (
    CheckItem,
    Discussion,
    Exercise,
    Lesson,
    LocatedError,
    Section,
    Source,
)
from coach.curriculum.schema import LESSON, Field, check_table, did_you_mean
from coach.tomlfile import TomlFileError, non_finite_keys, parse_toml

if TYPE_CHECKING:
    from coach.grader.checks import CheckModuleFailure


@dataclass(frozen=True)
class References:
    """Names a lesson may refer to; None means that registry is not consulted.

    `checks` takes the lesson folders being loaded (instructors keep check modules
    there) and gives each check's parameter schema by name.
    """

    checks: Callable[[list[Path]], Mapping[str, Mapping[str, Field]]] | None = None
    scenarios: Callable[[], Iterable[str]] | None = None
    check_failures: Callable[[list[Path]], list[CheckModuleFailure]] | None = None
    """Check modules in these folders that failed to import: reported once, as errors of their own."""
    scenario_errors: Callable[[str], list[LocatedError]] | None = None
    """The errors of a known scenario's file; a lesson naming a broken scenario is broken too."""


def default_references() -> References:
    """The registries that exist so far: scenarios from the stub, checks from the grader."""
    from coach.grader.checks import check_module_failures, check_params
    from coach.stub.scenario import scenario_errors, scenario_names

    return References(checks=check_params, scenarios=scenario_names, check_failures=check_module_failures,
                      scenario_errors=scenario_errors)


@dataclass
class Curriculum:
    lessons: list[Lesson] = field(default_factory=list)
    errors: list[LocatedError] = field(default_factory=list)

    def lesson(self, lesson_id: str) -> Lesson | None:
        return next((lesson for lesson in self.lessons if lesson.id == lesson_id), None)

    def exercise(self, exercise_id: str) -> Exercise | None:
        for lesson in self.lessons:
            for exercise in lesson.exercises:
                if exercise.id == exercise_id:
                    return exercise
        return None

    @property
    def broken_files(self) -> list[Path]:
        return sorted({error.file for error in self.errors})


def default_lesson_dirs() -> list[Path]:
    return [paths.bundled_lessons_dir(), paths.user_lessons_dir()]


def lesson_files(targets: Iterable[Path]) -> list[Path]:
    """Lesson files named directly or found in the given folders; missing folders are skipped."""
    files: list[Path] = []
    for target in targets:
        if target.is_dir():
            files.extend(sorted(target.glob("*.toml")))
        elif target.exists() or target.suffix == ".toml":
            files.append(target)
    return files


def load_curriculum(
    targets: Iterable[Path] | None = None, references: References | None = None
) -> Curriculum:
    references = references if references is not None else default_references()
    curriculum = Curriculum()
    targets = default_lesson_dirs() if targets is None else list(targets)
    files = lesson_files(targets)
    referred: dict[str, list[LocatedError]] = {}
    if references.scenario_errors is not None:
        references = dataclasses.replace(references, scenario_errors=_remembering(references.scenario_errors, referred))
    seen_lessons: dict[str, Path] = {}
    seen_exercises: dict[str, Path] = {}
    for file in files:
        lesson, errors = load_lesson_file(file, references)
        if lesson is not None:
            errors += _duplicates(lesson, file, seen_lessons, seen_exercises)
        curriculum.errors.extend(errors)
        if lesson is not None and not errors:
            curriculum.lessons.append(lesson)
    if references.check_failures is not None:
        folders = sorted({t for t in targets if t.is_dir()} | {file.parent for file in files})
        curriculum.errors.extend(failure.error for failure in references.check_failures(folders))
    for problems in referred.values():  # each broken scenario a lesson names, with its own file:line
        curriculum.errors.extend(problems)
    curriculum.lessons.sort(key=lambda lesson: (lesson.order, lesson.id))
    return curriculum


def _remembering(
    scenario_errors: Callable[[str], list[LocatedError]], asked: dict[str, list[LocatedError]]
) -> Callable[[str], list[LocatedError]]:
    """Ask about each scenario once per load, keeping the answers to report them after the lessons."""

    def ask(name: str) -> list[LocatedError]:
        if name not in asked:
            asked[name] = scenario_errors(name)
        return asked[name]

    return ask


def _duplicates(
    lesson: Lesson, file: Path, lessons: dict[str, Path], exercises: dict[str, Path]
) -> list[LocatedError]:
    lines = key_lines(file.read_bytes().decode("utf-8", errors="replace"))
    errors = []
    if lesson.id in lessons:
        errors.append(LocatedError(file, line_of(lines, "id"), "id",
                                  f"lesson id '{lesson.id}' is already used by {lessons[lesson.id]}"))
    else:
        lessons[lesson.id] = file
    for i, exercise in enumerate(lesson.exercises):
        key = f"exercises[{i}].id"
        if exercise.id in exercises:
            errors.append(LocatedError(file, line_of(lines, key), key,
                                      f"exercise id '{exercise.id}' is already used by {exercises[exercise.id]}"))
        else:
            exercises[exercise.id] = file
    return errors


def load_lesson_file(
    file: Path, references: References | None = None
) -> tuple[Lesson | None, list[LocatedError]]:
    references = references if references is not None else References()
    try:
        raw = file.read_bytes()
    except OSError as exc:
        return None, [LocatedError(file, None, "", f"cannot read the file: {exc.strerror or exc}")]
    try:
        data, text = parse_toml(raw)
    except TomlFileError as exc:
        return None, [LocatedError(file, exc.problem.line, "", exc.problem.message)]

    lines = key_lines(text)

    def error(key: str, message: str) -> LocatedError:
        return LocatedError(file, line_of(lines, key), key, message)

    errors = [error(key, message) for key, message in check_table(data, LESSON, "")]
    errors += [error(key, "must be a finite number, not inf or nan") for key in non_finite_keys(data)]
    if not errors:
        errors += _check_unique_ids(data, error)
        errors += _check_references(data, file, references, error)
    if errors:
        return None, _in_file_order(errors)
    return _build(data, file), []


def _in_file_order(errors: list[LocatedError]) -> list[LocatedError]:
    """Top to bottom, as an editor shows the file; missing keys (no line) last."""
    return sorted(errors, key=lambda e: (e.line is None, e.line or 0))


def _check_unique_ids(data: dict[str, Any], error: Callable[[str, str], LocatedError]) -> list[LocatedError]:
    errors = []
    for table in ("discussions", "exercises"):
        seen: set[str] = set()
        for i, item in enumerate(data.get(table, [])):
            if item["id"] in seen:
                errors.append(error(f"{table}[{i}].id", f"duplicate id '{item['id']}' in this lesson"))
            seen.add(item["id"])
    for i, exercise in enumerate(data.get("exercises", [])):
        seen = set()
        for j, check in enumerate(exercise["checks"]):
            if check["id"] in seen:
                errors.append(error(f"exercises[{i}].checks[{j}].id",
                                    f"duplicate checklist id '{check['id']}' in this exercise"))
            seen.add(check["id"])
    return errors


def _check_references(
    data: dict[str, Any], file: Path, references: References, error: Callable[[str, str], LocatedError]
) -> list[LocatedError]:
    errors = []
    checks = references.checks([file.parent]) if references.checks else None
    scenarios = set(references.scenarios()) if references.scenarios else None
    failed_modules = references.check_failures([file.parent]) if references.check_failures else []
    exercises_dir = paths.exercises_dir_for(file.parent)
    for i, exercise in enumerate(data.get("exercises", [])):
        where = f"exercises[{i}]"
        if exercise.get("timeout") is not None and not 0 < exercise["timeout"] <= 300:
            errors.append(error(f"{where}.timeout", "must be between 0 and 300 seconds"))
        if scenarios is not None and exercise["scenario"] not in scenarios:
            errors.append(error(f"{where}.scenario", f"unknown scenario '{exercise['scenario']}'"
                                f"{did_you_mean(exercise['scenario'], scenarios)}"))
        elif references.scenario_errors is not None:
            broken = references.scenario_errors(exercise["scenario"])
            if broken:
                errors.append(error(f"{where}.scenario", f"scenario '{exercise['scenario']}' has "
                                    f"{len(broken)} error(s); the first: {broken[0]}"))
        if checks is not None:
            for j, check in enumerate(exercise["checks"]):
                home = next((f for f in failed_modules if check["check"] in f.names), None)
                if check["check"] not in checks and home is not None:
                    errors.append(error(f"{where}.checks[{j}].check", f"check '{check['check']}' comes from "
                                        f"{home.error.file.name}, which does not load (its own error says why)"))
                    continue
                if check["check"] not in checks:
                    errors.append(error(f"{where}.checks[{j}].check", f"unknown check '{check['check']}'"
                                        f"{did_you_mean(check['check'], set(checks))}"))
                    continue
                params_key = f"{where}.checks[{j}].params"
                errors += [error(key, message) for key, message in
                           check_table(check.get("params", {}), dict(checks[check["check"]]), params_key)]
        starter = exercises_dir / exercise["starter"]
        if not starter.is_file():
            errors.append(error(f"{where}.starter", f"starter file not found: {starter}"))
            continue
        errors += _check_entry(starter, exercise["entry"], f"{where}.entry", error)
    return errors


def _check_entry(
    starter: Path, entry: str, key: str, error: Callable[[str, str], LocatedError]
) -> list[LocatedError]:
    try:
        tree = ast.parse(starter.read_text(encoding="utf-8"), filename=str(starter))
    except (SyntaxError, UnicodeDecodeError, OSError) as exc:
        return [error(key, f"starter {starter.name} does not parse: {exc}")]
    defined = {
        node.name for node in tree.body
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
    }
    if entry not in defined:
        return [error(key, f"starter {starter.name} defines no function '{entry}'"
                      f"{did_you_mean(entry, defined)}")]
    return []


def _build(data: dict[str, Any], file: Path) -> Lesson:
    exercises_dir = paths.exercises_dir_for(file.parent)
    return Lesson(
        id=data["id"],
        title=data["title"],
        order=data["order"],
        summary=data["summary"].strip(),
        sections=tuple(Section(s["title"], s["body"].strip()) for s in data["sections"]),
        key_points=tuple(data["key_points"]),
        sources=tuple(Source(s["title"], s["url"]) for s in data["sources"]),
        discussions=tuple(
            Discussion(d["id"], d["title"], d["situation"].strip(), tuple(d["points"]),
                       tuple(d.get("hints", ())))
            for d in data["discussions"]
        ),
        exercises=tuple(
            Exercise(
                id=e["id"],
                title=e["title"],
                brief=e["brief"].strip(),
                starter=exercises_dir / e["starter"],
                entry=e["entry"],
                scenario=e["scenario"],
                checks=tuple(
                    CheckItem(c["id"], c["check"], c["description"], c["hint"], dict(c.get("params", {})),
                              tuple(c.get("ladder", ())))
                    for c in e["checks"]
                ),
                lesson_id=data["id"],
                timeout_s=float(e.get("timeout", 10.0)),
                hints=tuple(e.get("hints", ())),
            )
            for e in data.get("exercises", [])
        ),
        file=file,
    )
