"""`coach` alone: the app in a terminal, the lesson list when piped."""

from __future__ import annotations

from coach.cli import main


def test_without_a_terminal_coach_prints_the_lessons(capsys):
    assert main([]) == 0
    assert "Rate limits and retries" in capsys.readouterr().out
