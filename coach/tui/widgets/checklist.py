"""The grading checklist: errors first, then a mark per item, its evidence and the hints asked for.

The learner's own error (a syntax error or a crash, in their file's lines) comes before the
items, because until it is fixed the items only echo it. Hints are not shown when an item
fails: F3 reveals its ladder one step at a time. After a pass the list ends with what to do next.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.padding import Padding
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static

from coach.curriculum.model import Exercise
from coach.hints import check_item, hint_ladder, revealed


def error_text(error: Any) -> Group:
    """A `LearnerError`: where in the learner's file, then the exception, with coach's frames left out.

    Each line is indented as a block, so a long line that wraps stays under itself instead of
    running back to the left edge, where it would read as a line of its own.
    """
    what = "Your code does not parse" if error.kind == "syntax" else "Your code stopped with an error"
    lines: list[RenderableType] = [Text(f"{what}; the checklist below follows from it, so fix this first:",
                                        "bold red")]
    lines += [Padding(Text(line, "red" if line == error.exception else ""), (0, 0, 0, 2)) for line in error.lines()]
    return Group(*lines, Text(""))


def checklist_table(items: Sequence[Any], exercise: Exercise | None = None,
                    hints: dict[str, int] | None = None) -> Table:
    """`items` are `ItemResult`s. Wrapped lines stay under their item; revealed hint steps follow it."""
    hints = hints or {}
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)
    table.add_column(ratio=1)
    asked = False
    for result in items:
        body = Text(result.description or result.id, "bold")
        body.append(f"\n{result.evidence}", "dim")
        item = check_item(exercise, result.id) if exercise is not None else None
        if not result.passed and item is not None:
            ladder = hint_ladder(item)
            for step in revealed(item, hints.get(item.id, 0)):
                body.append(f"\n{step.name}: ", "italic yellow")
                body.append(step.text, "italic")
            if hints.get(item.id, 0) < len(ladder) and not asked:
                body.append(f"\nF3: {'a hint' if not hints.get(item.id) else 'the next hint'} "
                            f"({hints.get(item.id, 0)}/{len(ladder)} shown)", "dim italic")
                asked = True  # F3 serves the first failing item with a step left: say it once, there
        elif not result.passed and result.hint and exercise is None:
            body.append("\nhint: ", "italic yellow")
            body.append(result.hint, "italic")
        mark = Text("✓", "bold green") if result.passed else Text("✗", "bold red")
        table.add_row(mark, body)
    return table


class Checklist(Static):
    DEFAULT_CSS = "Checklist { padding: 0 1; } "

    report: reactive[Any] = reactive(None, always_update=True)
    """The last `GradeReport`, or None before the first run."""
    hints: reactive[dict[str, int]] = reactive(dict, always_update=True)
    """Ladder steps revealed per item, from progress."""
    passed_before: reactive[bool] = reactive(False)
    """The exercise has passed in some attempt: the reference and the next exercise are open."""
    next_title: reactive[str | None] = reactive(None)

    def __init__(self, exercise: Exercise | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.exercise = exercise

    @property
    def items(self) -> tuple[Any, ...]:
        return tuple(self.report.items) if self.report is not None else ()

    def render_checklist(self) -> RenderableType:
        report = self.report
        if report is None:
            return Text("Run and grade (ctrl+r) to see the checklist.", "dim")
        parts: list[RenderableType] = []
        if report.error is not None:
            parts.append(error_text(report.error))
        parts.append(checklist_table(report.items, self.exercise, self.hints))
        if report.passed:
            after = Text("\n✓ Every check passes. ", "bold green")
            after.append("F4: the reference solution beside yours", "bold")
            after.append(f" · ctrl+n: next exercise, {self.next_title}" if self.next_title else
                         " · that was the last exercise you had left", "")
            parts.append(after)
        return Group(*parts)

    def item_lines(self, item_id: str, width: int) -> tuple[int, int] | None:
        """Where an item is drawn `width` wide: its first line and the line after its last (hints included).

        Item rows are the lines that start with their mark, in report order, so the n-th item
        runs from the n-th marked line to the next one (or the end).
        """
        items = self.items
        index = next((n for n, item in enumerate(items) if item.id == item_id), None)
        if index is None or width <= 0:
            return None
        console = self.app.console
        lines = console.render_lines(self.render_checklist(), console.options.update_width(width), pad=False)
        marked = [n for n, line in enumerate(lines) if "".join(s.text for s in line)[:1] in ("✓", "✗")]
        if index >= len(marked):
            return None
        return marked[index], marked[index + 1] if index + 1 < len(marked) else len(lines)

    def _redraw(self) -> None:
        self.update(self.render_checklist())

    def watch_report(self) -> None:
        self._redraw()

    def watch_hints(self) -> None:
        self._redraw()

    def watch_next_title(self) -> None:
        self._redraw()
