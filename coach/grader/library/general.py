"""Checks any exercise can use."""

from __future__ import annotations

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence


@check("exits_cleanly")
def exits_cleanly(evidence: RunEvidence) -> Verdict:
    """The entry point returns without an unhandled exception, in time and within limits."""
    problem = evidence.crashed
    if problem:
        return Verdict(False, problem)
    return Verdict(True, "main() returned normally")


@check("max_requests", limit=Field(int))
def max_requests(evidence: RunEvidence, limit: int) -> Verdict:
    """No more than `limit` requests reached the Messages API."""
    count = len(evidence.messages)
    if count > limit:
        return Verdict(False, f"{count} requests reached the API; at most {limit} were needed")
    return Verdict(True, f"{count} request(s) reached the API (limit {limit})")


@check("returns_every_case", cases=Field(list, item=str))
def returns_every_case(evidence: RunEvidence, cases: list[str]) -> Verdict:
    """main() finished the way the brief asks: it returned normally, with an outcome for every case.

    A precondition, listed first: the other items judge what the run did, and a run that stopped
    part-way did less than the brief asks, whatever the records of its first cases say.
    """
    if evidence.crashed:
        reached = sorted({case for case in cases if evidence.call(f"case {case}:")}, key=cases.index)
        missing = [case for case in cases if case not in reached]
        before = f" before the case{'s' if len(missing) > 1 else ''} {', '.join(missing)}" if missing else ""
        return Verdict(False, f"{evidence.crashed}{before}: the program did not finish the way the brief asks")
    returned = evidence.returned
    if not isinstance(returned, dict):
        return Verdict(False, f"main() returned {type(returned).__name__}, not an outcome per case")
    missing = [case for case in cases if case not in returned]
    if missing:
        return Verdict(False, f"main() returned no outcome for {', '.join(missing)}")
    return Verdict(True, f"main() returned an outcome for each of the {len(cases)} cases")
