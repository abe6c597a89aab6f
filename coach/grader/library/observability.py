"""Checks for telemetry and error handling: what the code logged, set against what the API saw.

A telemetry record is a log record with a `correlation_id` field (in `extra`, or a JSON
message). Records are paired with requests by that id when the request carried it as a
header, else by order, so one missing header does not hide every other field's verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence

CORRELATION = "correlation_id"

STATUS_CLASSES = {
    400: "BadRequestError", 401: "AuthenticationError", 402: "PaymentRequiredError", 403: "PermissionDeniedError",
    404: "NotFoundError", 408: "RequestTimeoutError", 409: "ConflictError", 413: "ContentTooLargeError",
    422: "UnprocessableEntityError", 429: "RateLimitError", 500: "InternalServerError",
    502: "InternalServerError", 503: "ServiceUnavailableError", 504: "GatewayTimeoutError", 529: "OverloadedError",
}
"""The SDK class for each status the stub sends (a test holds this to the installed SDK)."""


def _telemetry(evidence: RunEvidence) -> list[dict[str, Any]]:
    return [fields for fields in evidence.logged if fields.get(CORRELATION) not in (None, "")]


CORRELATION_HEADER = "x-correlation-id"
"""The header the brief names: another `x-*-id` is not what a colleague's search would look for."""


def _sent_id(entry: Any) -> str | None:
    """The correlation id a request carried in `x-correlation-id`."""
    return (entry.client_ids or {}).get(CORRELATION_HEADER) or None


def _key(value: Any) -> str:
    """A logged id as text: a `uuid.UUID` logged as itself reads the same as its str()."""
    return str(value)


def _pairs(evidence: RunEvidence) -> list[tuple[Any, list[dict[str, Any]]]]:
    """Each request with the telemetry records that describe it (by correlation id, else by position)."""
    records = _telemetry(evidence)
    requests = evidence.messages
    by_id: dict[str, list[dict[str, Any]]] = {}
    for record in records:
        by_id.setdefault(_key(record[CORRELATION]), []).append(record)
    if requests and all(_sent_id(e) in by_id for e in requests):
        return [(e, by_id[str(_sent_id(e))]) for e in requests]
    return [(e, [records[i]] if i < len(records) else []) for i, e in enumerate(requests)]


def _outcome_of(evidence: RunEvidence, entry: Any) -> str | None:
    """What main() reported for the case a request belongs to (prompts start "case NAME:"), if it returned."""
    returned = evidence.returned if not evidence.crashed else None
    if not isinstance(returned, dict):
        return None
    prompt = entry.prompt or ""
    for case, outcome in returned.items():
        if f"case {case}:" in prompt:
            return str(outcome)
    return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


NEXT_STEP = {
    "one-record": "log that record once per call, in a finally block, so failures get one too",
    "correlation-id": "send the same id in the x-correlation-id header (extra_headers=...)",
    "latency": "give the record latency_ms, the milliseconds from just before the call to just after it",
    "error-class": "name a failure's class in its record's error field, type(error).__name__",
}
"""What each item asks next when no record is there to judge, so the starter's report reads item by item."""


def _no_records(evidence: RunEvidence, then: str) -> Verdict | None:
    """A failing verdict when there is nothing to judge; `then` is this item's own next step, for the report."""
    if not evidence.messages:
        return Verdict(False, "no request reached the API" + (f" ({evidence.crashed})" if evidence.crashed else ""))
    if not _telemetry(evidence):
        return Verdict(False, f"{len(evidence.messages)} requests reached the API but no log record carries a "
                              f"'{CORRELATION}' field (log with extra={{'{CORRELATION}': ..., ...}}); then {then}")
    return None


def _unpaired(entry: Any) -> Verdict:
    return Verdict(False, f"request {entry.seq} has no log record describing it")


@check("one_record_per_request")
def one_record_per_request(evidence: RunEvidence) -> Verdict:
    """Exactly one telemetry record per request that reached the API."""
    if (missing := _no_records(evidence, NEXT_STEP["one-record"])) is not None:
        return missing
    records, requests = len(_telemetry(evidence)), len(evidence.messages)
    if records != requests:
        return Verdict(False, f"{requests} requests reached the API and {records} log records carry a "
                              f"'{CORRELATION}': one record per request keeps counts and dashboards honest")
    return Verdict(True, f"{requests} requests, {records} telemetry records")


@check("correlation_ids_sent")
def correlation_ids_sent(evidence: RunEvidence) -> Verdict:
    """Each request carried its own correlation id as a header, the same id its log record gives."""
    if (missing := _no_records(evidence, NEXT_STEP["correlation-id"])) is not None:
        return missing
    logged = {_key(r[CORRELATION]) for r in _telemetry(evidence)}
    seen: dict[str, int] = {}
    for entry in evidence.messages:
        sent = _sent_id(entry)
        if sent is None:
            others = ", ".join(sorted(entry.client_ids or {}))
            also = f" (it carried {others}: the brief names {CORRELATION_HEADER})" if others else ""
            return Verdict(False, f"request {entry.seq} carried no {CORRELATION_HEADER} header{also}: the API side "
                                  "of the call cannot be tied to your log line")
        if sent in seen:
            return Verdict(False, f"requests {seen[sent]} and {entry.seq} share the correlation id '{sent}': "
                                  "one id per user action")
        seen[sent] = entry.seq
        if sent not in logged:
            return Verdict(False, f"request {entry.seq} sent correlation id '{sent}' but no log record says "
                                  f"{CORRELATION} '{sent}'")
    return Verdict(True, f"all {len(seen)} requests sent a distinct correlation id that a log record repeats")


@check("logged_latency", field=Field(str, required=False), tolerance_ms=Field((int, float), required=False))
def logged_latency(evidence: RunEvidence, field: str = "latency_ms", tolerance_ms: float = 50) -> Verdict:
    """Each record's latency covers the request's time at the API and fits between the calls around it."""
    if (missing := _no_records(evidence, NEXT_STEP["latency"])) is not None:
        return missing
    pairs = _pairs(evidence)
    said = []
    for n, (entry, records) in enumerate(pairs):
        if not records:
            return _unpaired(entry)
        if entry.finished_s is None:
            continue
        at_api = (entry.finished_s - entry.arrived_s) * 1000
        before = pairs[n - 1][0].finished_s if n > 0 else None
        after = pairs[n + 1][0].arrived_s if n + 1 < len(pairs) else None
        window = (after - before) * 1000 if before is not None and after is not None else None
        for record in records:
            value = _number(record.get(field))
            if value is None:
                return Verdict(False, f"the record of request {entry.seq} has no number in '{field}' "
                                      f"(it has: {', '.join(sorted(record)) or 'nothing'})")
            if value < at_api - tolerance_ms:
                return Verdict(False, f"the record of request {entry.seq} says {field} {value:g}, but the API "
                                      f"alone took {at_api:.0f} ms on it (milliseconds, measured around the call?)")
            if window is not None and value > window + tolerance_ms:
                return Verdict(False, f"the record of request {entry.seq} says {field} {value:g}, more than the "
                                      f"{window:.0f} ms between the requests before and after it")
        said.append(f"request {entry.seq}: {_number(records[0].get(field)):g} ms (API {at_api:.0f} ms)")
    return Verdict(True, "; ".join(said))


def _compare_answered(evidence: RunEvidence, expected: Callable[[Any], dict[str, Any]], source: str,
                      fields: str) -> Verdict:
    """Each answered request's records give the fields `expected(entry)` reads from the journal."""
    if (missing := _no_records(evidence, f"copy {fields} into the record as it came")) is not None:
        return missing
    said = []
    for entry, records in _pairs(evidence):
        if entry.status != 200 or not entry.usage:
            continue
        if not records:
            return _unpaired(entry)
        wanted = expected(entry)
        for key, value in wanted.items():
            for record in records:
                if record.get(key) != value:
                    return Verdict(False, f"the record of request {entry.seq} says {key} {record.get(key)!r}; "
                                          f"the API sent {value!r} (read {source}.{key})")
        said.append(f"request {entry.seq}: " + ", ".join(f"{k} {v}" for k, v in wanted.items()))
    if not said:
        return Verdict(False, "no request was answered, so there was nothing to compare")
    return Verdict(True, "; ".join(said))


@check("logged_tokens")
def logged_tokens(evidence: RunEvidence) -> Verdict:
    """Records of answered requests give the input and output tokens the API reported."""
    return _compare_answered(evidence, lambda e: {k: e.usage.get(k) for k in ("input_tokens", "output_tokens")},
                             "message.usage", "message.usage.input_tokens and .output_tokens")


@check("logged_stop_reason")
def logged_stop_reason(evidence: RunEvidence) -> Verdict:
    """Records of answered requests give the stop_reason the API sent."""
    return _compare_answered(evidence, lambda e: {"stop_reason": e.stop_reason}, "message", "message.stop_reason")


@check("logged_error_class", field=Field(str, required=False))
def logged_error_class(evidence: RunEvidence, field: str = "error") -> Verdict:
    """Records of failed requests name the SDK's exception class; records of answered ones name none."""
    if (missing := _no_records(evidence, NEXT_STEP["error-class"])) is not None:
        return missing
    said = []
    for entry, records in _pairs(evidence):
        if not records:
            return _unpaired(entry)
        expected = STATUS_CLASSES.get(entry.status or 0) if entry.status != 200 else None
        for record in records:
            value = record.get(field) or None
            if entry.status == 200 and value is not None:
                return Verdict(False, f"the record of request {entry.seq} says {field} {value!r}, but the API "
                                      "answered it: an error field on a success inflates the error rate")
            if expected is not None and value != expected:
                return Verdict(False, f"request {entry.seq} got a {entry.status} {entry.error_type}; its record "
                                      f"says {field} {value!r}, not the class {expected!r} "
                                      "(type(error).__name__)")
        if expected is not None:
            outcome = _outcome_of(evidence, entry)
            if outcome is not None and outcome.startswith("answered"):
                return Verdict(False, f"request {entry.seq} got a {entry.status} {entry.error_type}, logged as "
                                      f"{expected}, but the caller was told {outcome[:60]!r}: the error was "
                                      "swallowed; raise it again after logging")
            said.append(f"request {entry.seq}: {entry.status} logged as {expected}")
    if not said:
        return Verdict(False, "no request failed, so no error class could be compared")
    return Verdict(True, "; ".join(said))

