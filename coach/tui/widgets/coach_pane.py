"""The coach beside the lesson or exercise: a conversation streamed in as Markdown.

Each reply gets one Markdown widget and one lazily created `MarkdownStream` (Toad's habit):
deltas are written to the stream, which batches them, instead of re-rendering the whole
reply per chunk. The worker that talks to the coach lives on the app and only posts
`CoachDeltaReceived` / `CoachReplyFinished` here.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.reactive import reactive
from textual.widgets import Input, Markdown, Static
from textual.widgets.markdown import MarkdownStream

from coach.tui.messages import CoachDeltaReceived, CoachReplyFinished, CoachStatusChanged
from coach.tui.tutor_link import CoachContext
from coach.tutor.reply import RESTART

if TYPE_CHECKING:
    from coach.tui.app import CoachApp, WorkerFailed


class CoachPane(Vertical):
    DEFAULT_CSS = """
    CoachPane { height: 1fr; }
    CoachPane #coach-status { height: 1; padding: 0 1; background: $boost; color: $text-muted; }
    CoachPane #coach-log { height: 1fr; padding: 0 1; }
    CoachPane .from-learner { color: $text-accent; margin: 1 0 0 0; }
    CoachPane Markdown { margin: 0; padding: 0; }
    CoachPane .coach-error { color: $text-error; }
    CoachPane #coach-input { dock: bottom; }
    """

    online: reactive[bool | None] = reactive(None, init=False)
    """None until the first reply says which coach answered."""
    tokens: reactive[int] = reactive(0, init=False)
    """Tokens this session has used, as the coach reports them."""
    cost_usd: reactive[float] = reactive(0.0, init=False)
    """What this session has cost so far, in US dollars."""
    busy: reactive[bool] = reactive(False, init=False)
    activity: reactive[str] = reactive("", init=False)
    """What the coach is doing during this reply (a retry, a restart); empty when just replying."""

    def __init__(self, context: Callable[[], CoachContext], **kwargs) -> None:
        super().__init__(**kwargs)
        self.context = context
        self._reply: Markdown | None = None
        self._stream: MarkdownStream | None = None
        self._reply_no = 0
        """The question being answered; messages about earlier ones are stale."""

    def compose(self) -> ComposeResult:
        yield Static(self._status_text(), id="coach-status")
        yield VerticalScroll(id="coach-log")
        yield Input(placeholder="Ask the coach…", id="coach-input")

    @property
    def log_view(self) -> VerticalScroll:
        return self.query_one("#coach-log", VerticalScroll)

    @property
    def app_(self) -> CoachApp:
        return self.app  # type: ignore[return-value]

    def on_mount(self) -> None:
        self.log_view.anchor()

    def toggle(self) -> None:
        """Open the pane and focus the question box; if it is open and focused already, close it."""
        box = self.query_one("#coach-input", Input)
        if self.display and box.has_focus:
            self.screen.remove_class("-coach-open")
            self.screen.add_class("-coach-closed")
            self.screen.focus_next()
        else:
            self.open()
            box.focus()

    def open(self) -> None:
        self.screen.add_class("-coach-open")
        self.screen.remove_class("-coach-closed")

    def on_input_submitted(self, event: Input.Submitted) -> None:
        text = event.value.strip()
        event.input.clear()
        if text:
            self.ask(text)

    def ask(self, message: str, shown: str | None = None, context: CoachContext | None = None) -> None:
        """Show the question, open an empty reply and start the coach worker."""
        self.open()
        if self._stream is not None:  # a newer question cuts the current reply short
            self.call_next(self._stream.stop)
            self._stream = None
        self._reply_no += 1
        log = self.log_view
        log.mount(Static(f"› {shown or message}", classes="from-learner", markup=False))
        self._reply = Markdown()
        log.mount(self._reply)
        self.busy = True
        self.app_.start_coach(message, context or self.context(), target=self, reply=self._reply_no)

    async def on_coach_delta_received(self, event: CoachDeltaReceived) -> None:
        if self._reply is None or event.reply != self._reply_no:
            return
        if event.text == RESTART:  # the stream broke and starts again: show the reply once, not twice
            stream, self._stream = self._stream, None
            if stream is not None:
                await stream.stop()
            await self._reply.update("")
            return
        if self._stream is None:
            self._stream = Markdown.get_stream(self._reply)
        await self._stream.write(event.text)

    def on_coach_status_changed(self, event: CoachStatusChanged) -> None:
        if event.reply == self._reply_no:
            self.activity = event.status

    async def on_coach_reply_finished(self, event: CoachReplyFinished) -> None:
        if event.reply != self._reply_no:
            return
        await self._finish()
        self.online, self.tokens, self.cost_usd = event.online, event.tokens, event.cost_usd

    async def on_worker_failed(self, event: WorkerFailed) -> None:
        await self._finish()
        await self.log_view.mount(Static(f"(the reply stopped: {event.reason})", classes="coach-error", markup=False))

    async def _finish(self) -> None:
        stream, self._stream = self._stream, None
        try:
            if stream is not None:
                await stream.stop()
        finally:
            self.busy = False
            self.activity = ""

    def watch_online(self) -> None:
        self._show_status()

    def watch_tokens(self) -> None:
        self._show_status()

    def watch_cost_usd(self) -> None:
        self._show_status()

    def watch_busy(self) -> None:
        self._show_status()

    def watch_activity(self) -> None:
        self._show_status()

    def _status_text(self) -> str:
        mode = {None: "coach", True: "coach · online", False: "coach · offline"}[self.online]
        state = (f" · {self.activity}…" if self.activity else " · replying…") if self.busy else ""
        return f"{mode}{state} · {self.tokens:,} tokens · ${self.cost_usd:.4f}"

    def _show_status(self) -> None:
        if self.is_mounted:
            self.query_one("#coach-status", Static).update(self._status_text())
