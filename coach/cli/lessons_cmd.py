"""`coach list`, `coach new`, `coach checks`: the course as files, and what it can grade."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from coach import paths
from coach.curriculum import load_curriculum
from coach.curriculum.model import display_path
from coach.curriculum.scaffold import ScaffoldError, new_exercise, new_lesson


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("list", help="list lessons and their exercises",
                              description="List lessons and their exercises with their ids.")
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=run_list)

    p = subparsers.add_parser(
        "checks", help="list the checks a lesson's checklist can use",
        description="List every check a checklist item can name: the bundled library and the check modules "
        "(*.py) in the lesson folders, with each check's parameters and what it judges.",
    )
    p.add_argument("--json", action="store_true", help="print JSON for scripts")
    p.set_defaults(handler=run_checks)

    p = subparsers.add_parser("new", help="write a lesson or exercise skeleton",
                              description="Write a skeleton that `coach lint` accepts as is.")
    kinds = p.add_subparsers(title="what", metavar="WHAT", required=True)
    lesson = kinds.add_parser("lesson", help="a new lesson file",
                              description="Write LESSONS_DIR/ID.toml with one of everything.")
    lesson.add_argument("id", metavar="ID", help="lesson id: lowercase letters, digits and '-'")
    lesson.add_argument("--title", required=True, help="the lesson's title")
    lesson.add_argument("--dir", type=Path, default=None,
                        help=f"lessons folder (default: {display_path(paths.user_lessons_dir())})")
    lesson.set_defaults(handler=run_new_lesson)
    exercise = kinds.add_parser(
        "exercise", help="a new exercise in a lesson",
        description="Append an exercise to a lesson file and write its starter code.")
    exercise.add_argument("lesson_id", metavar="LESSON_ID")
    exercise.add_argument("exercise_id", metavar="EXERCISE_ID")
    exercise.add_argument("--title", default=None, help="the exercise's title")
    exercise.set_defaults(handler=run_new_exercise)


def run_home(args: argparse.Namespace) -> int:
    """`coach` alone opens the app in a terminal; piped or redirected, it prints the course."""
    if not (sys.stdin.isatty() and sys.stdout.isatty()):
        return run_list(argparse.Namespace(json=False))
    from coach.tui.app import build_app

    build_app().run()
    return 0


STATUS_MARK = {"passed": "✓", "tried": "…", "new": " "}


def run_list(args: argparse.Namespace) -> int:
    from coach.progress import ProgressStore

    curriculum = load_curriculum()
    store = ProgressStore()
    progress = store.load()
    if store.notice:
        print(f"coach list: {store.notice}", file=sys.stderr)
    if args.json:
        print(json.dumps({
            "lessons": [
                {
                    "id": lesson.id,
                    "title": lesson.title,
                    "file": str(lesson.file),
                    "exercises": [{"id": e.id, "title": e.title, "status": progress.status(e.id)}
                                  for e in lesson.exercises],
                }
                for lesson in curriculum.lessons
            ],
            "errors": [str(error) for error in curriculum.errors],
        }, indent=2))
        return 0
    if not curriculum.lessons and not curriculum.errors:
        print("No lessons found.")
    for lesson in curriculum.lessons:
        print(f"{lesson.order:>2}. {lesson.title}  [{lesson.id}]")
        for exercise in lesson.exercises:
            status = progress.status(exercise.id)
            print(f"    {STATUS_MARK[status]} - {exercise.title}  [{exercise.id}]"
                  + ("" if status == "new" else f"  {status}"))
    for file in curriculum.broken_files:
        print(f"\nnot loaded: {display_path(file)}", file=sys.stderr)
        for error in curriculum.errors:
            if error.file == file:
                print(f"  {error}", file=sys.stderr)
    return 0


def run_checks(args: argparse.Namespace) -> int:
    from coach.grader.checks import describe_checks, load_check_modules

    errors = load_check_modules([paths.bundled_lessons_dir(), paths.user_lessons_dir()])
    checks = describe_checks()
    if args.json:
        print(json.dumps({"checks": [c.to_json() for c in checks], "errors": [str(e) for e in errors]}, indent=2))
        return 0
    for described in checks:
        params = ", ".join(described.param_words()) or "no parameters"
        print(f"{described.name}  ({params})  [{described.module}]")
        print(f"    {described.summary}")
    for error in errors:
        print(error, file=sys.stderr)
    return 0


def run_new_lesson(args: argparse.Namespace) -> int:
    try:
        file = new_lesson(args.id, args.title, args.dir or paths.user_lessons_dir())
    except ScaffoldError as exc:
        print(f"coach new lesson: {exc}", file=sys.stderr)
        return 1
    print(f"wrote {display_path(file)}")
    return 0


def run_new_exercise(args: argparse.Namespace) -> int:
    try:
        file, starter = new_exercise(args.lesson_id, args.exercise_id, args.title)
    except ScaffoldError as exc:
        print(f"coach new exercise: {exc}", file=sys.stderr)
        return 1
    print(f"added exercise '{args.exercise_id}' to {display_path(file)}")
    print(f"wrote {display_path(starter)}")
    return 0
