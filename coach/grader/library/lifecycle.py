"""Checks for the model lifecycle (lesson 4): a pinned id that has retired, and the successor it falls back to.

The stub refuses a model the catalogue marks retired with 404 `not_found_error`, as the API does.
The entry point returns one result per question, keyed by its number (`{"1": answer text, ...}`,
or `{"raised": "Class: message"}` for a question whose call let an exception out). Questions are
told apart by their text ("question 2: ..."); what the API did with each comes from the journal.
"""

from __future__ import annotations

import re
from typing import Any

from coach.catalogue import base_model_id
from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence

QUESTION = re.compile(r"\bquestion (\d+):")
ALERT_LEVELS = ("WARNING", "ERROR", "CRITICAL")


def _is(entry: Any, model: str) -> bool:
    return base_model_id(entry.model or "") == base_model_id(model)


def _questions(evidence: RunEvidence) -> dict[str, list[Any]]:
    asked: dict[str, list[Any]] = {}
    for entry in evidence.messages:
        match = QUESTION.search(entry.prompt or "")
        if match:
            asked.setdefault(match.group(1), []).append(entry)
    return dict(sorted(asked.items(), key=lambda item: int(item[0])))


def _first_refusal(evidence: RunEvidence, retired: str) -> Any | None:
    return next((e for e in evidence.messages if _is(e, retired) and e.status == 404), None)


def _never_met(retired: str) -> Verdict:
    return Verdict(False, f"no request asked for {retired} and met its 404: keep the pinned MODEL as configured, "
                          "so the run meets the retirement the exercise is about")


def _answered_by(entry: Any) -> str:
    if entry.status == 200:
        return f"an answer from {entry.model}"
    return f"a {entry.status} {entry.error_type or 'error'} for {entry.model}"


def _other_error(entry: Any, retired: str) -> bool:
    """The API refused this request for a reason other than the retired id's 404."""
    return entry.status != 200 and not (_is(entry, retired) and entry.status == 404)


@check("falls_back_to_successor", retired=Field(str), successor=Field(str))
def falls_back_to_successor(evidence: RunEvidence, retired: str, successor: str) -> Verdict:
    """Every question is answered; the one that met the retired id's 404 is asked again of the successor."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    refused = _first_refusal(evidence, retired)
    if refused is None:
        return _never_met(retired)
    returned = evidence.returned if isinstance(evidence.returned, dict) else {}
    scripted = getattr(getattr(evidence.scenario, "response", None), "text", None) or ""
    asked = _questions(evidence)
    other_errors = []
    for number, attempts in asked.items():
        last = attempts[-1]
        if _other_error(last, retired) and _is(last, successor):
            other_errors.append(number)  # the successor's own error: other_errors_propagate judges it
            continue
        if last.status != 200 or not _is(last, successor):
            return Verdict(False, f"question {number} ended with {_answered_by(last)} (request {last.seq}): after "
                                  f"404 not_found_error for {retired}, ask the same question of {successor}")
        shown = returned.get(number)
        if not isinstance(shown, str) or scripted not in shown:
            got = repr(shown)[:80] if shown is not None else "nothing"
            return Verdict(False, f"question {number} was answered by {successor} (request {last.seq}), but main() "
                                  f"got {got} for it instead of the answer")
    answered = len(asked) - len(other_errors)
    also = f" (question {', '.join(other_errors)} met an error of its own)" if other_errors else ""
    return Verdict(True, f"request {refused.seq} met 404 not_found_error for {retired}; all {answered} questions it "
                         f"could answer were answered by {successor}{also}")


@check("remembers_retirement", retired=Field(str))
def remembers_retirement(evidence: RunEvidence, retired: str) -> Verdict:
    """After the first 404 for the retired id, no request asks for it again: the switch is kept."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    refused = _first_refusal(evidence, retired)
    if refused is None:
        return _never_met(retired)
    again = [e.seq for e in evidence.messages if _is(e, retired) and e.seq > refused.seq]
    if again:
        listed = ", ".join(map(str, again[:5])) + (" ..." if len(again) > 5 else "")
        return Verdict(False, f"after request {refused.seq} answered 404 not_found_error for {retired}, {len(again)} "
                              f"more request(s) asked for it ({listed}): a retired model stays retired, so "
                              "remember the switch instead of meeting the 404 on every call")
    return Verdict(True, f"{retired} was asked once (request {refused.seq}); every later request went to the successor")


@check("alerts_on_retirement", retired=Field(str))
def alerts_on_retirement(evidence: RunEvidence, retired: str) -> Verdict:
    """A log record at WARNING or above names the retired id, so a person learns the pinned model is gone."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    if _first_refusal(evidence, retired) is None:
        return _never_met(retired)
    records = [r for r in evidence.result.log_records if isinstance(r, dict)]
    alerts = [r for r in records if r.get("level") in ALERT_LEVELS and retired in str(r.get("message") or "")]
    if not alerts:
        quiet = [r for r in records if retired in str(r.get("message") or "")]
        more = (f" (it was logged at {quiet[0].get('level')}, which no alert watches)" if quiet else "")
        return Verdict(False, f"no WARNING, ERROR or CRITICAL record names {retired}{more}: the fallback keeps users "
                              "answered, but someone has to move the configuration to a current model")
    return Verdict(True, f"logged at {alerts[0].get('level')}: {str(alerts[0].get('message'))[:100]!r}")


@check("other_errors_propagate", retired=Field(str))
def other_errors_propagate(evidence: RunEvidence, retired: str) -> Verdict:
    """A question that met any other error got no model change and no stand-in answer: the error reached main()."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    if _first_refusal(evidence, retired) is None:
        return _never_met(retired)
    returned = evidence.returned if isinstance(evidence.returned, dict) else {}
    said = []
    for number, attempts in _questions(evidence).items():
        failed = next((e for e in attempts if _other_error(e, retired)), None)
        if failed is None:
            continue
        moved = next((e for e in attempts[attempts.index(failed) + 1:] if e.model != failed.model), None)
        if moved is not None:
            return Verdict(False, f"question {number} got {_answered_by(failed)} (request {failed.seq}) and was then "
                                  f"asked of {moved.model} (request {moved.seq}): only a retired model is a reason "
                                  "to change models; let other errors propagate")
        shown = returned.get(number)
        if not isinstance(shown, str) or not shown.startswith("raised "):
            got = repr(shown)[:80] if shown is not None else "nothing"
            return Verdict(False, f"question {number} got {_answered_by(failed)} (request {failed.seq}), and main() "
                                  f"got {got} instead of the error: let errors other than the retirement propagate, so "
                                  "the caller decides what the customer sees")
        said.append(f"question {number} got {_answered_by(failed)} and main() got {shown[:60]!r}")
    if not said:
        return Verdict(False, f"no question met an error other than {retired}'s 404, so nothing shows other errors "
                              "propagate (ask each question of the successor, as the scenario expects)")
    return Verdict(True, "; ".join(said))
