"""Checks for bounded concurrency with AsyncAnthropic (lesson 3).

Judged from the journal's scenario times: a request is in flight from its arrival until the
stub finished answering it ([arrived_s, finished_s)), so the number in flight at any moment is
exact, whatever the wall clock did. Items of a batch are told apart by text in their prompt
("ticket 07:"); the program's return value names each answer by the `request-id` the API sent,
so it can be set against what the API actually answered, item by item.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence
from coach.grader.library.observability import STATUS_CLASSES


@dataclass(frozen=True)
class _Peak:
    count: int
    at_s: float
    seqs: tuple[int, ...]


def _peak_in_flight(entries: tuple[Any, ...] | list[Any]) -> _Peak:
    """The most requests in flight at one moment; a request never finished stays in flight to the end."""
    events: list[tuple[float, int, int]] = []  # (time, 0 = ends / 1 = starts, seq): ends first at equal times
    for entry in entries:
        finished = entry.finished_s if entry.finished_s is not None else math.inf
        if finished <= entry.arrived_s:
            continue  # answered in no time: never overlaps anything
        events += [(entry.arrived_s, 1, entry.seq), (finished, 0, entry.seq)]
    open_now: set[int] = set()
    peak = _Peak(0, 0.0, ())
    for at_s, starts, seq in sorted(events):
        if starts:
            open_now.add(seq)
            if len(open_now) > peak.count:
                peak = _Peak(len(open_now), at_s, tuple(sorted(open_now)))
        else:
            open_now.discard(seq)
    return peak


def _seqs(seqs: tuple[int, ...]) -> str:
    return ", ".join(str(seq) for seq in seqs)


def _label(text: str) -> str:
    """'ticket 07:' -> 'ticket 07'."""
    return text.strip().rstrip(":").strip() or text


def _labels(texts: list[str]) -> str:
    """'ticket 08, ticket 09' -> 'tickets 08, 09' when every label starts with the same word."""
    labels = [_label(text) for text in texts]
    heads = {label.split(" ", 1)[0] for label in labels}
    if len(labels) > 1 and len(heads) == 1 and all(" " in label for label in labels):
        return f"{heads.pop()}s " + ", ".join(label.split(" ", 1)[1] for label in labels)
    return ", ".join(labels)


def _noun(texts: list[str]) -> str:
    """What the items are called, plural: 'tickets' for 'ticket 01:', 'ticket 02:', ...; else 'items'."""
    heads = {_label(text).split(" ", 1)[0] for text in texts}
    return f"{heads.pop()}s" if len(heads) == 1 and all(" " in _label(t) for t in texts) else "items"


def _requests(count: int) -> str:
    return f"{count} request" + ("" if count == 1 else "s")


def _crash(evidence: RunEvidence) -> str | None:
    """Why the run did not return, short: 'main() raised BadRequestError' without the error's long body."""
    crashed = evidence.crashed
    if crashed and crashed.startswith("main() raised "):
        return crashed.split(":", 1)[0]
    return crashed


def _start(evidence: RunEvidence) -> float:
    """Scenario time of the first request: times in evidence are counted from it (the sandbox starts earlier)."""
    return min((e.arrived_s for e in evidence.messages), default=0.0)


def _request_id(entry: Any) -> str | None:
    return (entry.response_headers or {}).get("request-id")


def _answer_ids(evidence: RunEvidence) -> dict[str, Any]:
    """request-id -> the journal entry, for every request the API answered with a 200."""
    return {rid: e for e in evidence.messages if e.status == 200 and (rid := _request_id(e))}


def _returned_ids(evidence: RunEvidence) -> list[Any] | None:
    """The request id of each row main() returned (None for a failure row), or None if it returned no list."""
    rows = evidence.returned
    if not isinstance(rows, list):
        return None
    ids = [row.get("request_id") if isinstance(row, dict) else None for row in rows]
    return [rid if rid is None or isinstance(rid, str) else repr(rid) for rid in ids]


def _no_requests(evidence: RunEvidence) -> Verdict:
    crashed = f" ({_crash(evidence)})" if evidence.crashed else ""
    return Verdict(False, f"no request reached the API{crashed}")


@dataclass(frozen=True)
class _Waiters:
    """The most threads seen blocked on sockets at once while two or more requests were in flight."""

    threads: int
    at_s: float
    seqs: tuple[int, ...]
    peak_in_flight: int


def _fd_waiters_in_flight(evidence: RunEvidence, moments: tuple[tuple[float, int], ...]) -> _Waiters | None:
    """Set the kernel's counts of waiting threads (each moment time moved) against the journal.

    None when no two requests were ever in flight at such a moment.
    """
    entries = evidence.messages
    most: _Waiters | None = None
    peak = 0
    for at_s, threads in moments:
        open_now = tuple(e.seq for e in entries
                         if e.arrived_s <= at_s and (e.finished_s is None or e.finished_s > at_s))
        if len(open_now) < 2:
            continue
        peak = max(peak, len(open_now))
        if most is None or threads > most.threads:
            most = _Waiters(threads, at_s, open_now, 0)
    return None if most is None else _Waiters(most.threads, most.at_s, most.seqs, peak)


@check("async_client")
def async_client(evidence: RunEvidence) -> Verdict:
    """Every request came from AsyncAnthropic, kept in flight by one event loop, not by threads.

    The SDK's `x-stainless-async` header (`async:asyncio`) is the program's own word, so it is checked
    against the kernel: a synchronous call holds its thread blocked on its socket until the answer
    comes, so requests kept in flight by threads show as that many threads waiting on sockets at once,
    where one event loop is one thread waiting for all of them.
    """
    entries = evidence.messages
    if not entries:
        return _no_requests(evidence)
    other = [e for e in entries if not str(getattr(e, "client_async", None) or "").startswith("async:")]
    if other:
        first = other[0]
        sent = getattr(first, "client_async", None)
        if sent is None:
            return Verdict(False, f"request {first.seq} carried no x-stainless-async header: it was not sent by "
                                  "the SDK's AsyncAnthropic client")
        return Verdict(False, f"{len(other)} of {len(entries)} requests came from the synchronous client "
                              f"(x-stainless-async: {sent}, request {first.seq} first): threads, not one event "
                              "loop, kept them in flight")
    said = (f"all {len(entries)} requests said they came from AsyncAnthropic "
            f"(x-stainless-async: {entries[0].client_async})")
    moments = getattr(evidence.result, "fd_waiters", None)
    if moments is None:
        return Verdict(True, f"{said}; the kernel did not say how many threads waited on them, so this rests on "
                             "that header")
    waiters = _fd_waiters_in_flight(evidence, moments)
    if waiters is None:
        return Verdict(True, f"{said}; no two were in flight together, so nothing but that header can show it")
    if waiters.threads > 1:
        return Verdict(False, f"{waiters.threads} of the program's threads were blocked on sockets at once while "
                              f"requests {_seqs(waiters.seqs)} were in flight "
                              f"({waiters.at_s - _start(evidence):.2f} s after the first): threads kept them in "
                              "flight, not one event loop, whatever x-stainless-async says (a synchronous call holds "
                              "its thread until its answer comes; one loop waits for every request in one thread)")
    return Verdict(True, f"{said}, and while up to {waiters.peak_in_flight} were in flight, at most one of the "
                         "program's threads waited on sockets: one event loop kept them all")


@check("peak_in_flight_within", limit=Field(int))
def peak_in_flight_within(evidence: RunEvidence, limit: int) -> Verdict:
    """At no moment were more than `limit` requests in flight at the API."""
    entries = evidence.messages
    if not entries:
        return _no_requests(evidence)
    peak = _peak_in_flight(entries)
    if peak.count > limit:
        return Verdict(False, f"{peak.count} requests were in flight at once, "
                              f"{peak.at_s - _start(evidence):.2f} s after the first one (requests "
                              f"{_seqs(peak.seqs)}); the bound is {limit}")
    return Verdict(True, f"at most {_requests(peak.count)} of {len(entries)} in flight at once "
                         f"(the bound is {limit})")


@check("requests_overlapped", at_least=Field(int))
def requests_overlapped(evidence: RunEvidence, at_least: int) -> Verdict:
    """The requests really ran concurrently: at some moment at least `at_least` were in flight together."""
    entries = [e for e in evidence.messages if e.finished_s is not None]
    if len(entries) < 2:
        crashed = f" ({_crash(evidence)})" if evidence.crashed else ""
        return Verdict(False, f"{_requests(len(entries))} reached the API and ended{crashed}: too few to overlap")
    peak = _peak_in_flight(entries)
    span = max(e.finished_s for e in entries) - min(e.arrived_s for e in entries)
    at_api = sum(e.finished_s - e.arrived_s for e in entries)
    if peak.count < at_least:
        return Verdict(False, f"at most {_requests(peak.count)} in flight at a time: the {len(entries)} "
                              f"requests took {span:.1f} s end to end, for {at_api:.1f} s of time at the API; "
                              f"{at_least} at a time would take about {at_api / at_least:.1f} s")
    return Verdict(True, f"{peak.count} requests were in flight at once (requests {_seqs(peak.seqs)}); the "
                         f"{len(entries)} requests took {span:.1f} s end to end, for {at_api:.1f} s of time at "
                         "the API")


@check("results_match_items", texts=Field(list, item=str))
def results_match_items(evidence: RunEvidence, texts: list[str]) -> Verdict:
    """Each item was sent once, and the result in each item's place is the API's answer to that item."""
    if evidence.crashed:
        return Verdict(False, f"{_crash(evidence)}, so no results came back")
    ids = _returned_ids(evidence)
    if ids is None:
        return Verdict(False, f"main() returned {type(evidence.returned).__name__}, not a list of results")
    for text in texts:
        sent = evidence.own_attempts(text)
        if len(sent) > 1:
            return Verdict(False, f"{_label(text)} was sent {len(sent)} times (requests "
                                  f"{_seqs(tuple(e.seq for e in sent))}): one request per "
                                  f"{_noun(texts).removesuffix('s')}")
    if len(ids) != len(texts):
        return Verdict(False, f"{len(ids)} result(s) came back for {len(texts)} {_noun(texts)}: one each, "
                              "in order")
    answers = _answer_ids(evidence)
    checked = 0
    for place, (text, rid) in enumerate(zip(texts, ids, strict=True), start=1):
        if rid is None:
            continue  # a failure in this place; failure_isolated judges whether it should have been one
        entry = answers.get(rid)
        if entry is None:
            return Verdict(False, f"result {place} carries request id {str(rid)[:40]!r}, which the API never "
                                  "answered with a 200")
        if text not in (entry.prompt or ""):
            owner = next((t for t in texts if t in (entry.prompt or "")), None)
            whose = _label(owner) if owner else f"request {entry.seq}"
            return Verdict(False, f"result {place}, {_label(text)}'s place, holds the answer to {whose} "
                                  f"(request {entry.seq}): results must come back in the order of the "
                                  f"{_noun(texts)}, not the order the answers arrived")
        checked += 1
    if not checked:
        return Verdict(False, f"none of the {len(ids)} results is an answer from the API, so none can be checked")
    return Verdict(True, f"{len(texts)} {_noun(texts)}, each sent once; each of the {checked} answers is in its "
                         "own place")


@check("failure_isolated", failing=Field(str), texts=Field(list, item=str))
def failure_isolated(evidence: RunEvidence, failing: str, texts: list[str]) -> Verdict:
    """The item the API refuses fails alone: every other item is still sent, answered and returned."""
    refused = evidence.own_attempts(failing)
    if not refused:
        crashed = f" ({_crash(evidence)})" if evidence.crashed else ""
        return Verdict(False, f"{_label(failing)} never reached the API{crashed}")
    first = refused[0]
    if first.status == 200:
        return Verdict(False, f"{_label(failing)} was answered (request {first.seq}); the scenario should refuse it")
    others = [t for t in texts if t != failing]
    never_sent = [t for t in others if not evidence.call(t)]
    unanswered = [t for t in others if evidence.call(t) and all(e.status != 200 for e in evidence.call(t))]
    answers = _answer_ids(evidence)
    ids = _returned_ids(evidence) or []
    returned = {answers[rid].seq for rid in ids if isinstance(rid, str) and rid in answers}
    dropped = [t for t in others if t not in never_sent and t not in unanswered
               and not any(e.seq in returned for e in evidence.call(t) if e.status == 200)]
    got = f"got a {first.status}" if first.status else "got no answer"
    refusal = " ".join(part for part in (f"{_label(failing)} {got}", first.error_type,
                                         f"{first.arrived_s - _start(evidence):.2f} s after the first request")
                       if part)
    problems = []
    if evidence.crashed:
        problems.append(str(_crash(evidence)))
    if never_sent:
        problems.append(f"{_labels(never_sent)} never reached the API")
    if unanswered:
        problems.append(f"{_labels(unanswered)} reached the API but got no answer")
    if dropped and not evidence.crashed:
        problems.append(f"the API answered {_labels(dropped)} but no result carries the answer (cancelled?)")
    rows = evidence.returned if isinstance(evidence.returned, list) else []
    named = [n for n in (STATUS_CLASSES.get(first.status or 0), first.error_type) if n]
    errors = [row.get("error") if isinstance(row, dict) else None for row in rows]
    if not problems and rows and not any(isinstance(e, str) and any(n in e for n in named) for e in errors):
        shown = next((e for e, rid in zip(errors, ids, strict=False) if rid is None), None)
        problems.append(f"no result carries the API's error ({' / '.join(named)}); the failed ticket's result says "
                        f"{str(shown)[:80]!r}: return the exception itself in its place")
    if problems:
        return Verdict(False, f"{refusal}; then " + "; ".join(problems))
    return Verdict(True, f"{refusal}, and the other {len(others)} {_noun(texts)} were all answered and returned")
