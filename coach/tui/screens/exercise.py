"""The exercise: brief, editor on the learner's workspace file, run and grade, checklist, timeline, output.

The learner's typing is never thrown away. A change made to the file outside the app replaces
the editor only when the editor has nothing unsaved, and then as one edit that ctrl+z undoes;
with unsaved edits the editor keeps them and says so, and a later save first keeps the outside
version as a .bak. An outside save of a clean editor is graded at once, as `coach grade --watch` does.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.geometry import Region
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, ProgressBar, Static, TabbedContent, TabPane, Tabs, TextArea

from coach.curriculum.model import Exercise
from coach.hints import check_item, hint_ladder
from coach.next_step import next_exercise
from coach.tui.keys import KEYS_FIRST
from coach.tui.messages import GradeFailed, GradeFinished, GradeProgressed
from coach.tui.tutor_link import CoachContext
from coach.tui.widgets.checklist import Checklist
from coach.tui.widgets.coach_pane import CoachPane
from coach.tui.widgets.timeline import RequestTable, Timeline
from coach.workspace import open_workspace, reset_workspace

if TYPE_CHECKING:
    from coach.tui.app import CoachApp, WorkerFailed


def output_text(report: Any) -> Text:
    text = Text()
    text.append(f"exit code {report.exit_code} · isolation: {report.isolation}", "bold")
    if report.timed_out:
        text.append(" · timed out", "bold red")
    if report.limit_hit:
        text.append(f" · limit hit: {report.limit_hit}", "bold red")
    if report.returned is not None:
        shown = json.dumps(report.returned, indent=2, ensure_ascii=False)
        text.append("\n\nyour entry point returned\n", "bold")
        text.append(shown[:4000] + ("\n… (cut)" if len(shown) > 4000 else "") + "\n")
    text.append(report.stdout or "(nothing)\n", "" if report.stdout else "dim")
    text.append("\nstderr\n", "bold")
    text.append(report.stderr or "(nothing)\n", "" if report.stderr else "dim")
    return text


def home_relative(path: Path) -> str:
    """The path as the learner would type it, with ~ for their home folder."""
    home = Path.home()
    try:
        return f"~/{path.relative_to(home)}"
    except ValueError:
        return str(path)


def editor_command(file: Path) -> list[str] | None:
    """$VISUAL or $EDITOR (which may carry arguments) with the file appended; None when neither is set."""
    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command or not command.strip():
        return None
    return [*shlex.split(command), str(file)]


class ExerciseScreen(Screen[None]):
    CSS_PATH = "exercise.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        KEYS_FIRST,
        Binding("escape", "back", "Back", id="back", tooltip="Save and go back to the lesson"),
        Binding("ctrl+r", "run", "Run", id="run", priority=True,
                tooltip="Save, run your code against the fault scenario, and grade it"),
        Binding("ctrl+s", "save", "Save", id="save", priority=True, tooltip="Save the editor to your workspace file"),
        Binding("f3", "hint", "Hint", id="hint", priority=True,
                tooltip="Reveal the next hint for the first failing item: a nudge, then a pointer, then near-code"),
        Binding("f4", "reference", "Reference", id="reference", priority=True,
                tooltip="After a pass: the reference solution beside yours, with why it is written that way"),
        Binding("ctrl+n", "next_exercise", "Next", id="next-exercise", priority=True,
                tooltip="After a pass: open the next exercise you have not passed"),
        Binding("ctrl+t", "toggle_coach", "Coach", id="coach", priority=True,
                tooltip="Open the coach and type a question; again to close it"),
        Binding("ctrl+o", "send_to_coach", "Send code", id="send-to-coach", priority=True,
                tooltip="Send your code (and the last report, once there is one) to the coach"),
        Binding("f8", "open_in_editor", "My editor", id="open-in-editor", priority=True,
                tooltip="Open the workspace file in $VISUAL or $EDITOR; coach picks up your saves"),
        Binding("f9", "load_from_disk", "Load disk version", id="load-from-disk", priority=True,
                tooltip="Replace the editor with the file as it is on disk (ctrl+z brings yours back)"),
        Binding("shift+tab", "leave_editor", "Leave editor", id="leave-editor", show=False,
                tooltip="From the editor to the Brief / Checklist / Timeline / Output tabs"),
    ]
    app: CoachApp  # type: ignore[assignment]

    @dataclass
    class FileChangedOnDisk(Message):
        """The workspace file changed outside the app (another editor, `coach` reset, a git checkout)."""

    running: reactive[bool] = reactive(False, init=False)
    """A grading is in progress; a second run key press is ignored meanwhile."""
    requests: reactive[int] = reactive(0, init=False)
    """Requests the stub has answered during this run; the progress bar is bound to it."""
    rate_limited: reactive[int] = reactive(0)
    scenario_s: reactive[float] = reactive(0.0, init=False)
    report: reactive[Any] = reactive(None, always_update=True, init=False)
    """The last `GradeReport`, or None before the first run."""
    dirty: reactive[bool] = reactive(False, init=False)
    """The editor holds edits not yet written to the workspace file."""
    disk_differs: reactive[bool] = reactive(False, init=False)
    """The file changed on disk while the editor had unsaved edits: both versions exist, neither is lost."""

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise
        self.file = open_workspace(exercise)
        self._saved = self.file.read_text(encoding="utf-8")
        """The text the file had when the editor last loaded or saved it."""
        self.sub_title = f"exercise: {exercise.title}"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="pane-row"):
            with Vertical(id="work"):
                yield Static(id="file-bar", markup=False)
                yield TextArea.code_editor(self._saved, language="python", id="editor")
                with Horizontal(id="run-row"):
                    yield ProgressBar(total=None, show_eta=False, id="run-progress").data_bind(
                        progress=ExerciseScreen.requests)
                    yield Static(id="run-status")
                with TabbedContent(id="results"):
                    with TabPane("Brief", id="brief-tab"), VerticalScroll():
                        yield Markdown(self.exercise.brief, id="brief")
                    with TabPane("Checklist", id="checklist-tab"), VerticalScroll():
                        yield Checklist(self.exercise, id="checklist")
                    with TabPane("Timeline", id="timeline-tab"), VerticalScroll():
                        yield Timeline(id="timeline")
                        yield RequestTable(id="requests")
                    with TabPane("Output", id="output-tab"), VerticalScroll():
                        yield Static(Text("Nothing run yet.", "dim"), id="output")
            yield CoachPane(self._coach_context, id="coach")
        yield Footer()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    @property
    def checklist(self) -> Checklist:
        return self.query_one(Checklist)

    def on_mount(self) -> None:
        self.editor.focus()
        self.query_one("#run-progress", ProgressBar).display = False  # no pulsing bar before the first run
        self.watch(self.app, "progress", self._show_progress)
        self.run_worker(self._watch_file(), group="watch-file", exclusive=True, exit_on_error=False,
                        description="watching your file")
        self._show_file_bar()
        self._show_status()

    def _coach_context(self) -> CoachContext:
        return CoachContext(lesson_id=self.exercise.lesson_id, exercise_id=self.exercise.id,
                            code=self.editor.text, report=self.report)

    def _show_progress(self, progress: Any) -> None:
        mine = progress.exercise(self.exercise.id)
        self.checklist.hints = dict(mine.hints)
        self.checklist.passed_before = progress.passed(self.exercise.id)
        self.checklist.next_title = (nxt.title if (nxt := next_exercise(self.app.curriculum, progress,
                                                                          self.exercise.id)) else None)
        self.refresh_bindings()

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Keys that mean nothing yet are hidden from the footer rather than failing when pressed."""
        if action == "load_from_disk":
            return self.disk_differs
        if action in ("reference", "next_exercise"):
            return self.app.progress.passed(self.exercise.id)
        return True

    # -- the file ----------------------------------------------------------------------

    async def _watch_file(self) -> None:
        """Post `FileChangedOnDisk` when the workspace file changes (watchfiles: no polling)."""
        from watchfiles import awatch

        # The folder, not the file: editors that save by renaming a new file over the old one
        # would end a watch on the file itself after the first save.
        async for changes in awatch(self.file.parent, debounce=100, recursive=False, rust_timeout=200):
            if any(Path(path).name == self.file.name for _, path in changes):
                self.post_message(self.FileChangedOnDisk())

    def on_text_area_changed(self, event: TextArea.Changed) -> None:
        self.dirty = self.editor.text != self._saved

    def watch_dirty(self) -> None:
        self._show_file_bar()

    def watch_disk_differs(self) -> None:
        self._show_file_bar()
        self.refresh_bindings()

    def _show_file_bar(self) -> None:
        bars = self.query("#file-bar").results(Static)
        bar = next(bars, None)
        if bar is None:  # not composed yet
            return
        # The state comes first so that a narrow terminal cuts the path, not the warning.
        state = ("changed on disk too; yours kept: ctrl+s saves yours, F9 loads disk"
                 if self.disk_differs else "unsaved changes" if self.dirty else "saved")
        text = Text.assemble((state, "bold yellow" if self.disk_differs or self.dirty else "dim"),
                             ("  ·  your file ", "dim"), (home_relative(self.file), "bold"),
                             ("  ·  F8 opens it in $EDITOR" if not self.dirty else "", "dim"))
        bar.update(text)

    def action_back(self) -> None:
        if self.action_save():
            self.dismiss()

    def action_save(self) -> bool:
        text = self.editor.text
        try:
            on_disk = self.file.read_text(encoding="utf-8") if self.file.exists() else None
            if on_disk != text:
                if self.disk_differs and on_disk is not None and on_disk != self._saved:
                    kept = self.file.with_name(f"{self.file.stem}.{datetime.now():%Y%m%d-%H%M%S}.disk.bak")
                    kept.write_text(on_disk, encoding="utf-8")
                    self.notify(f"The version changed on disk is kept as {kept.name}", title="Saved yours")
                self.file.write_text(text, encoding="utf-8")
        except OSError as exc:
            self.notify(f"cannot save {self.file}: {exc.strerror or exc}", severity="error")
            return False
        self._saved = text
        self.dirty = False
        self.disk_differs = False
        return True

    def on_exercise_screen_file_changed_on_disk(self, event: FileChangedOnDisk) -> None:
        try:
            text = self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return  # mid-save, or gone: the next change will say more
        if text == self._saved:
            return  # our own save, or a touch
        if text == self.editor.text:
            self._saved = text
            self.dirty = False
            return
        if self.dirty:
            self.disk_differs = True
            self.notify(f"{self.file.name} changed on disk while you had unsaved edits. Yours are kept: "
                        "ctrl+s saves them (the disk version is kept as .bak), F9 loads the disk version.",
                        title="Changed on disk", severity="warning", timeout=10)
            return
        self._take_disk_version(text)
        self.notify(f"{self.file.name} changed on disk; loaded and grading (ctrl+z undoes the load)", timeout=4)
        self.action_run()

    def _take_disk_version(self, text: str) -> None:
        """Replace the editor's text as one edit, so ctrl+z brings the previous text back."""
        editor = self.editor
        editor.replace(text, editor.document.start, editor.document.end)
        self._saved = text
        self.dirty = False
        self.disk_differs = False

    def action_load_from_disk(self) -> None:
        try:
            text = self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            self.notify(f"cannot read {self.file}: {exc}", severity="error")
            return
        self._take_disk_version(text)
        self.notify("Loaded the version on disk; ctrl+z brings yours back", timeout=4)

    def action_open_in_editor(self) -> None:
        from textual.app import SuspendNotSupported

        command = editor_command(self.file)
        if command is None:
            self.notify(f"Set $VISUAL or $EDITOR to open it from here. Your file: {self.file}", timeout=10)
            return
        if not self.action_save():
            return
        try:
            with self.app.suspend():
                done = subprocess.run(command, check=False)
        except SuspendNotSupported:  # no terminal to hand over (headless): run it anyway
            done = subprocess.run(command, check=False, stdin=subprocess.DEVNULL, capture_output=True)
        except OSError as exc:
            self.notify(f"could not start {command[0]}: {exc.strerror or exc}", severity="error")
            return
        if done.returncode:
            self.notify(f"{command[0]} exited with status {done.returncode}", severity="warning")

    def action_reset_exercise(self) -> None:
        self.action_save()  # the learner's latest typing goes into the kept copy, not into nothing
        _, kept = reset_workspace(self.exercise)
        self._take_disk_version(self.file.read_text(encoding="utf-8"))
        self.app.reset_exercise_progress(self.exercise.id)
        self.report = None
        where = f"; your version is kept as {kept.name}" if kept else ""
        self.notify(f"Started again from the starter{where}", title="Exercise reset")

    def action_leave_editor(self) -> None:
        if self.editor.has_focus:
            self.query_one("#results Tabs", Tabs).focus()
        else:
            self.focus_previous()

    # -- run and grade ---------------------------------------------------------------

    def action_run(self) -> None:
        if self.running or not self.action_save():
            return
        self.requests = self.rate_limited = 0
        self.scenario_s = 0.0
        self.running = True
        self.app.start_grade(self.exercise, self.file, target=self)

    def on_grade_progressed(self, event: GradeProgressed) -> None:
        self.requests, self.rate_limited, self.scenario_s = event.requests, event.rate_limited, event.scenario_s

    def on_grade_finished(self, event: GradeFinished) -> None:
        self.running = False
        report = event.report
        self.requests = len(report.timeline)
        self.rate_limited = sum(1 for p in report.timeline if p.status == 429)
        self.scenario_s = report.scenario_s
        self.report = report
        self.app.record_attempt(self.exercise.id, {item.id: item.passed for item in report.items})
        self.query_one(TabbedContent).active = "checklist-tab"
        if report.passed:
            self.notify("Every check passes. F4 shows the reference solution; ctrl+n opens the next exercise.",
                        title="Passed", timeout=8)

    def on_grade_failed(self, event: GradeFailed) -> None:
        self.running = False
        self.notify(event.reason, title="Could not grade", severity="error", timeout=10)

    def on_worker_failed(self, event: WorkerFailed) -> None:
        self.running = False

    def watch_report(self, report: Any) -> None:
        timeline = self.query_one(Timeline)
        output = self.query_one("#output", Static)
        self.checklist.report = report
        self.query_one(RequestTable).points = tuple(report.timeline) if report is not None else ()
        if report is None:
            timeline.points, timeline.limits = (), {}
            output.update(Text("Nothing run yet.", "dim"))
            self._show_status()
            return
        timeline.limits = dict(report.limits)
        timeline.points = tuple(report.timeline)
        output.update(output_text(report))
        self._show_status()

    def watch_running(self, running: bool) -> None:
        # Requests to come are unknown while running (the bar pulses); when done it shows them all.
        bar = self.query_one("#run-progress", ProgressBar)
        bar.display = True
        bar.total = None if running else max(self.requests, 1)
        self._show_status()

    def watch_requests(self) -> None:
        self._show_status()

    def watch_scenario_s(self) -> None:
        self._show_status()

    def _show_status(self) -> None:
        status = self.query_one("#run-status", Static)
        requests = f"{self.requests} request{'' if self.requests == 1 else 's'}"
        if self.running and not self.requests:
            # Until the first request the run is starting up, which is the slow part when cold.
            status.update("running · starting the sandbox (cold: a few seconds the first time)…"
                          if self.app.grader_cold else "running · starting your program…")
        elif self.running:
            status.update(f"running · {requests} · {self.rate_limited}×429 · {self.scenario_s:.1f} s scenario")
        elif self.report is not None:
            error = self.report.error
            lead = (f"your code {'does not parse' if error.kind == 'syntax' else 'crashed'}: "
                    f"{error.exception.split(':')[0]} at line {error.frames[-1].line} · " if error else "")
            passed = sum(item.passed for item in self.report.items)
            status.update(f"{lead}{passed}/{len(self.report.items)} checks pass · {requests} · "
                          f"{self.rate_limited}×429 · {self.scenario_s:.1f} s scenario")
        else:
            status.update("ctrl+r runs and grades")

    # -- hints, the reference, what next -----------------------------------------------

    def action_hint(self) -> None:
        """Reveal one more step of the first failing item's ladder; the step is recorded in progress."""
        if self.report is None:
            self.notify("Run and grade first (ctrl+r): hints are for the items that fail.")
            return
        hints = self.app.progress.exercise(self.exercise.id).hints
        for result in self.report.failed_items:
            item = check_item(self.exercise, result.id)
            if item is None:
                continue
            shown = hints.get(item.id, 0)
            ladder = hint_ladder(item)
            if shown < len(ladder):
                self.app.record_hint(self.exercise.id, item.id, shown + 1)
                self.query_one(TabbedContent).active = "checklist-tab"
                # Shown in place and scrolled to, with no toast: at 80x24 a toast covered the hint itself.
                self.call_after_refresh(self._scroll_to_item, item.id)
                return
        self.notify("Every hint for the failing items is showing already; the coach (ctrl+t) can talk it through."
                    if self.report.failed_items else "Nothing fails: no hint needed.")

    def _scroll_to_item(self, item_id: str) -> None:
        """Bring an item's newest hint into view: it is drawn at the item's end, often below the fold."""
        checklist = self.checklist
        span = checklist.item_lines(item_id, checklist.content_region.width)
        scroll = checklist.parent
        if span is None or not isinstance(scroll, VerticalScroll):
            return
        first, end = span
        top = max(first, end - scroll.scrollable_content_region.height)
        scroll.scroll_to_region(Region(0, top, 1, end - top), animate=False, immediate=True)

    def action_reference(self) -> None:
        from coach.tui.screens.reference import ReferenceScreen

        if not self.app.progress.passed(self.exercise.id):
            self.notify("The reference opens once every check has passed.")
            return
        self.action_save()
        self.app.push_screen(ReferenceScreen(self.exercise, self.editor.text))

    def action_next_exercise(self) -> None:
        target = next_exercise(self.app.curriculum, self.app.progress, self.exercise.id)
        if target is None:
            self.notify("That was the last exercise you had left. Well done.", title="Course done")
            return
        if self.action_save():
            self.dismiss()
            self.app.open_exercise(target)

    # -- the coach ---------------------------------------------------------------------

    def action_toggle_coach(self) -> None:
        self.query_one(CoachPane).toggle()

    def action_send_to_coach(self) -> None:
        self.action_save()
        if self.report is not None:
            question, shown = ("Here is my code and the last report. What should I look at next?",
                               "(sent my code and the last report)")
        else:
            question, shown = ("Here is my code. What should I look at before I run it?",
                               "(sent my code; nothing has been run yet)")
        self.query_one(CoachPane).ask(question, shown=shown)
