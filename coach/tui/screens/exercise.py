"""The exercise: brief, editor on the learner's workspace file, run and grade, checklist, timeline, output."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Footer, Header, Markdown, ProgressBar, Static, TabbedContent, TabPane, TextArea

from coach.curriculum.model import Exercise
from coach.tui.messages import GradeFailed, GradeFinished, GradeProgressed
from coach.tui.tutor_link import CoachContext
from coach.tui.widgets.checklist import Checklist
from coach.tui.widgets.coach_pane import CoachPane
from coach.tui.widgets.timeline import Timeline
from coach.workspace import open_workspace, reset_workspace

if TYPE_CHECKING:
    from coach.tui.app import CoachApp, WorkerFailed

POLL_S = 0.5


def _stamp(file: Path) -> int | None:
    try:
        return file.stat().st_mtime_ns
    except OSError:
        return None


def output_text(report: Any) -> Text:
    text = Text()
    text.append(f"exit code {report.exit_code} · isolation: {report.isolation}", "bold")
    if report.timed_out:
        text.append(" · timed out", "bold red")
    if report.limit_hit:
        text.append(f" · limit hit: {report.limit_hit}", "bold red")
    text.append("\n\nstdout\n", "bold")
    text.append(report.stdout or "(nothing)\n", "" if report.stdout else "dim")
    text.append("\nstderr\n", "bold")
    text.append(report.stderr or "(nothing)\n", "" if report.stderr else "dim")
    return text


class ExerciseScreen(Screen[None]):
    CSS_PATH = "exercise.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back", id="back", tooltip="Save and go back to the lesson"),
        Binding("ctrl+r", "run", "Run", id="run", priority=True,
                tooltip="Save, run your code against the fault scenario, and grade it"),
        Binding("ctrl+s", "save", "Save", id="save", priority=True, tooltip="Save the editor to your workspace file"),
        Binding("ctrl+t", "toggle_coach", "Coach", id="coach", priority=True,
                tooltip="Open the coach and type a question; again to close it on a narrow terminal"),
        Binding("ctrl+o", "send_to_coach", "Send code", id="send-to-coach", priority=True,
                tooltip="Send your code and the last report to the coach"),
    ]
    app: CoachApp  # type: ignore[assignment]

    running: reactive[bool] = reactive(False, init=False)
    """A grading is in progress; a second run key press is ignored meanwhile."""
    requests: reactive[int] = reactive(0, init=False)
    """Requests the stub has answered during this run; the progress bar is bound to it."""
    rate_limited: reactive[int] = reactive(0)
    scenario_s: reactive[float] = reactive(0.0, init=False)
    report: reactive[Any] = reactive(None, always_update=True, init=False)
    """The last `GradeReport`, or None before the first run."""

    def __init__(self, exercise: Exercise) -> None:
        super().__init__()
        self.exercise = exercise
        self.file = open_workspace(exercise)
        self._seen = _stamp(self.file)
        self.sub_title = f"exercise: {exercise.title}"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="pane-row"):
            with Vertical(id="work"):
                yield TextArea.code_editor(self.file.read_text(encoding="utf-8"), language="python", id="editor")
                with Horizontal(id="run-row"):
                    yield ProgressBar(total=None, show_eta=False, id="run-progress").data_bind(
                        progress=ExerciseScreen.requests)
                    yield Static(id="run-status")
                with TabbedContent(id="results"):
                    with TabPane("Brief", id="brief-tab"), VerticalScroll():
                        yield Markdown(self.exercise.brief, id="brief")
                    with TabPane("Checklist", id="checklist-tab"), VerticalScroll():
                        yield Checklist(id="checklist")
                    with TabPane("Timeline", id="timeline-tab"), VerticalScroll():
                        yield Timeline(id="timeline")
                    with TabPane("Output", id="output-tab"), VerticalScroll():
                        yield Static(Text("Nothing run yet.", "dim"), id="output")
            yield CoachPane(self._coach_context, id="coach")
        yield Footer()

    @property
    def editor(self) -> TextArea:
        return self.query_one("#editor", TextArea)

    def on_mount(self) -> None:
        self.editor.focus()
        self.query_one("#run-progress", ProgressBar).display = False  # no pulsing bar before the first run
        self.set_interval(POLL_S, self._pick_up_outside_edits)
        self._show_status()

    def _coach_context(self) -> CoachContext:
        return CoachContext(lesson_id=self.exercise.lesson_id, exercise_id=self.exercise.id,
                            code=self.editor.text, report=self.report)

    # -- the file ----------------------------------------------------------------------

    def action_back(self) -> None:
        if self.action_save():
            self.dismiss()

    def action_save(self) -> bool:
        try:
            if self.file.read_text(encoding="utf-8") != self.editor.text:
                self.file.write_text(self.editor.text, encoding="utf-8")
        except OSError as exc:
            self.notify(f"cannot save {self.file}: {exc.strerror or exc}", severity="error")
            return False
        self._seen = _stamp(self.file)
        return True

    def _pick_up_outside_edits(self) -> None:
        stamp = _stamp(self.file)
        if stamp is None or stamp == self._seen:
            return
        self._seen = stamp
        try:
            text = self.file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return
        if text != self.editor.text:
            self.editor.load_text(text)
            self.notify(f"{self.file.name} changed on disk; reloaded", timeout=3)

    def action_reset_exercise(self) -> None:
        _, kept = reset_workspace(self.exercise)
        self._pick_up_outside_edits()
        self.app.reset_exercise_progress(self.exercise.id)
        self.report = None
        where = f"; your version is kept as {kept.name}" if kept else ""
        self.notify(f"Started again from the starter{where}", title="Exercise reset")

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
            self.notify("Every check passes.", title="Passed")

    def on_grade_failed(self, event: GradeFailed) -> None:
        self.running = False
        self.notify(event.reason, title="Could not grade", severity="error", timeout=10)

    def on_worker_failed(self, event: WorkerFailed) -> None:
        self.running = False

    def watch_report(self, report: Any) -> None:
        checklist, timeline = self.query_one(Checklist), self.query_one(Timeline)
        output = self.query_one("#output", Static)
        if report is None:
            checklist.items, timeline.points, timeline.limits = (), (), {}
            output.update(Text("Nothing run yet.", "dim"))
            return
        checklist.items = tuple(report.items)
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
        if self.running:
            status.update(f"running · {requests} · {self.rate_limited}×429 · {self.scenario_s:.1f} s scenario")
        elif self.report is not None:
            passed = sum(item.passed for item in self.report.items)
            status.update(f"{passed}/{len(self.report.items)} checks pass · {requests} · "
                          f"{self.rate_limited}×429 · {self.scenario_s:.1f} s scenario")
        else:
            status.update("ctrl+r runs and grades")

    # -- the coach ---------------------------------------------------------------------

    def action_toggle_coach(self) -> None:
        self.query_one(CoachPane).toggle()

    def action_send_to_coach(self) -> None:
        self.action_save()
        question = ("Here is my code and the last report. What should I look at next?" if self.report
                    else "Here is my code. What should I look at before I run it?")
        self.query_one(CoachPane).ask(question, shown="(sent my code and the last report)")
