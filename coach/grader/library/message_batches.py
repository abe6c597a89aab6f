"""Checks for a nightly job run as Message Batches (lesson 3): one batch, patient polling, results by custom_id.

Everything is judged from the stub's journal of the batch calls (`JournalEntry.batch`): what each
create sent (custom_id, prompt), the `processing_status` each retrieve answered, and each results
download (custom_id, result type, error type, text) in the order it was served. A document is told
apart by the id at the start of its prompt (`pattern`), so the verdicts do not depend on the
custom_ids a program chose. The entry point's report (`{doc_id: {"status": "summarised", "summary":
text} | {"status": "failed", "reason": why}}`) is only set against that record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence

DOC_PATTERN = r"doc-\d+"
BATCHES_PATH = "/v1/messages/batches"
FINAL_ERRORS = ("invalid_request_error",)
"""Errored results that fail again as they are: the request itself is wrong (batch-processing docs)."""


@dataclass(frozen=True)
class Outcome:
    """One document's result in one results download."""

    doc: str
    custom_id: str
    type: str
    error_type: str | None
    text: str | None
    batch: int
    download: Any
    """The journal entry of the download that carried it."""

    def words(self) -> str:
        return f"errored {self.error_type}" if self.type == "errored" else self.type


def _calls(evidence: RunEvidence) -> list[Any]:
    return [e for e in evidence.journal if e.path.startswith(BATCHES_PATH) and e.status == 200 and e.batch]


def _creates(evidence: RunEvidence) -> list[Any]:
    return [e for e in _calls(evidence) if e.method == "POST" and e.path == BATCHES_PATH]


def _retrieves(evidence: RunEvidence) -> list[Any]:
    return [e for e in _calls(evidence) if e.method == "GET" and "processing_status" in e.batch
            and not e.path.endswith("/results")]


def _downloads(evidence: RunEvidence) -> list[Any]:
    return [e for e in _calls(evidence) if e.method == "GET" and e.path.endswith("/results")]


def _doc_in(prompt: str | None, pattern: str) -> str | None:
    found = re.search(pattern, prompt or "")
    return found.group(0) if found else None


def _docs_of(create: Any, pattern: str) -> dict[str, str]:
    """custom_id -> document id, for one create."""
    return {r["custom_id"]: doc for r in create.batch["requests"] if (doc := _doc_in(r.get("prompt"), pattern))}


def _outcomes(evidence: RunEvidence, pattern: str) -> Iterator[Outcome]:
    """Every document's result in every download, in the order the downloads and their lines came."""
    creates = {c.batch["id"]: c for c in _creates(evidence)}
    for download in _downloads(evidence):
        create = creates.get(download.batch["id"])
        docs = _docs_of(create, pattern) if create is not None else {}
        for line in download.batch["results"]:
            doc = docs.get(line["custom_id"])
            if doc is not None:
                yield Outcome(doc, line["custom_id"], line["type"], line.get("error_type"), line.get("text"),
                              download.batch["number"], download)


def _finals(evidence: RunEvidence, pattern: str) -> dict[str, Outcome]:
    """Each document's last result read."""
    finals: dict[str, Outcome] = {}
    for outcome in _outcomes(evidence, pattern):
        finals[outcome.doc] = outcome
    return finals


def _no_batch(evidence: RunEvidence, what_next: str) -> Verdict:
    sent = len(evidence.messages)
    one_by_one = f"{sent} request(s) went to /v1/messages one at a time and " if sent else ""
    return Verdict(False, f"{one_by_one}no batch was created: {what_next}")


def _no_results(evidence: RunEvidence, what_next: str) -> Verdict | None:
    """A failing verdict when there is nothing to judge yet (a crash, no batch, no results read), else None."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    if not _creates(evidence):
        return _no_batch(evidence, what_next)
    if not _downloads(evidence):
        return Verdict(False, f"no batch's results were read (client.messages.batches.results): {what_next}")
    return None


def _report(evidence: RunEvidence) -> dict[str, Any] | None:
    return evidence.returned if isinstance(evidence.returned, dict) else None


@check("batched_in_one_request", documents=Field(int), pattern=Field(str, required=False))
def batched_in_one_request(evidence: RunEvidence, documents: int, pattern: str = DOC_PATTERN) -> Verdict:
    """Every document goes out in one Message Batch; later batches only resubmit; nothing goes one by one."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    what_next = (f"send all {documents} documents in ONE client.messages.batches.create(requests=[...]) call, one "
                 "request per document with its id as custom_id: half the price, and no rate limits to pace")
    creates = _creates(evidence)
    if not creates:
        return _no_batch(evidence, what_next)
    if evidence.messages:
        first = evidence.messages[0]
        return Verdict(False, f"{len(evidence.messages)} request(s) went to /v1/messages one at a time (the first is "
                              f"request {first.seq}) besides the batch: every document, first time or resubmitted, "
                              "belongs in a batch")
    first = creates[0]
    docs = [_doc_in(r.get("prompt"), pattern) for r in first.batch["requests"]]
    held = sorted({d for d in docs if d})
    if len(held) < documents:
        return Verdict(False, f"the first batch (request {first.seq}) held {len(held)} of the {documents} documents, "
                              f"and {len(creates)} batches were created in all: {what_next}")
    downloads = _downloads(evidence)
    first_read = next((d.seq for d in downloads if d.batch["id"] == first.batch["id"]), None)
    early = [c for c in creates[1:] if first_read is None or c.seq < first_read]
    if early:
        return Verdict(False, f"batch {early[0].batch['number']} was created (request {early[0].seq}) before the first "
                              "batch's results were read: one batch takes the whole night's work, and a later "
                              "batch should only resubmit what the first one did not finish")
    return Verdict(True, f"the first batch (request {first.seq}) held all {documents} documents; "
                         f"{len(creates) - 1} later batch(es) only resubmitted")


@check("polls_patiently", min_interval_s=Field((int, float)))
def polls_patiently(evidence: RunEvidence, min_interval_s: float) -> Verdict:
    """Each batch is polled with a pause of at least `min_interval_s` between retrieves, until it has ended; the
    first batch is looked at while still in progress (a guessed sleep followed by the results is not polling)."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    what_next = (f"after creating the batch, retrieve it every {min_interval_s:g} s or more (time.sleep between "
                 "polls) until its processing_status is 'ended'")
    if not _creates(evidence):
        return _no_batch(evidence, what_next)
    polls = 0
    shortest: float | None = None
    by_batch: dict[str, list[Any]] = {}
    for entry in _retrieves(evidence):
        by_batch.setdefault(entry.batch["id"], []).append(entry)
    for entries in by_batch.values():
        for before, after in pairwise(entries):
            if before.batch["processing_status"] == "ended":
                continue  # a retrieve after the batch ended is not a poll (the SDK's results() makes one)
            polls += 1
            gap = round(after.arrived_s - before.arrived_s, 3)
            shortest = gap if shortest is None else min(shortest, gap)
            if gap < min_interval_s:
                in_progress = [e for e in entries if e.batch["processing_status"] != "ended"]
                span = in_progress[-1].arrived_s - in_progress[0].arrived_s
                return Verdict(False, f"batch {before.batch['number']} was polled again {gap:g} s after it answered "
                                      f"{before.batch['processing_status']} (requests {before.seq} and {after.seq}); "
                                      f"{len(in_progress)} polls in {span:g} s: {what_next}. A batch takes minutes "
                                      "to hours, and each poll is a request")
    if not by_batch:
        return Verdict(False, f"no batch was retrieved: {what_next}")
    first = _creates(evidence)[0]
    seen = by_batch.get(first.batch["id"], [])
    if seen and all(e.batch["processing_status"] == "ended" for e in seen):
        waited = round(seen[0].arrived_s - first.arrived_s, 3)
        return Verdict(False, f"the first batch was first retrieved {waited:g} s after it was created (request "
                              f"{seen[0].seq}), already ended, so it was never seen in progress: a batch may take "
                              f"anything up to 24 hours, so instead of sleeping a guess, {what_next}")
    return Verdict(True, f"{len(by_batch)} batch(es) polled; the shortest pause between polls was "
                         f"{shortest if shortest is not None else 0:g} s over {polls} repeat poll(s)")


@check("results_by_custom_id", pattern=Field(str, required=False))
def results_by_custom_id(evidence: RunEvidence, pattern: str = DOC_PATTERN) -> Verdict:
    """Each summary in the report is the answer to its own document's request, matched by custom_id."""
    what_next = ("read client.messages.batches.results(batch_id) and file each result under its custom_id: results "
                 "come in no set order")
    nothing = _no_results(evidence, what_next)
    if nothing is not None:
        return nothing
    report = _report(evidence)
    if report is None:
        return Verdict(False, f"main() returned {type(evidence.returned).__name__}, not a report by document id")
    finals = _finals(evidence, pattern)
    answered_by = {o.text.strip(): o.doc for o in finals.values() if o.type == "succeeded" and o.text}
    judged = 0
    for doc, outcome in sorted(finals.items()):
        shown = report.get(doc)
        if outcome.type != "succeeded" or not isinstance(shown, dict) or not isinstance(shown.get("summary"), str):
            continue
        judged += 1
        if shown["summary"].strip() != (outcome.text or "").strip():
            other = answered_by.get(shown["summary"].strip())
            whose = (f"the answer to {other}'s request" if other else f"{shown['summary'][:60]!r}, no request's answer")
            return Verdict(False, f"{doc}'s summary is {whose}, not the answer to its own request (custom_id "
                                  f"{outcome.custom_id}, batch {outcome.batch}): {what_next}")
    if not judged:
        return Verdict(False, "no document in main()'s report has a summary to set against its batch result")
    sent = {c.batch["id"]: [r["custom_id"] for r in c.batch["requests"]] for c in _creates(evidence)}
    reordered = any([line["custom_id"] for line in d.batch["results"]] != sent.get(d.batch["id"])
                    for d in _downloads(evidence))
    order = ", though results came in another order than the requests" if reordered else ""
    return Verdict(True, f"all {judged} summaries are their own document's answer{order}")


@check("resubmits_retryable", final_errors=Field(list, item=str, required=False), pattern=Field(str, required=False))
def resubmits_retryable(evidence: RunEvidence, final_errors: list[str] | None = None,
                        pattern: str = DOC_PATTERN) -> Verdict:
    """Expired, canceled and API-side errored requests go into a new batch; invalid and succeeded ones do not."""
    final = tuple(final_errors or FINAL_ERRORS)
    what_next = ("put every request that came back expired, canceled or errored on the API's side into a new batch, "
                 f"and leave out the ones refused as {' or '.join(final)}")
    nothing = _no_results(evidence, what_next)
    if nothing is not None:
        return nothing
    creates = _creates(evidence)
    retried: list[str] = []
    kept_out: list[str] = []
    for outcome in _outcomes(evidence, pattern):
        later = [c for c in creates if c.seq > outcome.download.seq
                 and outcome.doc in _docs_of(c, pattern).values()]
        retryable = outcome.type in ("expired", "canceled") or (
            outcome.type == "errored" and outcome.error_type not in final)
        if retryable and not later:
            return Verdict(False, f"{outcome.doc} came back {outcome.words()} in batch {outcome.batch} and was never "
                                  "put in a new batch: an error on the API's side, or a request that expired or was "
                                  "canceled before it ran, can succeed next time")
        if not retryable and later:
            why = (f"it came back {outcome.words()}, which fails again as it is: report it instead"
                   if outcome.type == "errored" else "it had already succeeded: resubmit only what did not")
            return Verdict(False, f"{outcome.doc} was sent again in batch {later[0].batch['number']} (request "
                                  f"{later[0].seq}) after batch {outcome.batch}, but {why}")
        (retried if retryable else kept_out if outcome.type == "errored" else []).append(
            f"{outcome.doc} ({outcome.words()})")
    if not retried:
        return Verdict(False, "no document came back expired, canceled or errored on the API's side, so nothing was "
                              "resubmitted: give each request its document's id as custom_id, as the brief asks")
    out = f"; not sent again: {', '.join(kept_out)}" if kept_out else ""
    return Verdict(True, f"resubmitted in a new batch: {', '.join(retried)}{out}")


@check("reports_batch_outcomes", pattern=Field(str, required=False))
def reports_batch_outcomes(evidence: RunEvidence, pattern: str = DOC_PATTERN) -> Verdict:
    """Every document has an outcome: summarised, or failed with the reason its last batch result gave."""
    what_next = "return each document's outcome from its last batch result, a failure with its reason too"
    nothing = _no_results(evidence, what_next)
    if nothing is not None:
        return nothing
    report = _report(evidence)
    if report is None:
        return Verdict(False, f"main() returned {type(evidence.returned).__name__}, not a report by document id")
    finals = _finals(evidence, pattern)
    docs = sorted({d for c in _creates(evidence) for d in _docs_of(c, pattern).values()})
    for doc in docs:
        shown = report.get(doc)
        outcome = finals.get(doc)
        if not isinstance(shown, dict):
            return Verdict(False, f"{doc} is missing from main()'s report (it has {len(report)} of {len(docs)} "
                                  f"documents): {what_next}")
        if outcome is None:
            continue  # never read back: resubmits_retryable or results_by_custom_id says what went wrong
        if outcome.type == "succeeded":
            if shown.get("status") != "summarised":
                return Verdict(False, f"{doc} is reported {shown.get('status')!r}, but its result in batch "
                                      f"{outcome.batch} succeeded: report it summarised")
            continue
        reason = shown.get("reason")
        said = outcome.error_type if outcome.type == "errored" else outcome.type
        if shown.get("status") != "failed" or not isinstance(reason, str) or str(said) not in reason:
            return Verdict(False, f"{doc} ended {outcome.words()} in batch {outcome.batch}, but the report says "
                                  f"{shown!r:.100}: report it failed, with a reason that names {said}, so someone "
                                  "can fix the document")
    failed = sorted(d for d, o in finals.items() if o.type != "succeeded")
    return Verdict(True, f"all {len(docs)} documents reported; failed with their reason: {', '.join(failed) or 'none'}")
