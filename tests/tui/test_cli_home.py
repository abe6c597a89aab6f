"""`coach` alone: the app in a terminal, the lesson list when piped."""

from __future__ import annotations

from coach.cli import main


def test_without_a_terminal_coach_prints_the_lessons(capsys):
    assert main([]) == 0
    assert "Rate limits and retries" in capsys.readouterr().out


def test_opening_the_app_imports_neither_the_sdk_nor_aiohttp(coach_home):
    """Startup stays quick: the coach and the grader load what they need when first used."""
    import os
    import subprocess
    import sys

    probe = ("import sys; from coach.cli import main; from coach.tui.app import build_app; "
             "from coach.tui.screens import home, lesson, exercise; main([]); build_app(); "
             "print('loaded:' + ','.join(m for m in ('anthropic', 'aiohttp', 'httpx', 'jinja2') if m in sys.modules))")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True,
                            env={**os.environ, "COACH_HOME": str(coach_home)}, stdin=subprocess.DEVNULL)
    assert result.stdout.strip().splitlines()[-1] == "loaded:"
