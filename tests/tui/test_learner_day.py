"""A learner's day in the app (issue 17): edits never lost, errors first, keys that work, hints on
demand, a reference after passing, the next step, and a coach pane that yields to the code."""

from __future__ import annotations

import sys

import pytest
from textual.command import CommandPalette
from textual.widgets import Button, HelpPanel, Tabs, TextArea

from coach.progress import ProgressStore
from coach.tui.screens.exercise import ExerciseScreen
from coach.tui.screens.home import HomeScreen
from coach.tui.screens.lesson import LessonScreen
from coach.tui.screens.reference import ReferenceScreen
from coach.tui.widgets.checklist import Checklist
from coach.tui.widgets.coach_pane import CoachPane
from coach.tui.widgets.timeline import RequestTable

from .conftest import settle, shown_screen, text_of, wait_for_workers, wait_until
from .test_exercise import open_exercise, type_fix


async def test_an_outside_change_never_overwrites_unsaved_typing(make_app, grader):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press(*"# mine")
        screen.file.write_text("# theirs\n", encoding="utf-8")
        await wait_until(pilot, lambda: screen.disk_differs)
        assert screen.editor.text.startswith("# mine"), "the typing stays in the editor"
        assert not grader.calls, "a conflicting outside change is not graded"
        await pilot.press("ctrl+s")
        assert screen.file.read_text(encoding="utf-8").startswith("# mine")
        kept = list(screen.file.parent.glob("*.disk.bak"))
        assert [k.read_text(encoding="utf-8") for k in kept] == ["# theirs\n"], "the outside version is kept too"


async def test_loading_the_disk_version_can_be_undone(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press(*"# mine")
        screen.file.write_text("# theirs\n", encoding="utf-8")
        await wait_until(pilot, lambda: screen.disk_differs)
        await pilot.press("f9")
        assert screen.editor.text == "# theirs\n"
        await pilot.press("ctrl+z")
        assert screen.editor.text.startswith("# mine")


async def test_an_outside_save_of_a_clean_editor_is_loaded_undoably_and_graded(make_app, grader):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        starter = screen.editor.text
        screen.file.write_text("def main():\n    return 'hi'\n", encoding="utf-8")
        await wait_until(pilot, lambda: screen.report is not None)
        await wait_for_workers(app, pilot)
        assert grader.calls[-1][1] == "def main():\n    return 'hi'\n"
        assert screen.report.passed
        screen.editor.focus()
        await pilot.press("ctrl+z")
        assert screen.editor.text == starter


async def test_shift_tab_leaves_the_editor_for_the_result_tabs(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, Tabs)
        await pilot.press("right")
        assert screen.query_one("#results").active == "checklist-tab"


async def test_a_syntax_error_comes_before_the_checklist_in_the_learners_own_words(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        screen.editor.load_text("def main(:\n    pass\n")
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        shown = text_of(screen.query_one(Checklist).render_checklist())
        assert "does not parse" in shown and "starter.py:1: def main(:" in shown
        assert shown.index("SyntaxError") < shown.index("✗")
        assert "does not parse" in str(screen.query_one("#run-status").render())


async def test_the_app_shows_where_the_workspace_file_is_and_whether_it_is_saved(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot)
        bar = screen.query_one("#file-bar")
        assert "first-call/starter.py" in str(bar.content) and str(bar.content).endswith("F8 opens it in $EDITOR")
        await pilot.press("x")
        assert "unsaved changes" in str(bar.content)


async def test_f1_and_question_mark_show_the_keys_and_escape_closes_the_palette(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await pilot.press("question_mark")
        await settle(pilot)
        assert app.screen.query(HelpPanel)
        await pilot.press("f1")
        await settle(pilot)
        assert not app.screen.query(HelpPanel)
        await pilot.press("ctrl+p")
        await shown_screen(pilot, CommandPalette)
        await pilot.press("escape")
        await shown_screen(pilot, HomeScreen)
        assert any(b.key == "f2" and b.show for b in app.BINDINGS), "the theme key is in the footer"


async def test_f8_opens_the_file_in_the_learners_editor_and_picks_up_its_save(make_app, monkeypatch, tmp_path):
    script = tmp_path / "editor.py"
    script.write_text("import sys\nopen(sys.argv[1], 'w').write('def main():\\n    return 1\\n')\n")
    monkeypatch.setenv("VISUAL", f"{sys.executable} {script}")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("f8")
        await wait_until(pilot, lambda: screen.editor.text == "def main():\n    return 1\n")


async def test_hints_come_one_step_at_a_time_on_demand_and_are_recorded(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        checklist = screen.query_one(Checklist)
        assert "Read the traceback" not in text_of(checklist.render_checklist()), "no hint until asked"
        await pilot.press("f3")
        await settle(pilot)
        shown = text_of(checklist.render_checklist())
        assert "nudge: Does the program reach the end of main()?" in shown and "pointer:" not in shown
        await pilot.press("f3", "f3")
        await settle(pilot)
        shown = text_of(checklist.render_checklist())
        assert "pointer: Look at the line that raises." in shown and "near-code: Read the traceback" in shown
    assert ProgressStore().load().exercise("first-call").hints == {"runs": 3}


async def test_after_a_pass_the_reference_shows_beside_yours_and_next_opens_the_next_exercise(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot)
        await type_fix(screen, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        assert "F4: the reference solution" in text_of(screen.query_one(Checklist).render_checklist())
        await pilot.press("f4")
        reference = await shown_screen(pilot, ReferenceScreen)
        assert "the client is built once" in str(reference.query_one("#note").render())
        assert "return 'hi'" in reference.query_one("#mine", TextArea).text
        await pilot.press("ctrl+n")
        await wait_until(pilot, lambda: getattr(app.screen, "exercise", None) is not None
                         and app.screen.exercise.id == "second-call")
        assert isinstance(app.screen, ExerciseScreen)


async def test_before_a_pass_there_is_no_reference_key(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await open_exercise(app, pilot)
        await pilot.press("f4")
        await settle(pilot)
        assert isinstance(app.screen, ExerciseScreen)


async def test_continue_goes_to_the_next_exercise_after_a_pass_and_buttons_show_it(make_app):
    ProgressStore().record_attempt("first-call", {"runs": True})
    ProgressStore().record_opened("retries", "first-call")
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        assert "A second call" in str(app.screen.query_one("#continue", Button).label)
        await pilot.press("enter")
        await shown_screen(pilot, LessonScreen)
        assert str(app.screen.query_one("#exercise-first-call", Button).label).startswith("✓")


async def test_the_timeline_has_a_table_of_the_requests(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        table = text_of(screen.query_one(RequestTable).render())
        assert "rate_limit_error" in table and "retry" in table and "not streamed" in table


async def test_send_code_before_any_run_does_not_claim_a_report(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+o")
        await wait_for_workers(app, pilot)
        said = " ".join(str(s.render()) for s in screen.query(".from-learner"))
        assert "nothing has been run yet" in said and "last report" not in said


async def test_the_coach_pane_is_hidden_until_asked_below_the_wide_breakpoint(make_app):
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot)
        pane = screen.query_one(CoachPane)
        assert not pane.display and screen.editor.size.width > 100, "the code gets the width"
        await pilot.press("ctrl+t")
        assert pane.display
        await pilot.press("ctrl+t")
        assert not pane.display


async def test_the_coach_pane_is_not_shown_before_the_breakpoints_apply(make_app):
    """The flash at 80x24: without any breakpoint class the pane must already be hidden."""
    app = make_app()
    app.HORIZONTAL_BREAKPOINTS = []
    async with app.run_test(size=(80, 24)) as pilot:
        await shown_screen(pilot, HomeScreen)
        await pilot.press("enter")
        await shown_screen(pilot, LessonScreen)
        assert not app.screen.query_one(CoachPane).display


async def test_settings_change_the_coachs_model_and_caps_in_coach_toml(make_app, coach_home):
    import tomllib

    from textual.widgets import Input

    from coach.tui.screens.settings import SettingsScreen

    coach_file = coach_home / "coach.toml"
    coach_file.write_text('[coach]\nmax_retries = 5\n', encoding="utf-8")
    app = make_app(settings_file=coach_home / "app.toml", coach_file=coach_file)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_settings()
        screen = await shown_screen(pilot, SettingsScreen)
        assert str(screen.query_one(".title").content) == "Settings"
        screen.query_one("#soft-limit", Input).value = "3"
        await pilot.click("#save")
        await settle(pilot)
        assert "soft limit" in str(screen.query_one("#settings-problem").content), "soft above hard is refused"
        screen.query_one("#model", Input).value = "claude-haiku-4-5"
        screen.query_one("#soft-limit", Input).value = "0.25"
        screen.query_one("#hard-cap", Input).value = "1"
        # A Button ignores clicks during its 0.2 s pressed effect (Textual's guard against double
        # clicks): the second Save must come after the first one's effect, as a person's would.
        save = screen.query_one("#save", Button)
        await wait_until(pilot, lambda: not save.has_class("-active"))
        await pilot.click("#save")
        await shown_screen(pilot, HomeScreen)
    saved = tomllib.loads(coach_file.read_text(encoding="utf-8"))["coach"]
    assert saved == {"max_retries": 5, "model": "claude-haiku-4-5", "soft_limit_usd": 0.25, "hard_cap_usd": 1.0}


async def test_enter_in_a_settings_field_saves_like_the_save_button(make_app, coach_home):
    from textual.widgets import Input

    from coach.tui.screens.settings import SettingsScreen

    coach_file = coach_home / "coach.toml"
    app = make_app(settings_file=coach_home / "app.toml", coach_file=coach_file)
    async with app.run_test(size=(80, 24)) as pilot:
        app.action_settings()
        screen = await shown_screen(pilot, SettingsScreen)
        model = screen.query_one("#model", Input)
        model.value = "claude-haiku-4-5"
        model.focus()
        await pilot.press("enter")
        await shown_screen(pilot, HomeScreen)
    assert 'model = "claude-haiku-4-5"' in coach_file.read_text(encoding="utf-8")


async def test_the_coach_status_line_shows_a_retry_while_it_happens(make_app):
    import asyncio

    from .doubles import ScriptedTutor

    class RetryingTutor(ScriptedTutor):
        on_status = None

        async def stream_reply(self, message, context):
            self.on_status("retry 1 of 2 after a 529")
            await asyncio.Event().wait()  # still waiting for the retry's answer
            yield ""

    app = make_app(tutor_factory=lambda: RetryingTutor([]))
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("enter", "ctrl+t", *"hi", "enter")
        pane = app.screen.query_one(CoachPane)
        await wait_until(pilot, lambda: "retry 1 of 2 after a 529…" in str(pane.query_one("#coach-status").content))


async def test_output_shows_what_the_entry_point_returned(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        await type_fix(screen, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        shown = str(screen.query_one("#output").content)
        assert "your entry point returned" in shown and '"case": "answered"' in shown


async def test_a_revealed_hint_is_scrolled_into_view_below_the_fold(make_app):
    from textual.containers import VerticalScroll

    from coach import paths
    from coach.hints import check_item, hint_ladder

    app = make_app(lesson_dirs=[paths.bundled_lessons_dir()])
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)  # retry-backoff: nine items
        screen.editor.load_text("def main():\n    raise NotImplementedError\n")  # the double fails them all
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        checklist = screen.query_one(Checklist)
        first_item, second = checklist.items[0].id, checklist.items[1].id
        steps = len(hint_ladder(check_item(screen.exercise, first_item)))
        await pilot.press(*["f3"] * (steps + 1))  # every step of the first item, then the second's nudge
        await settle(pilot)
        assert app.progress.exercise("retry-backoff").hints[second] == 1
        first, end = checklist.item_lines(second, checklist.content_region.width)
        scroll = checklist.parent
        assert isinstance(scroll, VerticalScroll)
        shown_from, shown_to = scroll.scroll_y, scroll.scroll_y + scroll.scrollable_content_region.height
        assert first > 0 and shown_from > 0, "the list had to scroll"
        assert shown_from <= end - 1 < shown_to, "the newest hint, at the item's end, is on screen"


def test_a_long_error_line_wraps_under_itself_not_at_the_left_edge():
    from coach.grader.learner_error import ErrorFrame, LearnerError
    from coach.tui.widgets.checklist import error_text

    error = LearnerError("crash", "anthropic.OverloadedError: Error code: 529", "starter.py",
                         (ErrorFrame(39, "summarise_all", "raw = client.messages.with_raw_response.create(**req)"),))
    lines = text_of(error_text(error), width=40).splitlines()
    where = next(n for n, line in enumerate(lines) if "starter.py:39" in line)
    assert lines[where + 1].startswith("  ") and lines[where + 1].strip(), lines


@pytest.mark.parametrize(("warm", "said"), [(True, "starting your program…"),
                                            (False, "starting the sandbox (cold: a few seconds the first time)…")])
async def test_the_run_status_says_the_program_is_starting_until_its_first_request(make_app, warm, said):
    import threading
    from types import SimpleNamespace

    from .doubles import FileJudgingGrader

    started, release = threading.Event(), threading.Event()

    class SlowToStartGrader(FileJudgingGrader):
        def __call__(self, exercise, file, *, on_progress):
            started.set()
            release.wait(30)
            return super().__call__(exercise, file, on_progress=on_progress)

    app = make_app(grader=SlowToStartGrader())
    app._grading = SimpleNamespace(warm=warm, warm_up=lambda: None, close=lambda: None)  # the real one's state
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_until(pilot, started.is_set)
        await settle(pilot)
        assert str(screen.query_one("#run-status").content) == f"running · {said}"
        release.set()
        await wait_for_workers(app, pilot)
        assert "checks pass" in str(screen.query_one("#run-status").content)


async def test_f1_is_the_first_key_in_the_footer_so_80_columns_still_show_it(make_app):
    from textual.widgets._footer import FooterKey

    app = make_app()
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_exercise(app, pilot)
        first = screen.query(FooterKey).first()
        assert first.key == "f1" and first.region.right <= 80
        await pilot.press("f1")
        await settle(pilot)
        assert screen.query(HelpPanel), "the first key in the footer shows the keys"


async def test_a_hint_is_shown_in_place_without_a_toast_that_would_cover_it(make_app):
    app = make_app()
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        screen = await open_exercise(app, pilot)
        await pilot.press("ctrl+r")
        await wait_for_workers(app, pilot)
        app.clear_notifications()
        await pilot.press("f3")
        await settle(pilot)
        assert "nudge:" in text_of(screen.query_one(Checklist).render_checklist())
        assert not list(app._notifications)


async def test_the_settings_dialog_starts_at_its_first_field_and_tab_walks_the_fields(make_app, coach_home):
    from coach.tui.screens.settings import SettingsScreen

    app = make_app(settings_file=coach_home / "app.toml", coach_file=coach_home / "coach.toml")
    async with app.run_test(size=(120, 40)) as pilot:
        app.action_settings()
        screen = await shown_screen(pilot, SettingsScreen)
        walked = [app.focused.id]
        for _ in range(4):
            await pilot.press("tab")
            await settle(pilot)
            walked.append(app.focused.id)
        assert walked == ["theme", "offline", "model", "soft-limit", "hard-cap"]
        assert "coach.toml, [coach]" in str(screen.query(".muted").last().render()), "the table's name is shown"
