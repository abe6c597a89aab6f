"""Checks for retry loops: judged from when each attempt of a call reached the stub.

A logical call is told apart by text in its last user message (scenarios fault calls the
same way), so a learner who retries differently still meets the same faults. Attempts made
by the SDK's own retries carry `x-stainless-retry-count` > 0; the learner's loop makes the rest.
"""

from __future__ import annotations

import ast
import itertools
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence

RANDOM_FUNCTIONS = {"random", "uniform", "randint", "randrange", "choice", "triangular", "gauss", "betavariate",
                    "expovariate", "normalvariate", "token_bytes", "randbelow", "SystemRandom"}


def _retry_after(entry: Any) -> float | None:
    value = entry.response_headers.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def _what(entry: Any) -> str:
    return f"a {entry.status}" if entry.status else "a failure"


def _seconds(values: list[float]) -> str:
    return ", ".join(f"{v:.2f} s" for v in values)


@check("honours_retry_after", tolerance_s=Field((int, float), required=False))
def honours_retry_after(evidence: RunEvidence, tolerance_s: float = 0.1) -> Verdict:
    """Every retry after an error that carried `retry-after` waited at least that long."""
    honoured = []
    for prompt in dict.fromkeys(e.prompt or "" for e in evidence.messages):
        attempts = evidence.call(prompt)
        for before, after in itertools.zip_longest(attempts, attempts[1:]):
            wait = _retry_after(before)
            if wait is None or before.finished_s is None:
                continue
            if after is None:
                return Verdict(False, f"request {before.seq} got {_what(before)} that said retry-after: {wait:g} "
                                      "and the call was never tried again")
            gap = after.arrived_s - before.finished_s
            if gap < wait - tolerance_s:
                return Verdict(False, f"request {after.seq} came {gap:.2f} s after {_what(before)} "
                                      f"that said retry-after: {wait:g}")
            honoured.append(f"request {after.seq} came {gap:.2f} s after {_what(before)} that said "
                            f"retry-after: {wait:g}")
    if not honoured:
        return Verdict(False, "no error with retry-after was met and retried (did the program stop early?)")
    return Verdict(True, "; ".join(honoured))


@check("backs_off_exponentially", text=Field(str), base_s=Field((int, float)),
       tolerance_s=Field((int, float), required=False))
def backs_off_exponentially(evidence: RunEvidence, text: str, base_s: float, tolerance_s: float = 0.1) -> Verdict:
    """Without retry-after, the waits before retries of the call grow: at least half of base * 2**n."""
    attempts = evidence.own_attempts(text)
    gaps = [after.arrived_s - before.finished_s for before, after in itertools.pairwise(attempts)
            if before.finished_s is not None and _retry_after(before) is None]
    if len(gaps) < 2:
        return Verdict(False, f"the call '{text}' was tried {len(attempts)} time(s): too few retries to see a backoff")
    floors = [base_s * 2**n / 2 for n in range(len(gaps))]
    for n, (gap, floor) in enumerate(zip(gaps, floors, strict=True)):
        if gap < floor - tolerance_s:
            return Verdict(False, f"waits between attempts of '{text}': {_seconds(gaps)}; the wait before attempt "
                                  f"{n + 2} was {gap:.2f} s, at least {floor:.2f} s expected (half of "
                                  f"{base_s:g} * 2**{n})")
    return Verdict(True, f"waits between attempts of '{text}': {_seconds(gaps)} (floors {_seconds(floors)})")


@check("uses_jitter")
def uses_jitter(evidence: RunEvidence) -> Verdict:
    """The code draws random numbers for its waits (one run cannot show jitter, so the syntax tree does)."""
    if evidence.tree is None:
        return Verdict(False, "the code does not parse")
    for node in ast.walk(evidence.tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in RANDOM_FUNCTIONS:
                return Verdict(True, f"line {node.lineno} draws a random number ({name}), so waits are jittered")
    return Verdict(False, "no random number is drawn anywhere: every client that failed together retries together")


@check("retries_until_answered", texts=Field(list, item=str))
def retries_until_answered(evidence: RunEvidence, texts: list[str]) -> Verdict:
    """Each of these calls, faulted for a while, was retried until it was answered."""
    said = []
    for text in texts:
        attempts = evidence.call(text)
        if not attempts:
            return Verdict(False, f"the call '{text}' never reached the API")
        last = attempts[-1]
        if last.status != 200:
            return Verdict(False, f"the call '{text}' stopped after {len(attempts)} attempt(s) with "
                                  f"{_what(last)} {last.error_type or ''}; it would have succeeded on a retry".rstrip())
        said.append(f"'{text}' answered on attempt {len(attempts)}")
    return Verdict(True, "; ".join(said))


@check("does_not_retry", text=Field(str))
def does_not_retry(evidence: RunEvidence, text: str) -> Verdict:
    """The call, refused for good, was sent once and not retried."""
    attempts = evidence.own_attempts(text)
    if not attempts:
        return Verdict(False, f"the call '{text}' never reached the API")
    first = attempts[0]
    if len(attempts) > 1:
        return Verdict(False, f"the call '{text}' got {_what(first)} {first.error_type or ''} and was sent "
                              f"{len(attempts)} times; a retry cannot fix it")
    return Verdict(True, f"the call '{text}' got {_what(first)} {first.error_type or ''} and was not retried")


@check("caps_attempts", text=Field(str), max_attempts=Field(int))
def caps_attempts(evidence: RunEvidence, text: str, max_attempts: int) -> Verdict:
    """A call that keeps failing is retried, but at most `max_attempts` times in all."""
    attempts = evidence.own_attempts(text)
    if len(attempts) > max_attempts:
        return Verdict(False, f"the call '{text}' was sent {len(attempts)} times; the cap is {max_attempts}")
    if len(attempts) < 2:
        return Verdict(False, f"the call '{text}' was sent {len(attempts)} time(s); a call failing with "
                              f"{_what(attempts[0]) if attempts else 'an error'} is worth retrying up to "
                              f"{max_attempts} times")
    return Verdict(True, f"the call '{text}' was sent {len(attempts)} times, then the code gave up")


@check("raises_when_exhausted", case=Field(str), text=Field(str))
def raises_when_exhausted(evidence: RunEvidence, case: str, text: str) -> Verdict:
    """After the last attempt, the code raises its own error that says how many attempts were made.

    "Its own" means a class the learner's file defines: judged from the source, so grading does
    not have to import the SDK (a second of a cold grade) to list its exception names.
    """
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    returned = evidence.returned
    outcome = returned.get(case) if isinstance(returned, dict) else None
    if not isinstance(outcome, str):
        return Verdict(False, f"main() returned no outcome for '{case}'")
    kind, _, message = outcome.partition(": ")
    attempts = len(evidence.own_attempts(text))
    own_classes = {node.name for node in ast.walk(evidence.tree) if isinstance(node, ast.ClassDef)} \
        if evidence.tree is not None else set()
    if kind == "answered":
        return Verdict(False, f"the call '{text}' was answered, so the code never gave up (is it still faulted?)")
    if kind not in own_classes:
        return Verdict(False, f"after {attempts} attempt(s) the caller got {kind}, the raw error of the last attempt, "
                              "not an error that says the retries are used up")
    if str(attempts) not in message:
        return Verdict(False, f"the caller got {kind}: '{message[:80]}', which does not say the {attempts} attempts")
    return Verdict(True, f"the caller got {kind}: '{message[:80]}'")


@check("sdk_retries_off")
def sdk_retries_off(evidence: RunEvidence) -> Verdict:
    """The SDK's own retries are off, so each attempt of the loop is one request."""
    hidden = [e for e in evidence.messages if e.retry_count]
    if hidden:
        return Verdict(False, f"{len(hidden)} request(s) were the SDK's own retries (x-stainless-retry-count "
                              f"{hidden[0].retry_count} on request {hidden[0].seq}): each of your attempts hides "
                              "up to three")
    return Verdict(True, f"all {len(evidence.messages)} requests were your loop's own attempts")
