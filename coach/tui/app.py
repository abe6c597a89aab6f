"""The coach app: one factory builds it for the CLI, the tests and the startup benchmark.

Workers live here (Harlequin's habit): each does one slow thing off the event loop, posts
messages to the widget that asked, and never touches a widget itself. One
`Worker.StateChanged` handler turns any worker failure into a notification and a
`WorkerFailed` message, so the screen that was waiting can recover.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

from textual import work
from textual.app import App, SystemCommand
from textual.binding import Binding, BindingType
from textual.message import Message
from textual.message_pump import MessagePump
from textual.reactive import reactive
from textual.screen import Screen
from textual.worker import Worker, WorkerState

from coach.curriculum import Curriculum, load_curriculum
from coach.curriculum.model import Exercise, Lesson
from coach.progress import Progress, ProgressError, ProgressStore
from coach.tui.messages import (
    CoachDeltaReceived,
    CoachReplyFinished,
    CoachStatusChanged,
    GradeFailed,
    GradeFinished,
    GradeProgressed,
)
from coach.tui.settings import THEMES, AppSettings, load_settings, save_settings
from coach.tui.tutor_link import CoachContext, TutorSession, default_tutor

Grader = Callable[..., Any]
"""`grade(exercise, file, on_progress=callback) -> GradeReport`, like `coach.grader.grade.grade_exercise`."""


@dataclass
class WorkerFailed(Message):
    """A worker raised: the widget that started it should stop waiting."""

    group: str
    reason: str


class CoachApp(App[None]):
    """Lessons, exercises and the coach in one terminal window."""

    CSS_PATH = "app.tcss"
    TITLE = "coach"
    SUB_TITLE = "ship Claude integrations that survive production"
    HORIZONTAL_BREAKPOINTS: ClassVar[list[tuple[int, str]]] = [(0, "-narrow"), (110, "-medium"), (160, "-wide")]
    """Below -wide the coach pane waits to be asked for (ctrl+t), so code and lessons get the width."""
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", id="quit", tooltip="Leave coach; progress is saved as you go"),
        Binding("f1", "toggle_keys", "Keys", id="keys", priority=True,
                tooltip="Show or hide every key of this screen, with what it does"),
        Binding("question_mark", "toggle_keys", "Keys", id="keys-question", show=False,
                tooltip="Show or hide the keys (when not typing in the editor or a question box)"),
        Binding("f2", "toggle_theme", "Theme", id="theme", tooltip="Switch between the light and dark theme"),
    ]

    progress: reactive[Progress] = reactive(Progress, always_update=True)
    """The learner's progress; screens watch it to redraw marks and counts."""

    def __init__(
        self,
        curriculum: Curriculum,
        store: ProgressStore,
        *,
        grader: Grader | None = None,
        tutor_factory: Callable[[], TutorSession] | None = None,
        settings: AppSettings | None = None,
        settings_file: Path | None = None,
        coach_file: Path | None = None,
    ) -> None:
        super().__init__()
        self.curriculum = curriculum
        self.store = store
        self._grader = grader
        self._grading: Any = None
        """The warm `GradingSession` behind the real grader, once built."""
        self._tutor_factory = tutor_factory
        self._tutor: TutorSession | None = None
        self.settings = settings or AppSettings()
        self._settings_file = settings_file
        self._coach_file = coach_file
        """coach.toml (None: the one in the user config folder)."""
        self._targets: dict[Worker, MessagePump] = {}

    # -- lifecycle -------------------------------------------------------------------

    def on_mount(self) -> None:
        from coach.tui.screens.home import HomeScreen

        self.theme = self.settings.theme
        self.progress = self.store.load()
        self._say_store_notice()
        self.push_screen(HomeScreen())

    def _say_store_notice(self) -> None:
        if self.store.notice:
            self.notify(self.store.notice, title="Progress", severity="warning", timeout=10)
            self.store.notice = None

    # -- navigation ------------------------------------------------------------------

    def open_lesson(self, lesson: Lesson) -> None:
        from coach.tui.screens.lesson import LessonScreen

        self._record(lambda: self.store.record_opened(lesson.id))
        self.push_screen(LessonScreen(lesson))

    def open_exercise(self, exercise: Exercise) -> None:
        from coach.tui.screens.exercise import ExerciseScreen

        self._record(lambda: self.store.record_opened(exercise.lesson_id, exercise.id))
        self.push_screen(ExerciseScreen(exercise))
        if self._grader is None:
            _ = self.grader
        if self._grading is not None:
            self._grading.warm_up()  # the first Run should not wait for the SDK to import

    def go_home(self) -> None:
        while len(self.screen_stack) > 2:
            self.pop_screen()

    # -- progress --------------------------------------------------------------------

    def _record(self, change: Callable[[], Progress]) -> None:
        try:
            self.progress = change()
        except ProgressError as exc:
            self.notify(str(exc), title="Progress not saved", severity="error")
        self._say_store_notice()

    def record_attempt(self, exercise_id: str, results: dict[str, bool]) -> None:
        self._record(lambda: self.store.record_attempt(exercise_id, results))

    def record_discussion(self, lesson_id: str, discussion_id: str, points: list[int], done: bool) -> None:
        self._record(lambda: self.store.record_discussion(lesson_id, discussion_id, points, done))

    def record_hint(self, exercise_id: str, item_id: str, steps: int) -> None:
        self._record(lambda: self.store.record_hint(exercise_id, item_id, steps))

    def reload_progress(self) -> None:
        """Pick up what another writer (the coach's discussion judge) recorded."""
        self._record(self.store.load)

    def reset_exercise_progress(self, exercise_id: str) -> None:
        self._record(lambda: self.store.reset_exercise(exercise_id))

    # -- workers -----------------------------------------------------------------------

    def start_grade(self, exercise: Exercise, file: Path, target: MessagePump) -> Worker:
        worker = self._grade(exercise, file, target)
        self._targets[worker] = target
        return worker

    @property
    def grader(self) -> Grader:
        """The real grader is built on first use and kept warm for the app's lifetime."""
        if self._grader is None:
            from coach.grader.session import GradingSession

            self._grading = GradingSession()
            self._grader = self._grading.grade
        return self._grader

    @property
    def grader_cold(self) -> bool:
        """The real grader has no warm sandbox yet: the next run starts cold and takes seconds."""
        return self._grading is not None and not self._grading.warm

    async def on_unmount(self) -> None:
        if self._grading is not None:
            self._grading.close()
        closer = getattr(self._tutor, "aclose", None)
        if closer is not None:
            await closer()

    @work(thread=True, exclusive=True, group="grade", exit_on_error=False, description="grading")
    def _grade(self, exercise: Exercise, file: Path, target: MessagePump) -> None:
        def on_progress(p: Any) -> None:
            target.post_message(GradeProgressed(p.requests, p.rate_limited, p.errors, p.scenario_s))

        try:
            report = self.grader(exercise, file, on_progress=on_progress)
        except Exception as exc:
            if type(exc).__name__ != "GradeError":
                raise
            target.post_message(GradeFailed(exercise, str(exc)))
            return
        target.post_message(GradeFinished(exercise, report))

    @property
    def tutor(self) -> TutorSession:
        """Built on first use so that anthropic and aiohttp never slow down startup."""
        if self._tutor is None:
            factory = self._tutor_factory or (lambda: default_tutor(offline=self.settings.offline_coach))
            self._tutor = factory()
        return self._tutor

    def start_coach(self, message: str, context: CoachContext, target: MessagePump, reply: int = 0) -> Worker:
        worker = self._ask_coach(message, context, target, reply)
        self._targets[worker] = target
        return worker

    @work(exclusive=True, group="coach", exit_on_error=False, description="the coach")
    async def _ask_coach(self, message: str, context: CoachContext, target: MessagePump, reply: int) -> None:
        session = self.tutor
        if hasattr(session, "on_status"):  # the real coach reports its retries and restarts
            session.on_status = lambda status: target.post_message(CoachStatusChanged(reply, status))
        try:
            async for delta in session.stream_reply(message, context):
                target.post_message(CoachDeltaReceived(reply, delta))
        finally:
            target.post_message(CoachReplyFinished(reply, session.online, session.tokens, session.cost_usd))
            if context.discussion_id:
                self.reload_progress()  # the judge may have recorded points reached

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state not in (WorkerState.ERROR, WorkerState.SUCCESS, WorkerState.CANCELLED):
            return
        target = self._targets.pop(event.worker, None)
        if event.state is not WorkerState.ERROR:
            return
        error = event.worker.error
        reason = f"{type(error).__name__}: {error}"
        self.log.error(f"worker {event.worker.name} failed", error)
        self.notify(reason, title=f"{event.worker.description or 'work'} failed", severity="error", timeout=8)
        if target is not None:
            target.post_message(WorkerFailed(event.worker.group, reason))

    async def action_quit(self) -> None:
        """Quitting keeps the learner's edits: every open exercise saves first."""
        from coach.tui.screens.exercise import ExerciseScreen

        for screen in self.screen_stack:
            if isinstance(screen, ExerciseScreen):
                screen.action_save()
        self.exit()

    # -- keys, theme, settings, palette ---------------------------------------------

    def action_toggle_keys(self) -> None:
        from textual.widgets import HelpPanel

        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def action_toggle_theme(self) -> None:
        theme = THEMES[1] if self.theme == THEMES[0] else THEMES[0]
        self.apply_settings(replace(self.settings, theme=theme))

    def apply_settings(self, settings: AppSettings) -> None:
        changed_mode = settings.offline_coach != self.settings.offline_coach
        self.settings = settings
        self.theme = settings.theme
        if changed_mode:
            self._tutor = None  # the next question builds a coach in the new mode
        problem = save_settings(settings, self._settings_file)
        if problem:
            self.notify(problem, severity="warning")

    def action_settings(self) -> None:
        from coach.tui.screens.settings import SettingsScreen
        from coach.tui.settings import load_coach_settings

        coach, problem = load_coach_settings(self._coach_file)
        self.push_screen(SettingsScreen(self.settings, coach, problem), callback=self._settings_closed)

    def _settings_closed(self, chosen: Any) -> None:
        """`chosen` is a `SettingsChosen`, or None when the learner cancelled."""
        from coach.tui.settings import load_coach_settings, save_coach_settings

        if chosen is None:
            return
        self.apply_settings(chosen.app)
        if chosen.coach != load_coach_settings(self._coach_file)[0]:
            problem = save_coach_settings(chosen.coach, self._coach_file)
            if problem:
                self.notify(problem, severity="warning")
            else:
                self._tutor = None  # the next question builds a coach with the new model and caps

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand("Settings", "Theme and offline mode (app.toml); the coach's model and cost caps "
                            "(coach.toml)", self.action_settings)
        yield SystemCommand("Home", "The lessons and your progress", self.go_home)
        for lesson in self.curriculum.lessons:
            yield SystemCommand(f"Lesson {lesson.order}: {lesson.title}", lesson.summary or "Read the lesson",
                                lambda lesson=lesson: self.open_lesson(lesson))
            for exercise in lesson.exercises:
                yield SystemCommand(f"Exercise: {exercise.title}", f"From lesson {lesson.order}: {lesson.title}",
                                    lambda exercise=exercise: self.open_exercise(exercise))
        reset = getattr(screen, "action_reset_exercise", None)
        if reset is not None:
            yield SystemCommand("Reset exercise", "Start again from the starter; your version is kept as .bak",
                                reset)


def build_app(
    *,
    lesson_dirs: list[Path] | None = None,
    store: ProgressStore | None = None,
    grader: Grader | None = None,
    tutor_factory: Callable[[], TutorSession] | None = None,
    theme: str | None = None,
    settings_file: Path | None = None,
    coach_file: Path | None = None,
) -> CoachApp:
    """The app as the learner gets it; tests and the benchmark pass doubles for the slow parts."""
    settings = load_settings(settings_file)
    if theme is not None:
        settings = replace(settings, theme=theme)
    return CoachApp(
        load_curriculum(lesson_dirs),
        store or ProgressStore(),
        grader=grader,
        tutor_factory=tutor_factory,
        settings=settings,
        settings_file=settings_file,
        coach_file=coach_file,
    )
