"""The grading checklist: a mark per item, its evidence, and a hint for the ones that failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


def checklist_table(items: Sequence[Any]) -> Table:
    """`items` are `ItemResult`s: id, description, passed, evidence, hint. Wrapped lines stay under their item."""
    table = Table.grid(padding=(0, 1))
    table.add_column(width=1)
    table.add_column(ratio=1)
    for item in items:
        body = Text(item.description or item.id, "bold")
        body.append(f"\n{item.evidence}", "dim")
        if not item.passed and item.hint:
            body.append("\nhint: ", "italic yellow")
            body.append(item.hint, "italic")
        mark = Text("✓", "bold green") if item.passed else Text("✗", "bold red")
        table.add_row(mark, body)
    return table


class Checklist(Static):
    DEFAULT_CSS = "Checklist { padding: 0 1; } "

    items: reactive[tuple[Any, ...]] = reactive(tuple)
    """The last report's items; empty until the first run."""

    def watch_items(self, items: tuple[Any, ...]) -> None:
        if items:
            self.update(checklist_table(items))
        else:
            self.update(Text("Run and grade (ctrl+r) to see the checklist.", "dim"))
