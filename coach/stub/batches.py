"""Message Batches: create, retrieve, list, cancel, delete and results (JSONL), on the scenario clock.

A batch is `in_progress` for the scenario's `[batch] seconds` (scenario time), then `ended` with one
result per request, matched by `custom_id`: `succeeded` with a Message made exactly as
`/v1/messages` makes one, `errored` when the request breaks a rule of the API (an unknown model, a
`max_tokens` over the model's maximum) or the scenario scripts an error for its `custom_id`,
`canceled` when the batch was canceled first, `expired` when scripted or when processing outlasts
the 24 hours a batch has. Cancel answers `canceling`; the batch ends a moment later (scenario time).
A scripted fault may apply a number of `times` only (`times = 1`: a transient error that a
resubmission gets past). With `[batch] shuffle_results`, results come in a seeded order instead of the
requests' order, as the API promises no order ("use the `custom_id` field to match results to requests",
`resources/messages/batches.py` in the SDK).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from coach.clock import ScenarioClock
from coach.stub.request import Rejected, invalid, last_user_text
from coach.stub.scenario import DEFAULT_MESSAGES, BatchFault, Scenario

EXPIRY_S = 24 * 3600.0
CANCEL_S = 1.0
"""Scenario seconds from a cancel request to the batch ending."""
DEFAULT_LIMIT = 20
RESULT_KINDS = ("succeeded", "errored", "canceled", "expired")


@dataclass
class Batch:
    id: str
    number: int
    """1-based, in creation order: what a scripted fault's `batches` names."""
    created_s: float
    custom_ids: list[str]
    params: list[dict[str, Any]]
    status: str = "in_progress"
    ended_s: float | None = None
    cancel_s: float | None = None
    results: dict[str, dict[str, Any]] = field(default_factory=dict)
    task: asyncio.Task[None] | None = None

    def counts(self) -> dict[str, int]:
        kinds = [r["type"] for r in self.results.values()]
        counts = {kind: kinds.count(kind) for kind in RESULT_KINDS}
        return {"processing": len(self.custom_ids) - len(kinds), **counts}


AnswerOne = Callable[[dict[str, Any]], dict[str, Any]]
"""Makes the Message for one request's params, or raises `Rejected` as /v1/messages would."""


class Batches:
    def __init__(self, scenario: Scenario, clock: ScenarioClock, new_id: Callable[[str], str],
                 answer_one: AnswerOne) -> None:
        self.scenario = scenario
        self.clock = clock
        self._new_id = new_id
        self._answer_one = answer_one
        self._batches: dict[str, Batch] = {}
        self._created = 0
        self._faults_used: dict[int, int] = {}
        """Index of a scripted batch fault -> how many results it has made."""

    def close(self) -> None:
        """Stop processing (the server is stopping)."""
        for batch in self._batches.values():
            if batch.task is not None:
                batch.task.cancel()

    # ---- endpoints -------------------------------------------------------------------------

    def create(self, body: dict[str, Any], origin: str) -> dict[str, Any]:
        requests = body["requests"]
        if not requests:
            raise invalid("requests: List should have at least 1 item after validation, not 0")
        seen: set[str] = set()
        for i, item in enumerate(requests):
            custom_id = item["custom_id"]
            if custom_id in seen:
                raise invalid(f"requests.{i}.custom_id: Duplicate custom_id '{custom_id}'; each request in a batch "
                              "needs its own custom_id")
            seen.add(custom_id)
            if item["params"].get("stream"):
                raise invalid(f"requests.{i}.params.stream: batch requests cannot be streamed")
        batch = Batch(self._new_id("msgbatch_"), self._created + 1, self.clock.now(),
                      [r["custom_id"] for r in requests], [r["params"] for r in requests])
        self._created += 1
        self._batches[batch.id] = batch
        batch.task = asyncio.get_running_loop().create_task(self._process(batch))
        return self.describe(batch, origin)

    def retrieve(self, batch_id: str, origin: str) -> dict[str, Any]:
        return self.describe(self._get(batch_id), origin)

    def list_page(self, query: Mapping[str, str], origin: str) -> dict[str, Any]:
        for batch in self._batches.values():
            self._settle(batch)
        batches = sorted(self._batches.values(), key=lambda b: b.created_s, reverse=True)
        ids = [b.id for b in batches]
        limit = int(query.get("limit", DEFAULT_LIMIT)) if query.get("limit", "").isdigit() else DEFAULT_LIMIT
        start, end = 0, min(limit, len(batches))
        if "after_id" in query and query["after_id"] in ids:
            start = ids.index(query["after_id"]) + 1
            end = min(start + limit, len(batches))
        elif "before_id" in query and query["before_id"] in ids:
            end = ids.index(query["before_id"])
            start = max(0, end - limit)
        page = [self.describe(b, origin) for b in batches[start:end]]
        has_more = start > 0 if "before_id" in query else end < len(batches)
        return {"data": page, "has_more": has_more, "first_id": page[0]["id"] if page else None,
                "last_id": page[-1]["id"] if page else None}

    def cancel(self, batch_id: str, origin: str) -> dict[str, Any]:
        batch = self._get(batch_id)
        if batch.status == "in_progress":
            batch.status = "canceling"
            batch.cancel_s = self.clock.now()
            if batch.task is not None:
                batch.task.cancel()
            batch.task = asyncio.get_running_loop().create_task(self._finish_cancel(batch))
        return self.describe(batch, origin)

    def delete(self, batch_id: str) -> dict[str, Any]:
        batch = self._get(batch_id)
        if batch.status != "ended":
            raise invalid(f"Batch {batch_id} cannot be deleted while it is still {batch.status}; cancel it first")
        del self._batches[batch_id]
        return {"id": batch_id, "type": "message_batch_deleted"}

    def results(self, batch_id: str) -> list[dict[str, Any]]:
        batch = self._get(batch_id)
        if batch.status != "ended":
            raise invalid(f"Batch {batch_id} has not ended yet (processing_status {batch.status}); its results "
                          "are available once it has")
        return [{"custom_id": cid, "result": batch.results[cid]} for cid in self._result_order(batch)]

    def describe(self, batch: Batch, origin: str) -> dict[str, Any]:
        ended = batch.status == "ended"
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": batch.status,
            "request_counts": batch.counts(),
            "created_at": self._time(batch.created_s),
            "expires_at": self._time(batch.created_s + EXPIRY_S),
            "ended_at": self._time(batch.ended_s) if batch.ended_s is not None else None,
            "cancel_initiated_at": self._time(batch.cancel_s) if batch.cancel_s is not None else None,
            "archived_at": None,
            "results_url": f"{origin}/v1/messages/batches/{batch.id}/results" if ended else None,
        }

    def _result_order(self, batch: Batch) -> list[str]:
        if not self.scenario.batch_shuffle_results:
            return list(batch.custom_ids)
        salt = f"{self.scenario.seed}:{batch.number}:"
        return sorted(batch.custom_ids, key=lambda cid: hashlib.sha256((salt + cid).encode()).hexdigest())

    # ---- what the journal keeps of each batch call ----------------------------------------------

    def journal_create(self, batch_id: str) -> dict[str, Any]:
        """What a create sent: the batch's id and number, and per request its custom_id, model and prompt."""
        batch = self._get(batch_id)
        return {"id": batch.id, "number": batch.number, "requests": [
            {"custom_id": cid, "model": params.get("model"), "max_tokens": params.get("max_tokens"),
             "prompt": last_user_text(params.get("messages") or [])}
            for cid, params in zip(batch.custom_ids, batch.params, strict=True)]}

    def journal_status(self, batch_id: str) -> dict[str, Any]:
        """What a retrieve or cancel answered: the processing status the program saw."""
        batch = self._get(batch_id)
        return {"id": batch.id, "number": batch.number, "processing_status": batch.status}

    def journal_results(self, batch_id: str) -> dict[str, Any]:
        """What a results download carried, in the order sent: each custom_id, its result type, error type, text."""
        batch = self._get(batch_id)
        lines = []
        for cid in self._result_order(batch):
            result = batch.results[cid]
            line: dict[str, Any] = {"custom_id": cid, "type": result["type"]}
            if result["type"] == "errored":
                line["error_type"] = result["error"]["error"]["type"]
            if result["type"] == "succeeded":
                line["text"] = "".join(b.get("text", "") for b in result["message"]["content"] if b["type"] == "text")
            lines.append(line)
        return {"id": batch.id, "number": batch.number, "results": lines}

    # ---- processing ------------------------------------------------------------------------

    async def _process(self, batch: Batch) -> None:
        await self.clock.asleep(self._seconds())
        for custom_id, params in zip(batch.custom_ids, batch.params, strict=True):
            if batch.status != "in_progress":
                return  # a request at the very instant it ended has settled it already (`_settle`)
            if custom_id not in batch.results:
                batch.results[custom_id] = self._result(custom_id, params, expired=self._seconds() >= EXPIRY_S)
            await asyncio.sleep(0)  # a large batch must not hold the loop for all its answers at once
        self._end(batch, batch.created_s + self._seconds())

    async def _finish_cancel(self, batch: Batch) -> None:
        await self.clock.asleep(CANCEL_S)
        self._settle(batch)

    def _settle(self, batch: Batch) -> None:
        """End a batch whose time is up, whoever asks first: its state is a function of scenario time, so a
        poll that arrives at the very instant it ends sees it ended however the processes were scheduled."""
        now = self.clock.now()
        if batch.status == "in_progress" and now >= batch.created_s + self._seconds():
            for custom_id, params in zip(batch.custom_ids, batch.params, strict=True):
                if custom_id not in batch.results:
                    batch.results[custom_id] = self._result(custom_id, params, expired=self._seconds() >= EXPIRY_S)
            self._end(batch, batch.created_s + self._seconds())
        elif batch.status == "canceling" and batch.cancel_s is not None and now >= batch.cancel_s + CANCEL_S:
            for custom_id in batch.custom_ids:
                batch.results.setdefault(custom_id, {"type": "canceled"})
            self._end(batch, batch.cancel_s + CANCEL_S)

    def _seconds(self) -> float:
        return min(self.scenario.batch_seconds, EXPIRY_S)

    def _end(self, batch: Batch, at_s: float) -> None:
        batch.status = "ended"
        batch.ended_s = at_s

    def _fault_for(self, custom_id: str) -> BatchFault | None:
        for index, fault in enumerate(self.scenario.batch_faults):
            if custom_id in fault.custom_ids:
                used = self._faults_used.get(index, 0)
                if fault.times is None or used < fault.times:
                    self._faults_used[index] = used + 1
                    return fault
        return None

    def _result(self, custom_id: str, params: dict[str, Any], *, expired: bool) -> dict[str, Any]:
        fault = self._fault_for(custom_id)
        if expired or (fault is not None and fault.result == "expired"):
            return {"type": "expired"}
        if fault is not None and fault.result == "canceled":
            return {"type": "canceled"}
        if fault is not None:
            message = fault.message or DEFAULT_MESSAGES.get(fault.error_type, "Internal server error")
            return _errored(fault.error_type, message, self._new_id("req_"))
        try:
            return {"type": "succeeded", "message": self._answer_one(params)}
        except Rejected as exc:
            return _errored(exc.error_type, exc.message, self._new_id("req_"))

    def _get(self, batch_id: str) -> Batch:
        batch = self._batches.get(batch_id)
        if batch is None:
            raise Rejected(404, "not_found_error", f"batch: {batch_id}")
        self._settle(batch)
        return batch

    def _time(self, scenario_s: float) -> str:
        """A scenario time as the RFC 3339 wall time the API writes (the clock's wall time at that moment)."""
        wall = self.clock.wall_time() + (scenario_s - self.clock.now())
        return dt.datetime.fromtimestamp(wall, dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _errored(error_type: str, message: str, request_id: str) -> dict[str, Any]:
    return {"type": "errored", "error": {"type": "error", "error": {"type": error_type, "message": message},
                                         "request_id": request_id}}
