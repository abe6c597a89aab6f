"""Home: the lessons in order with progress, where to continue, and lesson files that failed to load."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Button, Footer, Header, OptionList, Static
from textual.widgets.option_list import Option

from coach.curriculum.model import Exercise, Lesson, display_path
from coach.next_step import next_exercise
from coach.progress import Progress
from coach.tui.keys import KEYS_FIRST

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


def lesson_line(lesson: Lesson, progress: Progress) -> str:
    """One line per lesson: exercises passed of total, discussions done."""
    passed = sum(progress.passed(e.id) for e in lesson.exercises)
    parts = [f"{passed}/{len(lesson.exercises)} exercises" if lesson.exercises else "no exercises yet"]
    if lesson.discussions:
        done = sum(progress.discussion(lesson.id, d.id).done for d in lesson.discussions)
        parts.append(f"{done}/{len(lesson.discussions)} discussions")
    mark = "✓" if lesson.exercises and passed == len(lesson.exercises) else " "
    return f"{mark} {lesson.order}. {lesson.title}  ·  {' · '.join(parts)}"


class HomeScreen(Screen[None]):
    CSS_PATH = "home.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        KEYS_FIRST,
        Binding("c", "continue", "Continue", id="continue",
                tooltip="Reopen the exercise or lesson you had open last; after a pass, the next exercise"),
    ]
    app: CoachApp  # type: ignore[assignment]

    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="home"):
            yield Static("Lessons", classes="title")
            yield Button("Start with lesson 1", id="continue", variant="primary")
            yield OptionList(id="lessons")
            yield Static(id="summary")
            yield Static(id="broken")
        yield Footer()

    @property
    def lesson_list(self) -> OptionList:
        return self.query_one("#lessons", OptionList)

    def on_mount(self) -> None:
        self.watch(self.app, "progress", self._show_progress)
        self._show_broken()
        self.lesson_list.focus()

    def _show_progress(self, progress: Progress) -> None:
        lessons = self.app.curriculum.lessons
        highlighted = self.lesson_list.highlighted
        self.lesson_list.clear_options()
        self.lesson_list.add_options([Option(lesson_line(lesson, progress), id=lesson.id) for lesson in lessons])
        if lessons:
            self.lesson_list.highlighted = highlighted or 0
        button = self.query_one("#continue", Button)
        target = self._continue_target(progress)
        button.display = target is not None
        if isinstance(target, Exercise):
            button.label = f"Continue: {target.title}"
        elif isinstance(target, Lesson):
            button.label = (f"Continue: lesson {target.order}, {target.title}"
                            if progress.last_lesson else f"Start with lesson {target.order}: {target.title}")

    def _continue_target(self, progress: Progress) -> Lesson | Exercise | None:
        curriculum = self.app.curriculum
        if progress.last_exercise and (exercise := curriculum.exercise(progress.last_exercise)):
            if progress.passed(exercise.id):
                return next_exercise(curriculum, progress, exercise.id) or curriculum.lesson(exercise.lesson_id)
            return exercise
        if progress.last_lesson and (lesson := curriculum.lesson(progress.last_lesson)):
            return lesson
        return curriculum.lessons[0] if curriculum.lessons else None

    def _show_broken(self) -> None:
        curriculum = self.app.curriculum
        broken = self.query_one("#broken", Static)
        if not curriculum.errors:
            broken.display = False
            return
        text = Text.assemble(
            (f"{len(curriculum.broken_files)} lesson file(s) could not be loaded", "bold"),
            " (fix them and restart; `coach lint` checks them):",
        )
        for file in curriculum.broken_files:
            text.append(f"\n\n{display_path(file)}", "bold")
            for error in curriculum.errors:
                if error.file == file:
                    text.append(f"\n  {error}")
        broken.update(text)
        broken.display = True

    def on_option_list_option_highlighted(self, event: OptionList.OptionHighlighted) -> None:
        lesson = self.app.curriculum.lesson(event.option.id or "")
        if lesson is None:
            return
        text = Text(" ".join(lesson.summary.split()))
        for point in lesson.key_points:
            text.append(f"\n• {point}", "dim")
        self.query_one("#summary", Static).update(text)

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        lesson = self.app.curriculum.lesson(event.option.id or "")
        if lesson is not None:
            self.app.open_lesson(lesson)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "continue":
            self.action_continue()

    def action_continue(self) -> None:
        target = self._continue_target(self.app.progress)
        if isinstance(target, Exercise):
            self.app.open_exercise(target)
        elif isinstance(target, Lesson):
            self.app.open_lesson(target)
