"""`coach ask "question"`: the coach's answer streamed to the terminal, online or offline."""

from __future__ import annotations

import argparse
import asyncio
import sys

from coach.curriculum import load_curriculum


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ask",
        help="ask the coach a question",
        description="Stream the coach's answer to a question, then one summary line (tokens, cost, online or "
        "offline). With ANTHROPIC_API_KEY set the coach is Claude; without one (or with --offline) the offline "
        "coach answers from the lesson. ANTHROPIC_BASE_URL points it elsewhere, for example at `coach stub`.",
    )
    p.add_argument("question", nargs="+", help="what to ask (quote it, or let the words run on)")
    p.add_argument("--lesson", metavar="ID", help="the lesson to talk about (see `coach list`)")
    p.add_argument("--exercise", metavar="ID", help="the exercise you are on; your workspace code goes along")
    p.add_argument("--offline", action="store_true", help="use the offline coach even when a key is set")
    p.add_argument("--model",
                   help="the Claude model (default: the config file's, else a current Sonnet from the model catalogue)")
    p.add_argument("--cost-cap", type=float, metavar="USD", dest="hard_cap_usd",
                   help="stop before this session could cost more than USD (default: 2.00)")
    p.set_defaults(handler=run_ask)


def run_ask(args: argparse.Namespace) -> int:
    from coach.tui.tutor_link import CoachContext
    from coach.tutor.config import ConfigError, load_config
    from coach.tutor.reply import RESTART
    from coach.tutor.session import CoachSession
    from coach.workspace import workspace_file

    curriculum = load_curriculum()
    lesson_id = args.lesson
    code = None
    if args.exercise:
        exercise = curriculum.exercise(args.exercise)
        if exercise is None:
            known = ", ".join(e.id for lesson in curriculum.lessons for e in lesson.exercises) or "none"
            print(f"coach ask: no exercise '{args.exercise}' (known: {known})", file=sys.stderr)
            return 2
        lesson_id = lesson_id or exercise.lesson_id
        file = workspace_file(exercise)
        code = file.read_text(encoding="utf-8", errors="replace") if file.is_file() else None
    if lesson_id and curriculum.lesson(lesson_id) is None:
        known = ", ".join(lesson.id for lesson in curriculum.lessons) or "none"
        print(f"coach ask: no lesson '{lesson_id}' (known: {known})", file=sys.stderr)
        return 2
    try:
        config = load_config(model=args.model, hard_cap_usd=args.hard_cap_usd)
    except ConfigError as exc:
        print(f"coach ask: {exc}", file=sys.stderr)
        return 2
    session = CoachSession(offline=args.offline, config=config, curriculum=curriculum)
    context = CoachContext(lesson_id=lesson_id, exercise_id=args.exercise, code=code)

    async def answer() -> None:
        try:
            async for piece in session.stream_reply(" ".join(args.question), context):
                if piece == RESTART:
                    piece = "\n\n[the stream broke; the whole reply again:]\n\n"
                sys.stdout.write(piece)
                sys.stdout.flush()
        finally:
            await session.aclose()

    try:
        asyncio.run(answer())
    except KeyboardInterrupt:
        print("\ncoach ask: stopped", file=sys.stderr)
        return 130
    mode = "online" if session.online else f"offline ({session.offline_reason})"
    print(f"\n── {session.tokens:,} tokens · ${session.cost_usd:.4f} · {mode}")
    return 0
