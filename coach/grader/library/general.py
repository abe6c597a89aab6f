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
