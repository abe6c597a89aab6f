"""The stub's HTTP side: the Messages API on one listener, the journal on another.

The API listener is what learner code reaches; the admin listener (journal as JSON lines)
is on a separate port the sandbox never exposes, so learner code cannot read or reset the
evidence it is graded on. Everything time-related reads the scenario clock.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import random
import secrets
import socket
from collections.abc import Callable
from typing import Any

from aiohttp import web
from pydantic_core import to_json  # compact UTF-8 JSON, about four times faster than json.dumps on every answer

from coach.catalogue import Model
from coach.clock import ScenarioClock
from coach.scenario_time import VirtualClock
from coach.stub import model_rules, models_endpoint, tools, validation
from coach.stub.answer import Answer, compose
from coach.stub.answer import Request as AnswerRequest
from coach.stub.batches import Batches
from coach.stub.cache import DEFAULT_MIN_CACHEABLE_TOKENS, CacheOutcome, PromptCache
from coach.stub.faults import FaultPlan, RequestFacts
from coach.stub.journal import Journal, JournalEntry
from coach.stub.keys import key_fingerprint
from coach.stub.model_rules import ThinkingPlan
from coach.stub.ratelimit import RateLimiter, model_class
from coach.stub.request import ParsedRequest, Rejected, parse_request
from coach.stub.scenario import DEFAULT_MESSAGES, ERROR_TYPES, Fault, Scenario
from coach.stub.schema_instance import instance_of
from coach.stub.signatures import ThinkingSigner
from coach.stub.threads import Threads

log = logging.getLogger("coach.stub")

ORGANIZATION_ID = "0c0ac0ac-0000-4000-8000-00000000c0ac"
STALL_DEFAULT_S = 3600.0
JOURNALED_HEADERS = ("retry-after", "x-should-retry", "request-id")
_ID_ALPHABET = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"


def _sse(event: str, data: dict[str, Any]) -> bytes:
    return b"event: " + event.encode() + b"\ndata: " + to_json(data) + b"\n\n"


def _client_ids(request: web.Request) -> dict[str, str]:
    ids = {}
    for name, value in request.headers.items():
        lower = name.lower()
        if lower.startswith("x-") and (lower.endswith("-id") or lower == "x-correlation-id") \
                and not lower.startswith("x-stainless"):
            ids[lower] = value
    return ids


def _float_or_none(value: str | None) -> float | None:
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


class StubServer:
    def __init__(self, scenario: Scenario, clock: ScenarioClock | VirtualClock, journal: Journal) -> None:
        self.scenario = scenario
        self.clock = clock
        self.journal = journal
        self.limiter = RateLimiter(scenario.limits)
        self.cache = PromptCache()
        self.plan = FaultPlan(scenario)
        self.base_url: str | None = None
        self.admin_url: str | None = None
        self._messages_seen = 0
        self._id_counter = 0
        if isinstance(clock, VirtualClock):
            # A grade replays exactly: the ids and thinking signatures its program sees (and may log) are
            # the same in every run of the scenario. Only the stub's own program is on this clock.
            seed = hashlib.sha256(f"coach-grade:{scenario.name}".encode()).digest()
            stems = random.Random(seed)
            self._id_stem = "".join(stems.choice(_ID_ALPHABET) for _ in range(24))
            self.signer = ThinkingSigner(hashlib.sha256(seed + b":thinking").digest())
        else:
            # random per server: real request and message ids never repeat, across runs too
            self._id_stem = "".join(secrets.choice(_ID_ALPHABET) for _ in range(24))
            self.signer = ThinkingSigner()  # keyed per server: only its own thinking blocks verify when sent back
        self.models = model_rules.ServedModels()
        self.threads = Threads()
        self.batches = Batches(scenario, clock, self._next_id, self._batch_message)
        validation.validator("messages")  # load (or build once) the request schemas before the first request
        self._runner: web.AppRunner | None = None
        self._admin_runner: web.AppRunner | None = None

    # ---- lifecycle -------------------------------------------------------------------------

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Serve the API on host:port (0 picks a free port) and the admin listener beside it; returns the base URL."""
        app = web.Application(client_max_size=self.scenario.max_body_bytes + 1)
        app.router.add_post("/v1/messages", self._messages)
        app.router.add_post("/v1/messages/count_tokens", self._count_tokens)
        app.router.add_post("/v1/messages/batches", self._batch_create)
        app.router.add_get("/v1/messages/batches", self._batch_list)
        app.router.add_get("/v1/messages/batches/{batch_id}", self._batch_retrieve)
        app.router.add_delete("/v1/messages/batches/{batch_id}", self._batch_delete)
        app.router.add_post("/v1/messages/batches/{batch_id}/cancel", self._batch_cancel)
        app.router.add_get("/v1/messages/batches/{batch_id}/results", self._batch_results)
        app.router.add_get("/v1/models", self._models_list)
        app.router.add_get("/v1/models/{model_id}", self._models_retrieve)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        # handler_cancellation: a client that hangs up ends its request then (the journal's end), even while
        # the stub is still pacing the answer
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.2, handler_cancellation=True)
        await self._runner.setup()
        site = web.TCPSite(self._runner, host, port)
        await site.start()
        self.base_url = _url_of(site, host)

        admin = web.Application()
        admin.router.add_get("/journal", self._journal)
        admin.router.add_get("/", self._journal)
        self._admin_runner = web.AppRunner(admin, access_log=None, shutdown_timeout=0.2)
        await self._admin_runner.setup()
        admin_site = web.TCPSite(self._admin_runner, "127.0.0.1", 0)
        await admin_site.start()
        self.admin_url = _url_of(admin_site, "127.0.0.1")
        return self.base_url

    async def adopt_socket(self, sock: socket.socket) -> None:
        """Also serve the API on an already-listening socket (one the sandbox bound in its namespace)."""
        if self._runner is None:
            raise RuntimeError("start() the server before adopting sockets")
        site = web.SockSite(self._runner, sock)
        await site.start()

    async def stop(self) -> None:
        self.batches.close()
        for runner in (self._runner, self._admin_runner):
            if runner is not None:
                await runner.cleanup()
        self._runner = self._admin_runner = None

    # ---- admin -----------------------------------------------------------------------------

    async def _journal(self, request: web.Request) -> web.Response:
        try:
            since = int(request.query.get("since", "0"))
        except ValueError:
            return web.Response(status=400, text="since must be an integer\n")
        return web.Response(text=self.journal.to_jsonl(max(since, 0)), content_type="application/x-ndjson")

    # ---- helpers ---------------------------------------------------------------------------

    def _next_id(self, prefix: str) -> str:
        """Ids shaped like the API's (24 characters after the prefix): a random stem per server, then a counter."""
        self._id_counter += 1
        number, chars = self._id_counter, []
        while number:
            number, rest = divmod(number, len(_ID_ALPHABET))
            chars.append(_ID_ALPHABET[rest])
        counter = "".join(reversed(chars))
        return prefix + self._id_stem[: 24 - len(counter)] + counter

    def _base_headers(self, request_id: str) -> dict[str, str]:
        return {"request-id": request_id, "anthropic-organization-id": ORGANIZATION_ID}

    def _error(self, entry: JournalEntry, status: int, error_type: str, message: str,
               headers: dict[str, str] | None = None, details: dict[str, Any] | None = None) -> web.Response:
        request_id = self._next_id("req_")
        all_headers = {**self._base_headers(request_id), **(headers or {})}
        error = {"type": error_type, "message": message, **({"details": details} if details else {})}
        body = {"type": "error", "error": error, "request_id": request_id}
        return self._finish_error(entry, status, error_type, body, all_headers)

    def _finish_error(self, entry: JournalEntry, status: int, error_type: str, body: dict[str, Any],
                      headers: dict[str, str]) -> web.Response:
        entry.status = status
        entry.error_type = error_type
        entry.response_headers = _journaled(headers)
        return web.Response(status=status, body=json.dumps(body).encode(), headers=headers,
                            content_type="application/json")

    def _open(self, request: web.Request) -> JournalEntry:
        entry = self.journal.open_entry(request.method, request.path, self.clock.now())
        entry.retry_count = _int_or_none(request.headers.get("x-stainless-retry-count"))
        entry.client_ids = _client_ids(request)
        # the per-request timeout when the SDK sends one, else the client's read timeout
        entry.timeout_s = _float_or_none(request.headers.get("x-stainless-timeout")) \
            or _float_or_none(request.headers.get("x-stainless-read-timeout"))
        entry.client_async = request.headers.get("x-stainless-async")
        return entry

    async def _read_json(self, request: web.Request, entry: JournalEntry, kind: str) -> tuple[Any] | web.Response:
        """(body,) or the error response: auth first, then size, content type, then the body checked against the
        SDK's params for `kind` (validation.py). The key is kept as a fingerprint only."""
        refused = self._check_key(request, entry)
        if refused is not None:
            return refused
        too_large = (413, "request_too_large", DEFAULT_MESSAGES["request_too_large"])
        if request.content_length is not None and request.content_length > self.scenario.max_body_bytes:
            return self._error(entry, *too_large)
        given = request.headers.get("content-type")
        # the exact common value needs no parsing; anything else goes through aiohttp's parser
        wrong_type = None if given == "application/json" else validation.reject_content_type(
            request.content_type if given is not None else "")
        if wrong_type is not None:
            return self._error(entry, wrong_type.status, wrong_type.error_type, wrong_type.message)
        try:
            raw = await request.read()
        except web.HTTPRequestEntityTooLarge:
            return self._error(entry, *too_large)
        try:
            return (validation.parse_body(raw, kind),)
        except Rejected as exc:
            return self._error(entry, exc.status, exc.error_type, exc.message, details=exc.details)

    def _check_key(self, request: web.Request, entry: JournalEntry) -> web.Response | None:
        key = request.headers.get("x-api-key", "")
        if not key:
            auth = request.headers.get("authorization", "")
            if auth.lower().startswith("bearer "):
                key = auth[7:].strip()
        if not key:
            return self._error(entry, 401, "authentication_error", "x-api-key header is required")
        entry.key_fingerprint = key_fingerprint(key)
        return None

    async def _json_endpoint(self, request: web.Request, work: Any, kind: str | None = None,
                             journaled: Callable[[Any], dict[str, Any]] | None = None) -> web.Response:
        """A plain JSON endpoint (models, batches): key check, the body if `kind` names one, then `work`;
        `journaled(answer)` is what the journal keeps of a call that succeeded."""
        entry = self._open(request)
        try:
            if kind is not None:
                read = await self._read_json(request, entry, kind)
                if isinstance(read, web.Response):
                    return read
                args: tuple[Any, ...] = read
            else:
                refused = self._check_key(request, entry)
                if refused is not None:
                    return refused
                args = ()
            try:
                answer = work(*args)
            except Rejected as exc:
                return self._error(entry, exc.status, exc.error_type, exc.message, details=exc.details)
            headers = self._base_headers(self._next_id("req_"))
            entry.status = 200
            entry.response_headers = _journaled(headers)
            if journaled is not None:
                entry.batch = journaled(answer)
            if isinstance(answer, web.Response):
                answer.headers.update(headers)
                return answer
            return web.Response(body=json.dumps(answer).encode(), headers=headers, content_type="application/json")
        finally:
            self.journal.close_entry(entry, self.clock.now())

    # ---- endpoints -------------------------------------------------------------------------

    async def _models_list(self, request: web.Request) -> web.Response:
        return await self._json_endpoint(request, lambda: models_endpoint.list_page(self.models.table, request.query))

    async def _models_retrieve(self, request: web.Request) -> web.Response:
        model_id = request.match_info["model_id"]
        return await self._json_endpoint(request, lambda: models_endpoint.retrieve(self.models.table, model_id))

    async def _batch_create(self, request: web.Request) -> web.Response:
        origin = _origin(request)
        return await self._json_endpoint(request, lambda body: self.batches.create(body, origin), "batch_create",
                                         lambda answer: self.batches.journal_create(answer["id"]))

    async def _batch_list(self, request: web.Request) -> web.Response:
        return await self._json_endpoint(request, lambda: self.batches.list_page(request.query, _origin(request)))

    async def _batch_retrieve(self, request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]
        return await self._json_endpoint(request, lambda: self.batches.retrieve(batch_id, _origin(request)),
                                         journaled=lambda _answer: self.batches.journal_status(batch_id))

    async def _batch_cancel(self, request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]
        return await self._json_endpoint(request, lambda: self.batches.cancel(batch_id, _origin(request)),
                                         journaled=lambda _answer: self.batches.journal_status(batch_id))

    async def _batch_delete(self, request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]
        return await self._json_endpoint(request, lambda: self.batches.delete(batch_id))

    async def _batch_results(self, request: web.Request) -> web.Response:
        batch_id = request.match_info["batch_id"]

        def results() -> web.Response:
            lines = "".join(json.dumps(line, separators=(",", ":")) + "\n" for line in self.batches.results(batch_id))
            return web.Response(body=lines.encode(), content_type="application/binary")
        return await self._json_endpoint(request, results,
                                         journaled=lambda _answer: self.batches.journal_results(batch_id))

    def _checked(self, body: dict[str, Any]) -> tuple[Model, ThinkingPlan, ParsedRequest]:
        """The API's rules beyond the body's shape: the model and what it accepts, tools and tool turns."""
        row = self.models.row(body["model"])
        model_rules.check_max_tokens(row, body["max_tokens"], body["model"])
        model_rules.check_sampling(row, body)
        tools.check_tools(body)
        thinking = model_rules.thinking_plan(row, body)
        parsed = parse_request(body)
        tools.check_tool_turns(body["messages"])
        self.signer.check_messages(body["messages"])
        return row, thinking, parsed

    def _batch_message(self, body: dict[str, Any]) -> dict[str, Any]:
        """One batch request's Message, made by the same rules and answer as /v1/messages (no faults, no rate
        limits, no prompt cache: a batch has its own)."""
        _row, thinking, parsed = self._checked(body)
        answer = self._answer(parsed, None, body, thinking)
        usage = _usage(parsed, CacheOutcome(0, 0, None, None), answer.output_tokens)
        usage["service_tier"] = "batch"
        return self._message(parsed, answer, usage, stopped=True)

    async def _not_found(self, request: web.Request) -> web.Response:
        entry = self._open(request)
        try:
            return self._error(entry, 404, "not_found_error", "Not Found")
        finally:
            self.journal.close_entry(entry, self.clock.now())

    async def _count_tokens(self, request: web.Request) -> web.Response:
        entry = self._open(request)
        try:
            read = await self._read_json(request, entry, "count_tokens")
            if isinstance(read, web.Response):
                return read
            try:
                self.models.row(read[0]["model"])
                tools.check_tools(read[0])
                parsed = parse_request(read[0], count_only=True)
            except Rejected as exc:
                _summarise_refused(entry, read[0], count_only=True)
                return self._error(entry, exc.status, exc.error_type, exc.message, details=exc.details)
            _summarise(entry, parsed)
            headers = self._base_headers(self._next_id("req_"))
            entry.status = 200
            entry.response_headers = _journaled(headers)
            return web.json_response({"input_tokens": parsed.input_tokens}, headers=headers)
        finally:
            self.journal.close_entry(entry, self.clock.now())

    async def _messages(self, request: web.Request) -> web.StreamResponse:
        entry = self._open(request)
        try:
            return await self._answer_messages(request, entry)
        except ConnectionError:
            # the client hung up (a cancelled task, a timeout) before the answer went out: not a stub failure
            entry.client_closed = True
            return web.Response(status=499)  # never delivered; aiohttp drops it on the closed transport
        except asyncio.CancelledError:
            entry.client_closed = True  # aiohttp cancels the handler of a client that hung up
            raise
        except Exception:
            # a bug in the stub must still look like the API: an api_error body, or a cut stream
            log.exception("stub failed on request %d", entry.seq)
            if entry.events_sent:
                return _abort(request, web.StreamResponse())
            return self._error(entry, 500, "api_error", "Internal server error")
        finally:
            self.journal.close_entry(entry, self.clock.now())

    async def _answer_messages(self, request: web.Request, entry: JournalEntry) -> web.StreamResponse:
        read = await self._read_json(request, entry, "messages")
        if isinstance(read, web.Response):
            return read
        fingerprint = entry.key_fingerprint or ""
        body = read[0]
        try:
            body["messages"] = self.threads.messages_of(body)
            row, thinking, parsed = self._checked(body)
        except Rejected as exc:
            _summarise_refused(entry, body)
            return self._error(entry, exc.status, exc.error_type, exc.message, details=exc.details)
        _summarise(entry, parsed)

        self._messages_seen += 1
        fault = self.plan.choose(RequestFacts(self._messages_seen, entry.retry_count, fingerprint, parsed.stream,
                                                     entry.prompt or ""))
        bucket = f"{fingerprint}:{model_class(parsed.model)}"  # the API limits each key per model class
        if fault is not None:
            entry.fault = fault.name
            if fault.kind == "latency":
                await self.clock.asleep(fault.seconds or 0.0)
            elif fault.kind in ("status", "spend-cap"):
                return self._fault_error(entry, fault, bucket)
            elif fault.kind == "stall" and not parsed.stream:
                await self._stall(request, fault)
                return _abort(request, web.Response())

        now = self.clock.now()
        minimum = self.scenario.response.min_cacheable_tokens or row.cache_minimum or DEFAULT_MIN_CACHEABLE_TOKENS
        outcome = self.cache.lookup(parsed.breakpoints, minimum, now)
        # the input-tokens bucket counts input + cache creation, not cache reads
        verdict = self.limiter.check_and_take(bucket, parsed.input_tokens - outcome.read_tokens, now)
        if not verdict.allowed:
            headers = {**self._base_headers(self._next_id("req_")),
                       **self.limiter.headers(bucket, now, self.clock.wall_time()),
                       "retry-after": str(verdict.retry_after)}
            request_id = headers["request-id"]
            body = {"type": "error", "error": {"type": "rate_limit_error", "message": _limit_message(verdict.which)},
                    "request_id": request_id}
            return self._finish_error(entry, 429, "rate_limit_error", body, headers)

        answer = self._answer(parsed, fault, body, thinking)
        usage = _usage(parsed, outcome, answer.output_tokens)
        message_id = self._next_id("msg_")
        if body.get("thread"):
            self.threads.hold(body, body["messages"], message_id, answer.content())
        if parsed.stream:
            return await self._stream(request, entry, parsed, outcome, answer, usage, bucket, fault, message_id)

        pacing = self.scenario.response
        if pacing.ttft > 0:
            await self.clock.asleep(pacing.ttft)
        self.cache.store(outcome, self.clock.now())
        if pacing.tokens_per_second > 0:
            await self.clock.asleep(len(answer.pieces) / pacing.tokens_per_second)
        now = self.clock.now()
        request_id = self._next_id("req_")
        limit_headers = self.limiter.take_output_then_headers(bucket, answer.output_tokens, now, self.clock.wall_time())
        headers = {"request-id": request_id, "anthropic-organization-id": ORGANIZATION_ID, **limit_headers}
        message = self._message(parsed, answer, usage, stopped=True, message_id=message_id)
        entry.status = 200
        entry.stop_reason = answer.stop_reason
        entry.usage = usage
        entry.response_headers = {"request-id": request_id, **limit_headers}  # what _journaled keeps of these
        return web.Response(body=to_json(message), headers=headers, content_type="application/json")

    def _fault_error(self, entry: JournalEntry, fault: Fault, bucket: str) -> web.Response:
        status = fault.status or 500
        error_type = fault.error_type
        request_id = self._next_id("req_")
        headers = self._base_headers(request_id)
        if status == 429:
            headers.update(self.limiter.headers(bucket, self.clock.now(), self.clock.wall_time()))
        if fault.retry_after is not None:
            headers["retry-after"] = str(fault.retry_after)
        if fault.should_retry is not None:
            headers["x-should-retry"] = "true" if fault.should_retry else "false"
        error: dict[str, Any] = {"type": error_type}
        if fault.kind == "spend-cap":
            error["message"] = fault.message or ("You have reached your specified workspace API usage limits. "
                                                 "You will regain access on the first day of next month.")
            error["details"] = {"error_code": "enforced_spend_limit_reached"}
        else:
            error["message"] = fault.message or DEFAULT_MESSAGES.get(error_type, "Error")
        body = {"type": "error", "error": error, "request_id": request_id}
        return self._finish_error(entry, status, error_type, body, headers)

    async def _stall(self, request: web.Request, fault: Fault) -> None:
        """Say nothing for `seconds` (scenario time); a client that hangs up cancels this handler."""
        await self.clock.asleep(fault.seconds if fault.seconds is not None else STALL_DEFAULT_S)

    def _answer(self, parsed: ParsedRequest, fault: Fault | None, body: dict[str, Any],
                thinking: ThinkingPlan) -> Answer:
        assert parsed.max_tokens is not None
        scripted = self.scenario.turn(tools.assistant_turns(body["messages"]))
        text = scripted.text if scripted is not None and scripted.text is not None else self.scenario.response.text
        output_format = (body.get("output_config") or {}).get("format")
        if text is None and output_format:
            text = json.dumps(instance_of(output_format["schema"]))
        request = AnswerRequest(
            seed=f"{self.scenario.seed}:{parsed.answer_seed}", max_tokens=parsed.max_tokens,
            stop_sequences=parsed.stop_sequences, thinking=thinking, calls=tools.planned_calls(body, scripted),
            text=text, wanted_tokens=self.scenario.response.output_tokens,
            thinking_tokens=self.scenario.thinking_tokens)
        # a refusal strikes after `after_deltas` text deltas: the text those deltas carry, streamed or not
        refusal_after = fault.after_deltas * max(1, self.scenario.response.tokens_per_delta) \
            if fault is not None and fault.kind == "refusal" else None
        return compose(request, lambda: self._next_id("toolu_"), self.signer.sign, refusal_after)

    def _message(self, parsed: ParsedRequest, answer: Answer, usage: dict[str, Any], *, stopped: bool,
                 message_id: str | None = None) -> dict[str, Any]:
        return {
            "id": message_id or self._next_id("msg_"),
            "type": "message",
            "role": "assistant",
            "model": parsed.model,
            "content": answer.content() if stopped else [],
            "stop_reason": answer.stop_reason if stopped else None,
            "stop_sequence": answer.stop_sequence if stopped else None,
            **({"stop_details": answer.stop_details} if stopped and answer.stop_details else {}),
            "usage": usage,
        }

    async def _stream(self, request: web.Request, entry: JournalEntry, parsed: ParsedRequest, outcome: CacheOutcome,
                      answer: Answer, usage: dict[str, Any], bucket: str, fault: Fault | None,
                      message_id: str) -> web.StreamResponse:
        headers = {**self._base_headers(self._next_id("req_")),
                   **self.limiter.headers(bucket, self.clock.now(), self.clock.wall_time()),
                   "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache"}
        response = web.StreamResponse(status=200, headers=headers)
        entry.status = 200
        entry.response_headers = _journaled(headers)
        start_usage = {**usage, "output_tokens": 1}
        buffer: list[bytes] = []
        tokens_sent = 0  # output tokens the deltas so far carried (thinking, text, tool input)

        def emit(event: str, data: dict[str, Any]) -> None:
            buffer.append(_sse(event, data))
            entry.events_sent += 1

        async def flush() -> None:
            if buffer:
                await response.write(b"".join(buffer))
                buffer.clear()

        cut_after = fault.after_deltas if fault is not None and fault.kind in (
            "stream-error", "stream-reset", "stream-clean-close", "stall") else None
        ping_every = fault.after_deltas if fault is not None and fault.kind == "pings" else None
        try:
            await response.prepare(request)
            emit("message_start", {"type": "message_start",
                                   "message": self._message(parsed, answer, start_usage, stopped=False,
                                                            message_id=message_id)})
            if answer.blocks:
                emit("content_block_start", {"type": "content_block_start", "index": 0,
                                             "content_block": answer.blocks[0].start()})
            emit("ping", {"type": "ping"})
            pacing = self.scenario.response
            if pacing.ttft > 0:
                await flush()
                await self.clock.asleep(pacing.ttft)
            self.cache.store(outcome, self.clock.now())
            first = self.clock.now()
            # a delta goes out once the tokens of the deltas before it have had their time at tokens_per_second
            paced = 0  # pacing units so far: a thinking or text token, a piece of tool JSON, a signature
            deltas = [block.deltas(pacing.tokens_per_delta) for block in answer.blocks]
            left = sum(len(block_deltas) for block_deltas in deltas)
            cut = False  # a fault stopped the deltas
            for index, block in enumerate(answer.blocks):
                if index > 0:
                    emit("content_block_start", {"type": "content_block_start", "index": index,
                                                 "content_block": block.start()})
                for delta, tokens in deltas[index]:
                    # faults count text deltas (scenario docs): a thinking model's stream is cut inside its text
                    if cut_after is not None and delta["type"] == "text_delta" and entry.text_deltas_sent >= cut_after:
                        cut = True
                        break
                    if pacing.tokens_per_second > 0:
                        delay = first + paced / pacing.tokens_per_second - self.clock.now()
                        if delay > 0:
                            await flush()
                            await self.clock.asleep(delay)
                    emit("content_block_delta", {"type": "content_block_delta", "index": index, "delta": delta})
                    left -= 1
                    paced += tokens if delta["type"] in ("text_delta", "thinking_delta") else 1
                    tokens_sent += tokens
                    if delta["type"] == "text_delta":
                        entry.text_deltas_sent += 1
                        entry.text_tokens_sent += tokens
                        if ping_every and entry.text_deltas_sent % ping_every == 0 and left:
                            emit("ping", {"type": "ping"})  # a keep-alive between deltas, as the API sends them
                if cut:
                    break
                emit("content_block_stop", {"type": "content_block_stop", "index": index})
            self.limiter.take_output(bucket, tokens_sent, self.clock.now())
            if cut_after is not None and fault is not None:
                entry.usage = {**usage, "output_tokens": tokens_sent}  # what the cut stream cost
                return await self._cut_stream(request, response, entry, fault, emit, flush)
            emit("message_delta", {"type": "message_delta",
                                   "delta": {"stop_reason": answer.stop_reason, "stop_sequence": answer.stop_sequence,
                                             **({"stop_details": answer.stop_details} if answer.stop_details else {})},
                                   "usage": usage})
            emit("message_stop", {"type": "message_stop"})
            entry.usage = usage
            entry.stop_reason = answer.stop_reason
            await flush()
            entry.stream_end = "complete"
            await response.write_eof()
        except ConnectionError:
            entry.client_closed = True  # the client hung up: the entry keeps how far the stream got
        return response

    async def _cut_stream(self, request: web.Request, response: web.StreamResponse, entry: JournalEntry,
                          fault: Fault, emit: Any, flush: Any) -> web.StreamResponse:
        if fault.kind == "stream-error":
            emit("error", {"type": "error", "error": {"type": "overloaded_error",
                                                      "message": fault.message or "Overloaded"}})
            await flush()
            entry.stream_end = "error_event"
            await response.write_eof()
        elif fault.kind == "stream-clean-close":
            await flush()
            entry.stream_end = "clean_close"
            await response.write_eof()
        elif fault.kind == "stream-reset":
            await flush()
            entry.stream_end = "reset"
            return _abort(request, response)
        else:  # stall
            await flush()
            entry.stream_end = "stall"
            await self._stall(request, fault)
            return _abort(request, response)
        return response


def _origin(request: web.Request) -> str:
    """The scheme and host the client reached: the sandbox's adopted socket has another address than ours."""
    return f"{request.scheme}://{request.host}"


def _abort(request: web.Request, response: web.StreamResponse) -> web.StreamResponse:
    """Drop the connection without a proper end, as a crashed proxy would; aiohttp then writes nothing more."""
    if request.transport is not None:
        request.transport.abort()
    return response


def _summarise(entry: JournalEntry, parsed: ParsedRequest) -> None:
    for name, value in parsed.summary.items():
        setattr(entry, name, value)


def _summarise_refused(entry: JournalEntry, body: dict[str, Any], *, count_only: bool = False) -> None:
    """A refused request is journaled with what it asked (its model, its prompt), so a grader sees which."""
    try:
        _summarise(entry, parse_request(body, count_only=count_only))
    except Rejected:
        if isinstance(body.get("model"), str):
            entry.model = body["model"]


def _usage(parsed: ParsedRequest, outcome: CacheOutcome, output_tokens: int) -> dict[str, Any]:
    return {
        "input_tokens": parsed.input_tokens - outcome.read_tokens - outcome.write_tokens,
        "cache_creation_input_tokens": outcome.write_tokens,
        "cache_read_input_tokens": outcome.read_tokens,
        "cache_creation": {"ephemeral_5m_input_tokens": outcome.written_5m,
                           "ephemeral_1h_input_tokens": outcome.written_1h},
        "output_tokens": output_tokens,
        "service_tier": "standard",
    }


def _limit_message(which: str | None) -> str:
    kind = {"requests": "requests", "input-tokens": "input tokens", "output-tokens": "output tokens"}.get(
        which or "", "requests")
    return (f"This request would exceed the rate limit for your organization of {kind} per minute. "
            "For details, refer to: https://docs.claude.com/en/api/rate-limits.")


def _journaled(headers: dict[str, str]) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k in JOURNALED_HEADERS or k.startswith("anthropic-ratelimit-")}


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _url_of(site: web.BaseSite, host: str) -> str:
    server = site._server  # aiohttp keeps the bound socket here; port 0 needs it
    assert server is not None and server.sockets
    port = server.sockets[0].getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    return f"http://{shown}:{port}"


__all__ = ["ERROR_TYPES", "StubServer"]
