"""Home, lessons and exercises: what the learner sees and where the keys take them."""

from __future__ import annotations

from textual.widgets import Markdown, OptionList, Static

from coach import paths
from coach.progress import ProgressStore
from coach.tui.screens.exercise import ExerciseScreen
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.lesson import LessonScreen

from .conftest import settle, shown_screen, wait_until


async def test_home_lists_lessons_in_order_with_their_progress(make_app):
    ProgressStore().record_attempt("first-call", {"runs": True})
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        options = app.screen.query_one("#lessons", OptionList)
        prompt = str(options.get_option_at_index(0).prompt)
        assert "1. Retries that help" in prompt
        assert "1/2 exercises" in prompt and "0/1 discussions" in prompt


async def test_home_shows_broken_lesson_files_with_their_errors(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        broken = str(app.screen.query_one("#broken", Static).render())
        assert "02-broken.toml" in broken
        assert "did you mean 'summary'" in broken


async def test_enter_opens_the_lesson_with_key_points_sources_and_discussion(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await shown_screen(pilot, LessonScreen)
        text = app.screen.query_one("#lesson-text", Markdown).source
        assert "## Key points" in text and "Honour retry-after." in text
        assert "[Claude API errors](https://docs.claude.com/en/api/errors)" in text
        assert app.screen.query_one("#discuss-nightly-batch")


async def test_continue_reopens_the_exercise_the_learner_left(make_app):
    ProgressStore().record_opened("retries", "first-call")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        assert "Continue: A first call" in str(app.screen.query_one("#continue").label)
        await pilot.press("c")
        await shown_screen(pilot, ExerciseScreen)
        assert app.screen.exercise.id == "first-call"


async def test_opening_an_exercise_is_remembered_for_next_time(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_exercise(pilot)
    last = ProgressStore().load()
    assert (last.last_lesson, last.last_exercise) == ("retries", "first-call")


async def test_the_exercise_key_opens_the_first_exercise_not_passed_yet(make_app):
    ProgressStore().record_attempt("retry-backoff", {"honours-retry-after": True})
    app = make_app(lesson_dirs=[paths.bundled_lessons_dir()])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _open_exercise(pilot)
        assert screen.exercise.id == "batch-pipeline"


async def test_escape_goes_back_from_exercise_to_lesson_to_home(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_exercise(pilot)
        await pilot.press("escape", "escape")  # the editor had focus: the first escape only leaves it
        await shown_screen(pilot, LessonScreen)
        await pilot.press("escape")
        await shown_screen(pilot, HomeScreen)


async def test_command_palette_reaches_every_lesson_and_exercise(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Lesson 1: Retries that help" in titles
        assert "Exercise: A first call" in titles
        assert "Settings" in titles
        await _palette(pilot, "Exercise: A first call")
        await shown_screen(pilot, ExerciseScreen)


async def test_theme_key_switches_to_light_and_the_choice_is_kept(make_app, coach_home):
    settings = coach_home / "app.toml"
    app = make_app(settings_file=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await pilot.press("f2")
        assert app.theme == "textual-light"
    again = make_app(settings_file=settings, theme=None)
    async with again.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        assert again.theme == "textual-light"


async def test_reset_exercise_is_in_the_palette_on_the_exercise_screen(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_exercise(pilot)
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Reset exercise" in titles


async def test_coach_settings_are_saved_from_the_palette(make_app, coach_home):
    from textual.widgets import Switch

    from coach.tui.screens.settings import SettingsScreen
    from coach.tui.settings import load_settings

    settings = coach_home / "app.toml"
    app = make_app(settings_file=settings)
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await _palette(pilot, "Settings")
        screen = await shown_screen(pilot, SettingsScreen)
        screen.query_one(Switch).value = True
        await pilot.click("#save")
        await shown_screen(pilot, HomeScreen)
    assert load_settings(settings).offline_coach is True


async def _open_exercise(pilot) -> ExerciseScreen:
    """Home -> lesson -> exercise, each key pressed once the screen it is meant for is up."""
    await shown_screen(pilot, HomeScreen)
    await pilot.press("enter")
    await shown_screen(pilot, LessonScreen)
    await pilot.press("ctrl+e")
    return await shown_screen(pilot, ExerciseScreen)


async def _palette(pilot, command: str) -> None:
    """Run a command from the palette: typed once the palette is up, chosen once it lists the match."""
    from textual.command import CommandList, CommandPalette

    await pilot.press("ctrl+p")
    palette = await shown_screen(pilot, CommandPalette)
    await pilot.press(*command)
    hits = palette.query_one(CommandList)

    def chosen() -> str | None:
        if hits.highlighted is None:
            return None
        return getattr(getattr(hits.get_option_at_index(hits.highlighted), "hit", None), "text", None)

    await wait_until(pilot, lambda: chosen() == command)
    await pilot.press("enter")
    await settle(pilot)
