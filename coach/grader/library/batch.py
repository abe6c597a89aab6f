"""Checks for batch pipelines under rate limits (lesson 1).

A document is told apart by the id at the start of its prompt (`pattern`, e.g. `doc-\\d+`), so
the verdicts come from what the API saw per document: which requests the rate limiter refused,
which were answered (a 200), which never arrived. The entry point's return value is only set
against that record, never taken at its word.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence, clipped, retry_after
from coach.stub.ratelimit import Bucket

DOC_PATTERN = r"doc-\d+"
HEADER = "anthropic-ratelimit-{}-{}"
BUCKET_NAMES = {"requests": "request", "input-tokens": "input-token", "output-tokens": "output-token"}


def _doc_of(entry: Any, pattern: str) -> str | None:
    found = re.search(pattern, entry.prompt or "")
    return found.group(0) if found else None


def _by_document(evidence: RunEvidence, pattern: str) -> dict[str, list[Any]]:
    """Document id -> its requests, in arrival order (documents in the order they first arrived)."""
    documents: dict[str, list[Any]] = {}
    for entry in evidence.messages:
        doc = _doc_of(entry, pattern)
        if doc is not None:
            documents.setdefault(doc, []).append(entry)
    return documents


def _unnamed(evidence: RunEvidence, pattern: str) -> str:
    """A note for requests whose prompt names no document, else nothing."""
    unnamed = [e for e in evidence.messages if _doc_of(e, pattern) is None]
    if not unnamed:
        return ""
    return (f" ({len(unnamed)} request(s), the first number {unnamed[0].seq}, name no document: send each one "
            "as the exercise builds it, so its prompt starts with the document's id)")


def _int_header(entry: Any, bucket: str, field: str) -> int | None:
    value = (entry.response_headers or {}).get(HEADER.format(bucket, field))
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def _refused_by(entry: Any) -> str:
    """Which bucket turned a rate limiter 429 down, from the headers it carried."""
    if _int_header(entry, "requests", "remaining") == 0:
        return "requests"
    remaining = _int_header(entry, "input-tokens", "remaining")
    if remaining is not None and entry.input_tokens_estimated is not None and remaining < entry.input_tokens_estimated:
        return "input-tokens"
    if _int_header(entry, "output-tokens", "remaining") == 0:
        return "output-tokens"
    return "input-tokens"


def _ids(docs: Iterable[str], most: int = 4) -> str:
    docs = list(docs)
    shown = ", ".join(docs[:most])
    return shown + (f" and {len(docs) - most} more" if len(docs) > most else "")


def _stopped(evidence: RunEvidence) -> str | None:
    """Why the run ended early, in a few words ("main() raised OverloadedError"), or None."""
    return evidence.crashed.split(":")[0] if evidence.crashed else None


def _status(entry: Any) -> str:
    return f"a {entry.status} {entry.error_type or ''}".rstrip() if entry.status else "no answer"


@check("few_rate_limited", limit=Field(int), pattern=Field(str, required=False))
def few_rate_limited(evidence: RunEvidence, limit: int, pattern: str = DOC_PATTERN) -> Verdict:
    """At most `limit` requests were refused by the rate limiter (scripted 429s do not count)."""
    refused = [e for e in evidence.messages if e.status == 429 and not e.fault]
    scripted = [e for e in evidence.messages if e.status == 429 and e.fault]
    aside = ""
    if scripted:
        docs = _ids(dict.fromkeys(_doc_of(e, pattern) or f"request {e.seq}" for e in scripted))
        aside = (f"; not counted: {len(scripted)} scripted 429{'s' if len(scripted) > 1 else ''} ({docs}) "
                 "that no pacing could foresee")
    if len(refused) > limit:
        first = refused[0]
        bucket = _refused_by(first)
        before = [e for e in evidence.messages if e.seq < first.seq and e.status == 200
                  and _int_header(e, bucket, "remaining") is not None]
        said = ""
        if before:
            last = before[-1]
            said = (f"; the last answer before it (request {last.seq}) said {HEADER.format(bucket, 'remaining')}: "
                    f"{_int_header(last, bucket, 'remaining')} of {_int_header(last, bucket, 'limit')}")
        need = f" and needed about {first.input_tokens_estimated} input tokens" if bucket == "input-tokens" else ""
        return Verdict(False, f"{len(refused)} requests were refused with 429 by the {BUCKET_NAMES[bucket]} bucket "
                              f"(at most {limit} allowed); the first was request {first.seq} "
                              f"({_doc_of(first, pattern) or 'a request'}){need}{said}{aside}")
    if evidence.crashed:
        return Verdict(False, f"{_stopped(evidence)} before the batch was done: its pacing was never put to the test")
    if not evidence.messages:
        return Verdict(False, "no request reached the API")
    headroom = [(remaining, e.seq) for e in evidence.messages
                if e.status == 200 and (remaining := _int_header(e, "input-tokens", "remaining")) is not None]
    lowest = min(headroom) if headroom else None
    low = f"; the input-token bucket got as low as {lowest[0]} (after request {lowest[1]})" if lowest else ""
    return Verdict(True, f"{len(refused)} of {len(evidence.messages)} requests were refused by the rate limiter "
                         f"(at most {limit} allowed){low}{aside}")


@check("answered_once", pattern=Field(str, required=False))
def answered_once(evidence: RunEvidence, pattern: str = DOC_PATTERN) -> Verdict:
    """No document was answered (a 200) more than once: each one is processed, and paid for, once."""
    documents = _by_document(evidence, pattern)
    answers = {doc: [e.seq for e in entries if e.status == 200] for doc, entries in documents.items()}
    twice = {doc: seqs for doc, seqs in answers.items() if len(seqs) > 1}
    if twice:
        doc, seqs = next(iter(twice.items()))
        more = f"; {len(twice) - 1} other document(s) too ({_ids(list(twice)[1:])})" if len(twice) > 1 else ""
        return Verdict(False, f"{doc} was answered {len(seqs)} times (requests {', '.join(map(str, seqs))}): "
                              f"the document was processed, and paid for, more than once{more}")
    answered = sum(1 for seqs in answers.values() if seqs)
    if not answered:
        return Verdict(False, "no document was answered" + (f" ({_stopped(evidence)})" if evidence.crashed else "")
                       + _unnamed(evidence, pattern))
    return Verdict(True, f"{answered} documents were answered, each exactly once")


def _looks_like_repr(text: str) -> bool:
    """A summary that is the printed form of the SDK's objects rather than the text they hold."""
    return any(mark in text for mark in ("TextBlock(", "'type': 'text'", '"type": "text"', "Message(id="))


@check("reports_outcomes", pattern=Field(str, required=False))
def reports_outcomes(evidence: RunEvidence, pattern: str = DOC_PATTERN) -> Verdict:
    """The return value's "summaries" and "failed" agree with the API: every document that reached it is in one."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    returned = evidence.returned
    summaries = returned.get("summaries") if isinstance(returned, dict) else None
    failed = returned.get("failed") if isinstance(returned, dict) else None
    if not isinstance(summaries, dict) or not isinstance(failed, dict):
        return Verdict(False, f"main() returned {str(returned)[:80]!r}, not "
                              "{'summaries': {doc_id: text}, 'failed': {doc_id: reason}}")
    documents = _by_document(evidence, pattern)
    answered = {doc: next(e for e in entries if e.status == 200) for doc, entries in documents.items()
                if any(e.status == 200 for e in entries)}
    for doc in summaries:
        if doc not in answered:
            seen = f"its requests got {_status(documents[doc][-1])}" if doc in documents else "it never reached the API"
            return Verdict(False, f"'summaries' has {doc}, but the API never answered it ({seen})")
    for doc in failed:
        if doc in answered:
            return Verdict(False, f"'failed' lists {doc}, but the API answered it (request {answered[doc].seq})")
    lost = [doc for doc in answered if doc not in summaries]
    if lost:
        return Verdict(False, f"the API answered {_ids(lost)} (request {answered[lost[0]].seq} first), but "
                              "'summaries' does not have them: their results were lost")
    unreported = [doc for doc in documents if doc not in answered and doc not in failed]
    if unreported:
        last = documents[unreported[0]][-1]
        return Verdict(False, f"{unreported[0]} reached the API, got {_status(last)} (request {last.seq}) and was "
                              f"never answered, but 'failed' does not list it" +
                       (f"; nor {_ids(unreported[1:])}" if len(unreported) > 1 else ""))
    for doc, summary in summaries.items():
        if not isinstance(summary, str) or not summary.strip() or _looks_like_repr(summary):
            return Verdict(False, f"'summaries' gives {doc} as {str(summary)[:80]!r}, not the answer's text "
                                  "(message.content[0].text)")
    for doc, why in failed.items():
        if not isinstance(why, str) or not why.strip():
            return Verdict(False, f"'failed' gives {doc} the reason {why!r}: say why in words, e.g. "
                                  "f'{type(error).__name__}: {error.message}', so a rerun knows what went wrong")
    reasons = "; ".join(f"{doc}: {clipped(str(reason), 80)}" for doc, reason in list(failed.items())[:3])
    return Verdict(True, f"'summaries' has the {len(summaries)} answered documents and 'failed' the "
                         f"{len(failed)} never answered" + (f" ({reasons})" if reasons else ""))


@check("reaches_every_document", count=Field(int), id_format=Field(str), pattern=Field(str, required=False))
def reaches_every_document(evidence: RunEvidence, count: int, id_format: str, pattern: str = DOC_PATTERN) -> Verdict:
    """Every one of the `count` documents (ids `id_format.format(1..count)`) reached the API: none held back."""
    try:
        expected = [id_format.format(n) for n in range(1, count + 1)]
    except (IndexError, KeyError, ValueError) as exc:
        return Verdict(False, f"the lesson's id_format {id_format!r} cannot be filled in: {exc}")
    documents = _by_document(evidence, pattern)
    missing = [doc for doc in expected if doc not in documents]
    if missing:
        first = expected.index(missing[0])
        before = documents.get(expected[first - 1]) if first > 0 else None
        after = (f"; the one before them, {expected[first - 1]}, got {_status(before[-1])} (request {before[-1].seq})"
                 if before else "")
        why = f" ({_stopped(evidence)})" if evidence.crashed else ""
        return Verdict(False, f"{len(missing)} of {count} documents never reached the API: {_ids(missing)}"
                              f"{after}{why}{_unnamed(evidence, pattern)}")
    return Verdict(True, f"all {count} documents reached the API")


def _refill_s(entry: Any, bucket: str) -> float:
    """Seconds until the bucket an answer described is full again: what its `-reset` header says, to the second.

    From `-limit` and `-remaining` by the stub's own refill rule, so the check needs no clock of its
    own to read the timestamp against.
    """
    limit, remaining = _int_header(entry, bucket, "limit"), _int_header(entry, bucket, "remaining")
    if not limit or remaining is None:
        return 0.0
    return Bucket(limit, min(remaining, limit), 0.0).seconds_until_full() + 1.0  # -reset is rounded up to the second


@check("waits_no_longer_than_asked", backoff_cap_s=Field((int, float)), tolerance_s=Field((int, float), required=False))
def waits_no_longer_than_asked(evidence: RunEvidence, backoff_cap_s: float, tolerance_s: float = 0.5) -> Verdict:
    """No pause with nothing in flight outlasted what the last answer asked for (its buckets' `-reset`,
    when they are full again, or its `retry-after`) plus one backoff at the cap. A longer pause leaves
    the batch idle. The backoff on top admits jitter added to a retry-after, and a backoff slept after
    a document's last attempt: a waste of seconds, not of the night.
    """
    if evidence.crashed:
        return Verdict(False, f"{_stopped(evidence)} before the batch was done: its pauses were never put to the test")
    entries = sorted((e for e in evidence.messages if e.finished_s is not None), key=lambda e: (e.arrived_s, e.seq))
    if not entries:
        return Verdict(False, "no request reached the API")
    longest: tuple[float, Any, Any] | None = None
    last = entries[0]
    for entry in entries[1:]:
        if entry.arrived_s >= last.finished_s:
            pause = entry.arrived_s - last.finished_s
            asked = max([retry_after(last) or 0.0] + [_refill_s(last, bucket) for bucket in BUCKET_NAMES])
            if pause > asked + backoff_cap_s + tolerance_s:
                return Verdict(False, f"request {entry.seq} came {pause:.1f} s after request {last.seq} finished, with "
                                      f"nothing in flight; that answer asked for at most {asked:.1f} s (until its "
                                      f"buckets' -reset, or its retry-after), and one backoff adds at most "
                                      f"{backoff_cap_s:g} s")
            if longest is None or pause > longest[0]:
                longest = (pause, last, entry)
        if entry.finished_s >= last.finished_s:  # ties are common in scenario time: the later one answered last
            last = entry
    if longest is None:
        return Verdict(True, "requests followed one another without a pause")
    pause, before, after = longest
    told = retry_after(before)
    why = f"a {before.status} that said retry-after: {told:g}" if told else f"a {before.status}"
    return Verdict(True, f"no pause outlasted what the last answer asked for; the longest, {pause:.1f} s, came after "
                         f"request {before.seq} ({why}), before request {after.seq}")
