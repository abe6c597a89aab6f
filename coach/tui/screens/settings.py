"""Coach settings: the theme and whether the coach may go online. Returns the new settings or None."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Label, Select, Switch

from coach.tui.settings import THEMES, AppSettings


class SettingsScreen(ModalScreen[AppSettings | None]):
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, settings: AppSettings) -> None:
        super().__init__()
        self.settings = settings

    def compose(self) -> ComposeResult:
        with Vertical(id="dialog"):
            yield Label("Coach settings", classes="title")
            with Horizontal(classes="row"):
                yield Label("Theme", classes="label")
                yield Select([(t, t) for t in THEMES], value=self.settings.theme, allow_blank=False, id="theme")
            with Horizontal(classes="row"):
                yield Label("Offline coach only", classes="label")
                yield Switch(self.settings.offline_coach, id="offline")
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", id="save")
                yield Button("Cancel", id="cancel")

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "save":
            self.dismiss(AppSettings(theme=str(self.query_one("#theme", Select).value),
                                     offline_coach=self.query_one("#offline", Switch).value))
        else:
            self.dismiss(None)

    def action_cancel(self) -> None:
        self.dismiss(None)
