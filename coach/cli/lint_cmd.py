"""`coach lint`: every file a course is made of (lessons, scenarios, check modules) with file:line errors."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path

from coach import paths
from coach.curriculum import Curriculum, LocatedError, load_curriculum
from coach.curriculum.load import default_lesson_dirs, lesson_files
from coach.curriculum.model import display_path


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "lint", help="validate lesson and scenario files and check modules",
        description="Validate a course: lesson files, the scenarios and check modules they use, and scenario "
        "files (recognised by a `scenarios` folder or by their content). With no PATH: the bundled course and "
        f"the user folders ({display_path(paths.user_lessons_dir())}, "
        f"{display_path(paths.user_scenarios_dir())}). Exit 0 when clean, 1 with errors.",
    )
    p.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="lesson or scenario files, or folders")
    p.set_defaults(handler=run_lint)


@dataclass
class Targets:
    lessons: list[Path] = field(default_factory=list)
    scenarios: list[Path] = field(default_factory=list)


def sort_targets(given: list[Path]) -> Targets:
    """Each path as a lesson or a scenario: by its folder (`scenarios`), else by what the file holds."""
    from coach.stub.scenario import looks_like_scenario, scenario_dirs
    from coach.tomlfile import TomlFileError, parse_toml

    scenario_folders = {folder.resolve() for folder in scenario_dirs()}
    targets = Targets()
    for path in given:
        in_scenarios = path.resolve() if path.is_dir() else path.resolve().parent
        if in_scenarios in scenario_folders or in_scenarios.name == "scenarios":
            targets.scenarios += sorted(path.glob("*.toml")) if path.is_dir() else [path]
        elif path.is_dir():
            targets.lessons.append(path)
        else:
            try:
                data, _ = parse_toml(path.read_bytes())
            except (OSError, TomlFileError):
                data = {}
            (targets.scenarios if looks_like_scenario(data) else targets.lessons).append(path)
    return targets


def default_targets() -> Targets:
    from coach.stub.scenario import scenario_dirs

    scenarios = [file for folder in scenario_dirs() if folder.is_dir() for file in sorted(folder.glob("*.toml"))]
    return Targets(lessons=default_lesson_dirs(), scenarios=scenarios)


def run_lint(args: argparse.Namespace) -> int:
    from coach.stub.scenario import scenario_errors, scenario_warnings

    missing = [p for p in args.paths if not p.exists()]
    for p in missing:
        print(f"coach lint: no such file or folder: {p}", file=sys.stderr)
    if missing:
        return 1
    targets = sort_targets(args.paths) if args.paths else default_targets()
    errors: list[LocatedError] = []
    lessons = 0
    drift_errors = 0
    if targets.lessons:
        curriculum = load_curriculum(targets.lessons)
        errors += curriculum.errors
        lessons = len(curriculum.lessons)
    scenarios = 0
    warnings: list[LocatedError] = []
    for file in targets.scenarios:
        problems = scenario_errors(file)
        errors += problems
        scenarios += not problems
        warnings += [] if problems else scenario_warnings(file)
    errors = list(dict.fromkeys(errors))  # a scenario a lesson names may also be linted on its own
    for error in errors:
        print(error)
    for warning in dict.fromkeys(warnings):
        print(f"warning: {warning}")
    if targets.lessons:
        drift_errors = lint_model_drift(curriculum, targets.lessons)
    counted = ([f"{lessons} lesson(s)"] if targets.lessons else []) + (
        [f"{scenarios} scenario(s)"] if targets.scenarios else [])
    clean = " and ".join(counted) + " clean."
    if drift_errors and not errors:
        print(f"\n{drift_errors} model error(s); {clean.removesuffix(' clean.')} otherwise clean.")
        return 1
    if errors:
        files = len({error.file for error in errors})
        print(f"\n{len(errors)} error(s) in {files} file(s); {clean}")
        return 1
    print(clean)
    return 0


def lint_model_drift(curriculum: Curriculum, targets: list[Path]) -> int:
    """Print model drift in the linted lesson files and their starters; returns the number of errors."""
    from coach.curriculum.drift import model_drift

    starters = [exercise.starter for lesson in curriculum.lessons for exercise in lesson.exercises]
    findings = model_drift(lesson_files(targets), starters)
    for finding in findings:
        print(finding)
    return sum(finding.severity == "error" for finding in findings)
