"""The lesson reader: Markdown with highlighted code, key points, sources, discussions, and the coach beside it."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Checkbox, Collapsible, Footer, Header, Markdown, Static

from coach.curriculum.model import Discussion, Exercise, Lesson
from coach.progress import Progress
from coach.tui.keys import KEYS_FIRST
from coach.tui.tutor_link import CoachContext
from coach.tui.widgets.coach_pane import CoachPane

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


def lesson_markdown(lesson: Lesson) -> str:
    """The whole lesson as one Markdown document; fenced code is highlighted by the widget."""
    parts = [f"# {lesson.order}. {lesson.title}", lesson.summary.strip()]
    for section in lesson.sections:
        parts += [f"## {section.title}", section.body.strip()]
    if lesson.key_points:
        parts += ["## Key points", "\n".join(f"- {point}" for point in lesson.key_points)]
    if lesson.sources:
        parts += ["## Sources", "\n".join(f"- [{s.title}]({s.url})" for s in lesson.sources)]
    return "\n\n".join(part for part in parts if part)


def exercise_label(exercise: Exercise, progress: Progress) -> str:
    status = progress.status(exercise.id)
    mark = {"passed": "✓ ", "tried": "… ", "new": ""}[status]
    return f"{mark}Open exercise: {exercise.title}" + ("  (passed)" if status == "passed" else "")


def discussion_prompt(discussion: Discussion) -> str:
    return (f"Let's talk through this situation: {discussion.title}.\n\n{discussion.situation.strip()}\n\n"
            "Ask me questions one at a time rather than giving me the answer.")


class LessonScreen(Screen[None]):
    CSS_PATH = "lesson.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        KEYS_FIRST,
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to the lesson list"),
        Binding("ctrl+e", "next_exercise", "Exercise", id="exercise",
                tooltip="Open this lesson's next exercise: the first not passed yet"),
        Binding("ctrl+t", "toggle_coach", "Coach", id="coach", priority=True,
                tooltip="Open the coach and type a question; again to close it on a narrow terminal"),
    ]
    app: CoachApp  # type: ignore[assignment]

    def __init__(self, lesson: Lesson) -> None:
        super().__init__()
        self.lesson = lesson
        self.active_discussion: str | None = None
        """The discussion being talked through: the learner's next questions belong to it."""
        self.sub_title = f"lesson {lesson.order}: {lesson.title}"

    def compose(self) -> ComposeResult:
        yield Header()
        with Horizontal(classes="pane-row"):
            with VerticalScroll(id="reader"):
                yield Markdown(lesson_markdown(self.lesson), id="lesson-text")
                for discussion in self.lesson.discussions:
                    yield Static(f"Discussion: {discussion.title}", classes="title discussion-title", markup=False)
                    yield Markdown(discussion.situation.strip(), classes="situation")
                    yield Button("Talk it through with the coach", id=f"discuss-{discussion.id}",
                                 classes="discuss", variant="primary")
                    reached = self.app.progress.discussion(self.lesson.id, discussion.id).points
                    with Collapsible(title="Target points: tick the ones you can argue for (offline)",
                                     classes="points", collapsed=True):
                        for n, point in enumerate(discussion.points):
                            yield Checkbox(point, value=n in reached, id=f"point-{discussion.id}-{n}",
                                           classes="point")
                if self.lesson.exercises:
                    yield Static("Exercises", classes="title")
                    for exercise in self.lesson.exercises:
                        yield Button(exercise_label(exercise, self.app.progress), id=f"exercise-{exercise.id}",
                                     classes="exercise")
            yield CoachPane(self._coach_context, id="coach")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#reader").focus()
        self.watch(self.app, "progress", self._show_progress, init=False)

    def _show_progress(self, progress: Progress) -> None:
        for exercise in self.lesson.exercises:
            self.query_one(f"#exercise-{exercise.id}", Button).label = exercise_label(exercise, progress)

    def _coach_context(self) -> CoachContext:
        return CoachContext(lesson_id=self.lesson.id, discussion_id=self.active_discussion)

    @property
    def coach(self) -> CoachPane:
        return self.query_one(CoachPane)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        button_id = event.button.id or ""
        for discussion in self.lesson.discussions:
            if button_id == f"discuss-{discussion.id}":
                self.active_discussion = discussion.id
                self.coach.ask(discussion_prompt(discussion), shown=f"Let's talk it through: {discussion.title}",
                               context=CoachContext(lesson_id=self.lesson.id, discussion_id=discussion.id,
                                                    opening=True))
                return
        for exercise in self.lesson.exercises:
            if button_id == f"exercise-{exercise.id}":
                self.app.open_exercise(exercise)
                return

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        """Offline, the learner says which points they reached; the coach's judge does it online."""
        for discussion in self.lesson.discussions:
            ticked = [n for n in range(len(discussion.points))
                      if self.query_one(f"#point-{discussion.id}-{n}", Checkbox).value]
            if event.checkbox.id and event.checkbox.id.startswith(f"point-{discussion.id}-"):
                self.app.record_discussion(self.lesson.id, discussion.id, ticked,
                                           done=len(ticked) == len(discussion.points))

    def action_next_exercise(self) -> None:
        if not self.lesson.exercises:
            self.notify("This lesson has no exercise yet.")
            return
        progress = self.app.progress
        waiting = [e for e in self.lesson.exercises if not progress.passed(e.id)]
        self.app.open_exercise((waiting or self.lesson.exercises)[0])

    def action_toggle_coach(self) -> None:
        self.coach.toggle()
