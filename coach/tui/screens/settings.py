"""Settings: the theme and coach mode (app.toml) and the coach's model and cost caps (coach.toml).

Returns what the learner chose, or None when they cancelled.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Select, Static, Switch

from coach.tui.settings import THEMES, AppSettings, CoachFileSettings, check_coach_settings


@dataclass(frozen=True)
class SettingsChosen:
    app: AppSettings
    coach: CoachFileSettings


class SettingsScreen(ModalScreen[SettingsChosen | None]):
    CSS_PATH = "settings.tcss"
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel", id="cancel", tooltip="Close without changing anything"),
    ]

    def __init__(self, settings: AppSettings, coach: CoachFileSettings, problem: str | None = None) -> None:
        super().__init__()
        self.settings = settings
        self.coach = coach
        self.problem = problem

    def compose(self) -> ComposeResult:
        # The dialog scrolls but takes no focus: Tab goes from field to field, starting at the first.
        with VerticalScroll(id="dialog", can_focus=False):
            yield Label("Settings", classes="title")
            yield Label("The app (app.toml)", classes="muted")
            with Horizontal(classes="row"):
                yield Label("Theme", classes="label")
                yield Select([(t, t) for t in THEMES], value=self.settings.theme, allow_blank=False, compact=True,
                             id="theme")
            with Horizontal(classes="row"):
                yield Label("Offline coach only", classes="label")
                yield Switch(self.settings.offline_coach, id="offline")
            yield Label("The coach (coach.toml, [coach])", classes="muted", markup=False)
            with Horizontal(classes="row"):
                yield Label("Model", classes="label")
                yield Input(self.coach.model, compact=True, id="model")
            with Horizontal(classes="row"):
                yield Label("Warn past (USD)", classes="label")
                yield Input(f"{self.coach.soft_limit_usd:.2f}", type="number", compact=True, id="soft-limit")
            with Horizontal(classes="row"):
                yield Label("Never cross (USD)", classes="label")
                yield Input(f"{self.coach.hard_cap_usd:.2f}", type="number", compact=True, id="hard-cap")
            yield Static(self.problem or "", id="settings-problem", classes="error-text", markup=False)
            with Horizontal(id="buttons"):
                yield Button("Save", variant="primary", compact=True, id="save")
                yield Button("Cancel", compact=True, id="cancel")

    def on_mount(self) -> None:
        self.query_one("#theme", Select).focus()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id != "save":
            self.dismiss(None)
            return
        self._save()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in a field saves, so the keyboard never has to travel to the Save button."""
        self._save()

    def _save(self) -> None:
        try:
            coach = CoachFileSettings(model=self.query_one("#model", Input).value.strip(),
                                      soft_limit_usd=float(self.query_one("#soft-limit", Input).value),
                                      hard_cap_usd=float(self.query_one("#hard-cap", Input).value))
        except ValueError:
            self.query_one("#settings-problem", Static).update("the cost limits must be numbers, e.g. 0.50")
            return
        if problem := check_coach_settings(coach):
            self.query_one("#settings-problem", Static).update(problem)
            return
        self.dismiss(SettingsChosen(AppSettings(theme=str(self.query_one("#theme", Select).value),
                                                offline_coach=self.query_one("#offline", Switch).value), coach))

    def action_cancel(self) -> None:
        self.dismiss(None)
