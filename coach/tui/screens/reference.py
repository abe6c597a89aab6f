"""The reference solution after a pass: side by side with the learner's file, or as a diff, with why.

Exercism shows other solutions once an exercise is done; here the one to compare with is the
author's reference, and the note says why it is written that way.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar

from rich.syntax import Syntax
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import Screen
from textual.widgets import Footer, Header, Label, Static, TabbedContent, TabPane, TextArea

from coach.curriculum.model import Exercise
from coach.next_step import next_exercise
from coach.reference import load_reference, reference_diff
from coach.tui.keys import KEYS_FIRST

if TYPE_CHECKING:
    from coach.tui.app import CoachApp


class ReferenceScreen(Screen[None]):
    CSS_PATH = "reference.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        KEYS_FIRST,
        Binding("escape", "app.pop_screen", "Back", id="back", tooltip="Back to your exercise"),
        Binding("ctrl+n", "next_exercise", "Next exercise", id="next-exercise", priority=True,
                tooltip="Open the next exercise you have not passed"),
    ]
    app: CoachApp  # type: ignore[assignment]

    def __init__(self, exercise: Exercise, mine: str) -> None:
        super().__init__()
        self.exercise = exercise
        self.mine = mine
        self.reference = load_reference(exercise)
        self.sub_title = f"reference: {exercise.title}"

    def compose(self) -> ComposeResult:
        yield Header()
        reference = self.reference
        if reference is None:
            yield Static(Text(f"{self.exercise.title} has no reference solution yet "
                              f"(an instructor adds one as reference.py beside the starter).", "dim"), id="note")
            yield Footer()
            return
        yield Static(Text.assemble(("Why it is written this way: ", "bold"),
                                   reference.note or "its author left no note; read it against yours."),
                     id="note")
        with TabbedContent(id="compare"):
            with TabPane("Side by side", id="side-tab"), Horizontal(id="side"):
                with Vertical():
                    yield Label("yours", classes="column-title")
                    yield TextArea.code_editor(self.mine, language="python", read_only=True, soft_wrap=True,
                                               id="mine")
                with Vertical():
                    yield Label("reference", classes="column-title")
                    yield TextArea.code_editor(reference.code, language="python", read_only=True, soft_wrap=True,
                                               id="theirs")
            with TabPane("Diff", id="diff-tab"), VerticalScroll():
                diff = reference_diff(self.mine, reference.code)
                yield Static(Syntax(diff, "diff", theme="ansi_dark", word_wrap=True) if diff
                             else Text("Yours is the reference, line for line.", "green"), id="diff")
        yield Footer()

    def on_mount(self) -> None:
        # Side by side needs room; on a narrow terminal the diff reads better.
        if self.reference is not None and self.app.size.width < 110:
            self.query_one(TabbedContent).active = "diff-tab"

    def action_next_exercise(self) -> None:
        target = next_exercise(self.app.curriculum, self.app.progress, self.exercise.id)
        if target is None:
            self.notify("That was the last exercise you had left. Well done.", title="Course done")
            return
        self.app.pop_screen()
        exercise_screen = self.app.screen
        action = getattr(exercise_screen, "action_next_exercise", None)
        if action is not None:
            action()
        else:
            self.app.open_exercise(target)
