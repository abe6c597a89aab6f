"""The grading checklist: a mark per item, its evidence, and a hint for the ones that failed."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich.text import Text
from textual.reactive import reactive
from textual.widgets import Static


def checklist_text(items: Sequence[Any]) -> Text:
    """`items` are `ItemResult`s: id, description, passed, evidence, hint."""
    text = Text()
    for index, item in enumerate(items):
        if index:
            text.append("\n")
        if item.passed:
            text.append(" ✓ ", "bold green")
        else:
            text.append(" ✗ ", "bold red")
        text.append(item.description or item.id, "bold")
        text.append(f"\n   {item.evidence}", "dim")
        if not item.passed and item.hint:
            text.append("\n   hint: ", "italic yellow")
            text.append(item.hint, "italic")
    return text


class Checklist(Static):
    DEFAULT_CSS = "Checklist { padding: 0 1; }"

    items: reactive[tuple[Any, ...]] = reactive(tuple)
    """The last report's items; empty until the first run."""

    def watch_items(self, items: tuple[Any, ...]) -> None:
        if items:
            self.update(checklist_text(items))
        else:
            self.update(Text("Run and grade (ctrl+r) to see the checklist.", "dim"))
