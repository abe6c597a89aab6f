"""A conversation with the coach: Claude streamed when it can be, the offline coach when not.

This is the project's own production Claude integration, so it does what the lessons teach:
the SDK's retries (honouring retry-after) for 429, 529, 5xx and connection errors; timeouts
for a chat UI; a full restart after a broken stream, announced with `RESTART` so nothing is
shown twice; the static prompt cached; a cost cap checked before each request; `max_tokens`
per kind of turn; `stop_reason` read on every reply; one telemetry line per request with a
correlation id the API also sees; and a one-line explanation, never a traceback, when it fails.
"""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

from coach.curriculum import Curriculum, load_curriculum
from coach.curriculum.model import Discussion, Exercise, Lesson
from coach.progress import ProgressError, ProgressStore
from coach.tutor import prompts
from coach.tutor.budget import CostBudget, estimate_tokens
from coach.tutor.config import ConfigError, TutorConfig, load_config
from coach.tutor.offline import OfflineCoach, stream_pieces
from coach.tutor.reply import RESTART, CoachUnavailable, explain
from coach.tutor.telemetry import CORRELATION_HEADER, RequestRecord, Telemetry

log = logging.getLogger(__name__)
HISTORY_TURNS = 6
"""Earlier exchanges kept per lesson: enough for a conversation, bounded for cost."""


class _StreamBroke(Exception):
    """The stream ended without `message_stop`: a clean close the SDK does not raise for."""


class CoachSession:
    """One learner's session with the coach: `stream_reply` yields Markdown fragments (and `RESTART`)."""

    def __init__(self, offline: bool = False, *, config: TutorConfig | None = None,
                 curriculum: Curriculum | None = None, telemetry: Telemetry | None = None,
                 client: Any = None, progress: ProgressStore | None = None) -> None:
        self.notice: str | None = None
        if config is None:
            try:
                config = load_config()
            except ConfigError as exc:
                self.notice = f"config ignored: {exc}"
                config = load_config(read_file=False)
        self.config = config
        self.offline_reason: str | None = "offline mode" if offline else None
        if self.offline_reason is None and not config.api_key and client is None:
            self.offline_reason = "no ANTHROPIC_API_KEY"
        self.tokens = 0
        self.budget = CostBudget(config.soft_limit_usd, config.hard_cap_usd)
        self.telemetry = telemetry or Telemetry()
        self._curriculum = curriculum
        self._client = client
        self._histories: dict[str, list[dict[str, Any]]] = {}
        self._said: dict[tuple[str, str], list[str]] = {}
        """What the learner wrote in each discussion (lesson id, discussion id), for the judge."""
        self._progress = progress
        self.last_stop_reason: str | None = None
        self._offline = OfflineCoach()
        self.on_status: Callable[[str], None] | None = None
        """Told what the coach is doing between deltas: the SDK's retries and restarts of a broken stream,
        which are what the lessons teach, so the app shows them instead of a bare "replying…"."""
        self._last_error_status: int | None = None
        """Where each offline conversation is, so its replies move on one point at a time."""

    @property
    def online(self) -> bool:
        return self.offline_reason is None

    @property
    def cost_usd(self) -> float:
        return self.budget.spent_usd

    @property
    def curriculum(self) -> Curriculum:
        if self._curriculum is None:
            self._curriculum = load_curriculum()
        return self._curriculum

    async def stream_reply(self, message: str, context: Any) -> AsyncIterator[str]:
        lesson, exercise, discussion = self._resolve(context)
        report = getattr(context, "report", None)
        opening = bool(getattr(context, "opening", False))
        if not self.online:
            for piece in stream_pieces(self._offline.reply(message, lesson, exercise, discussion, report,
                                                     self.offline_reason, opening)):
                yield piece
            return
        kind = "review" if getattr(context, "code", None) or report is not None else "answer"
        max_tokens = self.config.max_tokens(kind)
        system = prompts.system_blocks(lesson)
        user = prompts.turn_text(message, exercise=exercise, discussion=discussion,
                                 code=getattr(context, "code", None), report=report)
        history = self._histories.setdefault(lesson.id if lesson else "", [])
        messages = [*history, {"role": "user", "content": user}]
        prompt_tokens = estimate_tokens(json.dumps(system) + json.dumps(messages))
        if not self.budget.allows(self.config.model, prompt_tokens, max_tokens):
            self.offline_reason = "cost cap reached"
            yield (f"**Cost cap reached:** this session has spent ${self.cost_usd:.4f} of its "
                   f"${self.config.hard_cap_usd:.2f} cap, and the next reply could cross it. The offline coach "
                   "answers from here.\n\n")
            for piece in stream_pieces(self._offline.reply(message, lesson, exercise, discussion, report,
                                                     self.offline_reason, opening)):
                yield piece
            return
        parts: list[str] = []
        try:
            async for piece in self._stream(kind, system, messages, max_tokens):
                if piece == RESTART:
                    parts.clear()
                else:
                    parts.append(piece)
                yield piece
        except CoachUnavailable as failure:
            if failure.lasting:
                self.offline_reason = failure.error_class
            yield f"\n\n**{failure.message}**\n\n"
            for piece in stream_pieces(self._offline.reply(message, lesson, exercise, discussion, report,
                                                     "the API failed", opening)):
                yield piece
            return
        text = "".join(parts)
        if text:
            history += [{"role": "user", "content": user}, {"role": "assistant", "content": text}]
            del history[:-2 * HISTORY_TURNS]
        ending = self._ending(self.last_stop_reason, bool(text), max_tokens)
        if ending:
            yield ending
        if lesson is not None and discussion is not None and not getattr(context, "opening", False):
            yield await self._judge(lesson, discussion, message)
        if self.budget.soft_limit_newly_crossed():
            log.warning("coach session cost $%.4f is past the soft limit of $%.2f (hard cap $%.2f)",
                        self.cost_usd, self.config.soft_limit_usd, self.config.hard_cap_usd)
            yield (f"\n\n_This session has cost ${self.cost_usd:.4f}, past the soft limit of "
                   f"${self.config.soft_limit_usd:.2f}; it stops at ${self.config.hard_cap_usd:.2f}._")

    async def _judge(self, lesson: Lesson, discussion: Discussion, message: str) -> str:
        """Judge the learner's own messages in this discussion so far; record and report the points reached."""
        from coach.tutor.discussion import judge_points

        said = self._said.setdefault((lesson.id, discussion.id), [])
        said.append(message)
        reached = await judge_points(self, discussion, said)
        store = self._progress or ProgressStore()
        try:
            progress = store.record_discussion(lesson.id, discussion.id, reached,
                                               done=len(reached) == len(discussion.points))
        except ProgressError as exc:
            return f"\n\n_(Discussion progress not saved: {exc})_"
        kept = progress.discussion(lesson.id, discussion.id)
        if kept.done:
            return f"\n\n_Discussion done: you reached all {len(discussion.points)} points._"
        return f"\n\n_Discussion: {len(kept.points)} of {len(discussion.points)} points reached so far._"

    @staticmethod
    def _ending(stop_reason: str | None, any_text: bool, max_tokens: int) -> str | None:
        if stop_reason == "max_tokens":
            return f"\n\n_(The reply was cut at {max_tokens} tokens. Say “continue” for the rest.)_"
        if stop_reason == "refusal":
            return "\n\n_The coach declined to answer this (a refusal). Try asking about the lesson another way._"
        if not any_text:
            return "_The coach sent back an empty reply. Ask again, or rephrase the question._"
        return None

    def _resolve(self, context: Any) -> tuple[Lesson | None, Exercise | None, Discussion | None]:
        exercise = self.curriculum.exercise(context.exercise_id) if getattr(context, "exercise_id", None) else None
        lesson_id = getattr(context, "lesson_id", None) or (exercise.lesson_id if exercise else None)
        lesson = self.curriculum.lesson(lesson_id) if lesson_id else None
        discussion = None
        if lesson is not None and getattr(context, "discussion_id", None):
            discussion = next((d for d in lesson.discussions if d.id == context.discussion_id), None)
        return lesson, exercise, discussion

    async def aclose(self) -> None:
        """Close the HTTP client on the loop that used it."""
        if self._client is not None and hasattr(self._client, "close"):
            await self._client.close()
        self._client = None

    def client(self) -> Any:
        """The SDK client, built on first use: chat-UI timeouts, the SDK's retries."""
        if self._client is None:
            import anthropic
            import httpx2

            timeout = httpx2.Timeout(self.config.read_timeout_s, connect=self.config.connect_timeout_s)
            self._client = anthropic.AsyncAnthropic(
                api_key=self.config.api_key,
                base_url=self.config.base_url,
                max_retries=self.config.max_retries,
                timeout=timeout,
                # The hooks see every attempt the SDK makes, its own retries included.
                http_client=anthropic.DefaultAsyncHttpxClient(
                    timeout=timeout, event_hooks={"request": [self._saw_request], "response": [self._saw_response]}),
            )
        return self._client

    def _say(self, status: str) -> None:
        if self.on_status is not None:
            self.on_status(status)

    async def _saw_request(self, request: Any) -> None:
        """The SDK numbers its retries in x-stainless-retry-count (0 for the first attempt)."""
        try:
            retry = int(request.headers.get("x-stainless-retry-count") or 0)
        except ValueError:
            return
        if retry:
            after = f" after a {self._last_error_status}" if self._last_error_status else ""
            self._say(f"retry {retry} of {self.config.max_retries}{after}")

    async def _saw_response(self, response: Any) -> None:
        self._last_error_status = response.status_code if response.status_code >= 400 else None

    async def _stream(self, kind: str, system: list[dict[str, Any]], messages: list[dict[str, Any]],
                      max_tokens: int) -> AsyncIterator[str]:
        """Text deltas of one reply; `RESTART` before starting again after a broken stream."""
        restarts = 0
        client = self.client()  # built (and the SDK imported) before the clock starts
        while True:
            record = RequestRecord(correlation_id=uuid.uuid4().hex, kind=kind, model=self.config.model,
                                   restarts=restarts)
            started = time.monotonic()
            shown = False
            opened: Any = None
            try:
                async with client.messages.stream(
                    model=self.config.model, max_tokens=max_tokens, system=system, messages=messages,
                    extra_headers={CORRELATION_HEADER: record.correlation_id},
                ) as stream:
                    opened = stream
                    record.request_id = stream.response.headers.get("request-id")
                    async for text in stream.text_stream:
                        if record.ttft_s is None:
                            record.ttft_s = round(time.monotonic() - started, 4)
                        shown = True
                        yield text
                    final = await stream.get_final_message()
                if final.stop_reason is None:
                    raise _StreamBroke("the stream closed before message_stop")
            except Exception as error:  # every failure is classified, recorded and explained
                record.latency_s = round(time.monotonic() - started, 4)
                record.error_class = type(error).__name__
                record.error = str(error)[:300]
                self._account_broken(record, opened)
                if _restartable(error) and restarts < self.config.stream_restarts:
                    restarts += 1
                    self._say(f"the stream broke ({record.error_class}); starting the reply again")
                    if shown:
                        yield RESTART
                    continue
                if isinstance(error, _StreamBroke):
                    raise CoachUnavailable("The reply stream broke and could not be restarted. The offline "
                                           "coach answers this one.", record.error_class) from error
                raise explain(error, self.config.max_retries) from error
            record.latency_s = round(time.monotonic() - started, 4)
            self._account(record, final)
            return

    def _account_broken(self, record: RequestRecord, stream: Any) -> None:
        """A broken stream was still billed for what it sent: count it against the cap too."""
        snapshot = None
        if stream is not None:
            try:
                snapshot = stream.current_message_snapshot
            except Exception:  # nothing arrived: nothing billed
                snapshot = None
        if snapshot is not None:
            self.add_usage(record, snapshot.usage)
        self.telemetry.write(record)

    def _account(self, record: RequestRecord, final: Any) -> None:
        self.add_usage(record, final.usage)
        record.stop_reason = final.stop_reason
        self.last_stop_reason = final.stop_reason
        self.telemetry.write(record)

    def add_usage(self, record: RequestRecord, usage: Any) -> None:
        """Count a response's usage in the record, the session's tokens and the budget."""
        record.input_tokens = usage.input_tokens
        record.output_tokens = usage.output_tokens
        record.cache_read_input_tokens = usage.cache_read_input_tokens or 0
        record.cache_creation_input_tokens = usage.cache_creation_input_tokens or 0
        record.cost_usd = round(self.budget.record(usage, self.config.model), 6)
        self.tokens += (usage.input_tokens + usage.output_tokens + record.cache_read_input_tokens
                        + record.cache_creation_input_tokens)


def _restartable(error: BaseException) -> bool:
    """A stream that broke after it started: an `event: error`, a reset, a stall or a clean close."""
    import anthropic

    if isinstance(error, _StreamBroke):
        return True
    if isinstance(error, anthropic.APIStatusError):
        return error.status_code == 200  # an error event inside a 200 stream, which the SDK never retries
    return type(error).__module__.split(".")[0] in ("httpx", "httpx2", "httpcore", "httpcore2")
