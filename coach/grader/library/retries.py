"""Checks for retry loops: judged from when each attempt of a call reached the stub.

A logical call is told apart by text in its last user message (scenarios fault calls the
same way), so a learner who retries differently still meets the same faults. Attempts made
by the SDK's own retries carry `x-stainless-retry-count` > 0; the learner's loop makes the rest.
"""

from __future__ import annotations

import ast
import itertools
import re
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence, retry_after, sdk_retry

RANDOM_FUNCTIONS = {"random", "uniform", "randint", "randrange", "choice", "triangular", "gauss", "betavariate",
                    "expovariate", "normalvariate", "token_bytes", "randbelow", "SystemRandom", "getrandbits"}


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
            wait = retry_after(before)
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


def _backoff_waits(evidence: RunEvidence, text: str) -> list[float]:
    """Seconds the program itself waited before each of its own retries of a call, after an error
    that carried no retry-after: from the end of the request before (the SDK's last retry, if any)."""
    return [after.arrived_s - before.finished_s for before, after in itertools.pairwise(evidence.call(text))
            if not sdk_retry(before, after) and before.finished_s is not None and retry_after(before) is None]


@check("backs_off_exponentially", text=Field(str), base_s=Field((int, float)),
       tolerance_s=Field((int, float), required=False), cap_s=Field((int, float), required=False))
def backs_off_exponentially(evidence: RunEvidence, text: str, base_s: float, tolerance_s: float = 0.02,
                            cap_s: float | None = None) -> Verdict:
    """Without retry-after, the wait before retry n is within the band of half of base * 2**n to all of it.

    Every run the grader made is judged (a second seed draws other waits), and scenario time is
    exact, so the tolerance is only for rounding.
    """
    verdicts = [_backs_off_in(run, text, base_s, tolerance_s, cap_s) for run in (evidence, *evidence.reruns)]
    failed = next((v for v in verdicts if not v.passed), None)
    if failed is not None:
        seeds = f" (seed {evidence.seed + verdicts.index(failed)})" if len(verdicts) > 1 else ""
        return Verdict(False, failed.evidence + seeds)
    return verdicts[0]


def _backs_off_in(evidence: RunEvidence, text: str, base_s: float, tolerance_s: float,
                  cap_s: float | None) -> Verdict:
    gaps = _backoff_waits(evidence, text)
    if len(gaps) < 2:
        tried = len(evidence.own_attempts(text))
        return Verdict(False, f"the call '{text}' was tried {tried} time(s): too few retries to see a backoff")
    ceilings = [min(base_s * 2**n, cap_s) if cap_s is not None else base_s * 2**n for n in range(len(gaps))]
    for n, (gap, ceiling) in enumerate(zip(gaps, ceilings, strict=True)):
        if not ceiling / 2 - tolerance_s <= gap <= ceiling + tolerance_s:
            side = "short of" if gap < ceiling / 2 else "beyond"
            return Verdict(False, f"waits between attempts of '{text}': {_seconds(gaps)}; the wait before attempt "
                                  f"{n + 2} was {gap:.2f} s, {side} the band {ceiling / 2:.2f}-{ceiling:.2f} s "
                                  f"(half of {base_s:g} * 2**{n} to all of it)")
    bands = ", ".join(f"{c / 2:.2f}-{c:.2f} s" for c in ceilings)
    return Verdict(True, f"waits between attempts of '{text}': {_seconds(gaps)} (bands {bands})")


@check("uses_jitter")
def uses_jitter(evidence: RunEvidence) -> Verdict:
    """The code calls a random function somewhere (from the source: prefer `jittered_waits`, judged from behaviour)."""
    if evidence.tree is None:
        return Verdict(False, "the code does not parse")
    for node in ast.walk(evidence.tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in RANDOM_FUNCTIONS:
                return Verdict(True, f"line {node.lineno} calls a random function ({name}); whether the waits "
                                     "use it, one reading of the source cannot tell")
    return Verdict(False, "no random function is called anywhere: every client that failed together retries together")


@check("jittered_waits", seeds=2, text=Field(str))
def jittered_waits(evidence: RunEvidence, text: str) -> Verdict:
    """The backoff waits of the call differ between two runs with different seeds: they are jittered.

    One run cannot show jitter; two runs whose seeds differ can. Identical waits mean every
    client that failed together retries together, whatever random function the code calls.
    """
    runs = (evidence, *evidence.reruns)
    if len(runs) < 2:
        return Verdict(False, "the grader made only one run, so jitter could not be judged (a grader fault)")
    waits = [_backoff_waits(run, text) for run in runs]
    shown = "; ".join(f"seed {run.seed}: {_seconds(w) or 'none'}" for run, w in zip(runs, waits, strict=True))
    if any(not w for w in waits):
        return Verdict(False, f"the call '{text}' was not retried after an error without retry-after in every run "
                              f"({shown}), so there were no backoff waits to compare")
    same = [n + 1 for n, column in enumerate(zip(*waits, strict=False))
            if all(abs(w - column[0]) < 1e-6 for w in column[1:])]
    if same:
        which = "every wait" if len(same) == min(len(w) for w in waits) else \
            "the wait before retr" + ("y " if len(same) == 1 else "ies ") + ", ".join(map(str, same))
        return Verdict(False, f"{which} of '{text}' came out the same in two runs with different seeds "
                              f"({shown}): clients that failed together would retry together there")
    return Verdict(True, f"waits before the retries of '{text}' differ between seeds ({shown})")


@check("retries_until_answered", texts=Field(list, item=str), min_wait_s=Field((int, float), required=False))
def retries_until_answered(evidence: RunEvidence, texts: list[str], min_wait_s: float = 0) -> Verdict:
    """Each of these calls, faulted for a while, was retried until it was answered, each retry at least
    `min_wait_s` after an error that gave no retry-after (a tight loop only adds to the load)."""
    said = []
    for text in texts:
        attempts = evidence.call(text)
        if not attempts:
            return Verdict(False, f"the call '{text}' never reached the API")
        last = attempts[-1]
        if last.status != 200:
            return Verdict(False, f"the call '{text}' stopped after {len(attempts)} attempt(s) with "
                                  f"{_what(last)} {last.error_type or ''}; it would have succeeded on a retry".rstrip())
        waits = _backoff_waits(evidence, text)
        if min_wait_s and any(w < min_wait_s for w in waits):
            return Verdict(False, f"the call '{text}' was retried {_seconds(waits)} after errors without retry-after: "
                                  f"a retry sooner than {min_wait_s:g} s only adds to the load that refused it")
        said.append(f"'{text}' answered on attempt {len(attempts)}" + (f" (waits {_seconds(waits)})" if waits else ""))
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
    """A call that keeps failing is tried `max_attempts` times in all: no more, and no fewer (giving up
    early is the off-by-one of counting retries instead of attempts, or the first attempt twice)."""
    attempts = evidence.own_attempts(text)
    if len(attempts) > max_attempts:
        return Verdict(False, f"the call '{text}' was sent {len(attempts)} times; the cap is {max_attempts}")
    if not attempts:
        return Verdict(False, f"the call '{text}' never reached the API")
    if len(attempts) < 2:
        return Verdict(False, f"the call '{text}' was sent once; a call failing with {_what(attempts[0])} "
                              f"is worth trying up to {max_attempts} times in all")
    if len(attempts) < max_attempts:
        return Verdict(False, f"the call '{text}' was sent {len(attempts)} times, then the code gave up; it may be "
                              f"tried {max_attempts} times in all, the first one included (off by one?)")
    return Verdict(True, f"the call '{text}' was sent {len(attempts)} times, then the code gave up")


NUMBER_WORDS = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten")


def _says_count(message: str, count: int) -> bool:
    """Whether `message` states `count` as a number of its own: not a digit inside a request id or a status."""
    message = re.sub(r"Error code: \d+ - \{.*\}|req_\w+", "", message)  # the wrapped error's own text
    word = NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else None
    pattern = rf"(?<![\w.-]){count}(?![\w-]|\.\d)" + (rf"|\b{word}\b" if word else "")
    return re.search(pattern, message, re.IGNORECASE) is not None


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
    if not _says_count(message, attempts):
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
