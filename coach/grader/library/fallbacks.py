"""Checks for safe answers: a fallback per error class and stop_reason handling (lesson 4).

The entry point returns one result per case, `{"text": what the user sees, "category": the
fallback chosen}` (or `{"raised": "Class: message"}` when the learner's function let an exception
out). A case is one question, told apart by its text ("case overloaded: ..."), and what the API
did with it comes from the journal: the status, error type and fault of each attempt, and the
stop_reason and length of each answer. The result is only judged against that record.
"""

from __future__ import annotations

import http
import json
import re
from dataclasses import dataclass
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence, clipped
from coach.stub.scenario import DEFAULT_MESSAGES
from coach.stub.tokens import text_pieces

CASE_PROMPT = re.compile(r"\bcase ([\w-]+):")
WHOLE_STOPS = ("end_turn", "stop_sequence")
RETRY_WORDS = re.compile(r"\b(try (it )?again|retry|ask again|in a (minute|moment|while)|later)\b", re.IGNORECASE)
"""Words that tell a user to ask again: right for an outage, wrong for a refusal."""

ERROR_CLASSES = {
    "bad-request": "a bad request (the code must change; a retry sends the same mistake)",
    "configuration": "a configuration problem (page the on-call; the feature is down for everyone)",
    "rate-limit": "your own rate limit (wait for retry-after, or queue the question)",
    "spend-cap": "the spend cap (it will not clear for weeks: stop and alert whoever owns billing)",
    "api-trouble": "the API's own trouble (degrade: a smaller model, a cached or canned answer)",
    "connection": "no answer at all (try again later, and check the timeout suits the feature)",
}
"""The error classes a safe answer tells apart, each with the fallback the lesson's table gives it."""

_STATUS_CLASSES = {400: "bad-request", 413: "bad-request", 422: "bad-request", 401: "configuration",
                   402: "configuration", 403: "configuration", 404: "configuration", 429: "rate-limit"}

EXCEPTION_NAME = re.compile(r"\b[A-Z][A-Za-z0-9_]*(?:Error|Exception)\b")
REQUEST_ID = re.compile(r"\breq_[A-Za-z0-9]{12,}")
SDK_WORDING = {
    "Error code:": "the SDK's status line 'Error code: ...'",
    "Request timed out": "the SDK's timeout message",
    "Connection error.": "the SDK's connection message",
    "request_id": "the error body's request_id",
    "'type': 'error'": "the raw error body",
}
"""Text the SDK puts in str(error) and error.body, never in a message written for a user."""


@dataclass(frozen=True)
class Case:
    name: str
    attempts: list[Any]
    """Journal entries of this case's requests, in arrival order."""
    value: Any
    """What main() returned for the case (None when it returned nothing for it)."""

    @property
    def last(self) -> Any | None:
        return self.attempts[-1] if self.attempts else None

    @property
    def raised(self) -> str | None:
        if isinstance(self.value, dict) and self.value.get("raised"):
            return str(self.value["raised"])[:160]
        return None

    @property
    def text(self) -> str | None:
        text = self.value.get("text") if isinstance(self.value, dict) else None
        return text if isinstance(text, str) else None

    @property
    def category(self) -> str | None:
        category = self.value.get("category") if isinstance(self.value, dict) else None
        return category.strip() if isinstance(category, str) and category.strip() else None

    def unusable(self) -> str | None:
        """Why this case's result cannot be read as a text and a category, or None."""
        if self.value is None:
            return f"main() returned nothing for case '{self.name}'"
        if self.raised:
            return f"safe_answer raised {self.raised} in case '{self.name}'"
        if not isinstance(self.value, dict):
            return f"case '{self.name}' returned {type(self.value).__name__}, not a dict with 'text' and 'category'"
        if self.text is None:
            if "text" in self.value:
                return f"case '{self.name}' returned a 'text' that is {type(self.value['text']).__name__}, not a string"
            keys = ", ".join(map(str, self.value)) or "nothing"
            return f"case '{self.name}' returned no 'text' (it has: {keys})"
        if self.category is None:
            return f"case '{self.name}' returned no 'category' (a short name for the fallback chosen)"
        return None


def _cases(evidence: RunEvidence) -> dict[str, Case]:
    """Every case, from the journal's questions and the returned dict, in the order the API saw them."""
    returned = evidence.returned if isinstance(evidence.returned, dict) else {}
    names: dict[str, list[Any]] = {}
    for entry in evidence.messages:
        match = CASE_PROMPT.search(entry.prompt or "")
        if match:
            names.setdefault(match.group(1), []).append(entry)
    for name in returned:
        names.setdefault(str(name), [])
    return {name: Case(name, attempts, returned.get(name)) for name, attempts in names.items()}


def _not_run(evidence: RunEvidence) -> Verdict | None:
    """A failing verdict when there is no per-case result to judge at all."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    if not isinstance(evidence.returned, dict):
        return Verdict(False, f"main() returned {type(evidence.returned).__name__}, not a dict of results per case")
    return None


def _fault_kind(evidence: RunEvidence, entry: Any) -> str | None:
    for fault in getattr(evidence.scenario, "faults", ()):
        if fault.name == entry.fault:
            return fault.kind
    return None


def _error_class(evidence: RunEvidence, entry: Any) -> str | None:
    """The error class of an attempt, or None when the API answered it."""
    if _fault_kind(evidence, entry) == "spend-cap":
        return "spend-cap"
    if entry.status == 200:
        return None
    if entry.status is None:
        return "connection"
    return _STATUS_CLASSES.get(entry.status, "api-trouble" if entry.status >= 500 or entry.status in (408, 409)
                               else "bad-request")


def _what_api_did(evidence: RunEvidence, entry: Any) -> str:
    """One attempt's answer in a few words, for evidence."""
    if _fault_kind(evidence, entry) == "spend-cap":
        return "the spend-cap 429"
    if entry.status is None:
        timeout = f" within the client's {entry.timeout_s:g} s timeout" if entry.timeout_s else ""
        return f"no answer{timeout}"
    if entry.status != 200:
        return f"a {entry.status} {entry.error_type or 'error'}"
    tokens = (entry.usage or {}).get("output_tokens")
    if entry.stop_reason == "refusal":
        return "a refusal with an empty content array" if tokens == 0 else "a refusal"
    if entry.stop_reason == "max_tokens":
        return f"an answer cut at max_tokens ({entry.max_tokens} tokens)"
    return f"a whole answer (stop_reason {entry.stop_reason})"


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return repr(clipped(text, limit))


def _scripted(evidence: RunEvidence) -> str | None:
    response = getattr(evidence.scenario, "response", None)
    return getattr(response, "text", None)


def _answer_field(evidence: RunEvidence, field: str) -> str | None:
    """The field of the scripted JSON answer that the user should see."""
    try:
        value = json.loads(_scripted(evidence) or "").get(field)
    except (ValueError, AttributeError):
        return None
    return value if isinstance(value, str) else None


def _looks_like_json(text: str, field: str) -> bool:
    return text.lstrip().startswith("{") or f'"{field}"' in text


@check("shows_whole_answer", case=Field(str), field=Field(str, required=False))
def shows_whole_answer(evidence: RunEvidence, case: str, field: str = "answer") -> Verdict:
    """A whole answer reaches the user as the JSON field meant for them, not as raw JSON."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    found = _cases(evidence).get(case)
    if found is None or not found.attempts:
        return Verdict(False, f"the question of case '{case}' never reached the API")
    if (why := found.unusable()) is not None:
        return Verdict(False, f"{why}, where the API sent {_what_api_did(evidence, found.last)}")
    last = found.last
    if last.status != 200 or last.stop_reason not in WHOLE_STOPS:
        return Verdict(False, f"request {last.seq} of case '{case}' got {_what_api_did(evidence, last)}: "
                              "ask with the max_tokens main() passes, so the answer fits")
    expected = _answer_field(evidence, field)
    text = found.text or ""
    if expected is None:
        return Verdict(False, f"the scenario's answer is not a JSON object with a '{field}' string to compare with")
    if expected not in text or _looks_like_json(text, field):
        if _looks_like_json(text, field):
            return Verdict(False, f"the user saw the model's raw JSON {_quote(text)}: parse it and show its "
                                  f"'{field}' field")
        return Verdict(False, f"the user saw {_quote(text)}, not the answer the model gave ({_quote(expected)})")
    if len(found.attempts) > 1:
        return Verdict(False, f"the question of case '{case}' was sent {len(found.attempts)} times (requests "
                              f"{', '.join(str(e.seq) for e in found.attempts)}), though its first answer was whole: "
                              "ask again only when stop_reason is max_tokens, each request is paid for")
    return Verdict(True, f"request {last.seq} ended {last.stop_reason}; the user saw {_quote(text)} "
                         f"(category '{found.category}'), asked once")


def _shows_cut_text(evidence: RunEvidence, entry: Any, text: str, field: str) -> bool:
    """Whether `text` shows what a cut answer sent: its text, or the part of its JSON field that arrived.

    `output_tokens` counts a thinking block too, which on a model that thinks by default comes first, so the
    text sent is either that many pieces or that many less the scenario's thinking tokens.
    """
    sent = (entry.usage or {}).get("output_tokens") or 0
    thinking = getattr(evidence.scenario, "thinking_tokens", 0) or 0
    opening = f'"{field}": "'
    for count in dict.fromkeys((sent, max(0, sent - thinking))):
        fragment = "".join(text_pieces(_scripted(evidence) or "")[:count])
        partial = fragment.split(opening, 1)[1] if opening in fragment else ""
        if (len(fragment) >= 8 and fragment in text) or (len(partial) >= 8 and partial in text):
            return True
    return False


def _wasted_retries(found: Case, first_cut: Any) -> Verdict | None:
    """A failing verdict when a cut answer was asked again more than once, or without more room to finish."""
    again = found.attempts[found.attempts.index(first_cut) + 1:]
    if len(again) > 1:
        return Verdict(False, f"after request {first_cut.seq} was cut at max_tokens, case '{found.name}' was asked "
                              f"{len(again)} more times (requests {', '.join(str(e.seq) for e in again)}): ask again "
                              "once, with room to finish, then flag it")
    room = again[0].max_tokens if again else None
    if isinstance(room, int | float) and isinstance(first_cut.max_tokens, int | float) and room <= first_cut.max_tokens:
        return Verdict(False, f"request {first_cut.seq} was cut at max_tokens {first_cut.max_tokens:g}, and request "
                              f"{again[0].seq} asked again with max_tokens {room:g}: no more room, so it is cut "
                              "again, a paid request for nothing; ask with a bigger max_tokens, or flag the answer")
    return None


@check("handles_truncation", case=Field(str), answered=Field(str), field=Field(str, required=False))
def handles_truncation(evidence: RunEvidence, case: str, answered: str, field: str = "answer") -> Verdict:
    """An answer cut at max_tokens is retried with room to finish, or flagged; never passed on as whole."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    cases = _cases(evidence)
    found = cases.get(case)
    if found is None or not found.attempts:
        return Verdict(False, f"the question of case '{case}' never reached the API")
    cut = [e for e in found.attempts if e.stop_reason == "max_tokens"]
    if not cut:
        asked = ", ".join(str(e.max_tokens) for e in found.attempts)
        return Verdict(False, f"no request of case '{case}' was cut at max_tokens (it asked for max_tokens {asked}): "
                              "send the max_tokens main() passes, so the tight budget shows")
    first_cut = cut[0]
    if found.raised:
        return Verdict(False, f"safe_answer raised {found.raised} after request {first_cut.seq} was cut at "
                              f"max_tokens ({first_cut.max_tokens} tokens): check stop_reason before parsing")
    if (why := found.unusable()) is not None:
        return Verdict(False, why)
    if (wasted := _wasted_retries(found, first_cut)) is not None:
        return wasted
    text, category = found.text or "", found.category
    last = found.last
    if last.status == 200 and last.stop_reason in WHOLE_STOPS:
        expected = _answer_field(evidence, field)
        if expected is not None and (expected not in text or _looks_like_json(text, field)):
            return Verdict(False, f"request {last.seq} asked for max_tokens {last.max_tokens} and got the whole "
                                  f"answer, but the user saw {_quote(text)}")
        return Verdict(True, f"request {first_cut.seq} was cut at max_tokens ({first_cut.max_tokens} tokens); "
                             f"request {last.seq} asked for {last.max_tokens} and the user saw the whole answer")
    if last.stop_reason != "max_tokens":
        return Verdict(False, f"after the cut answer, request {last.seq} got {_what_api_did(evidence, last)}, "
                              "so the test of a truncated answer never finished")
    if _shows_cut_text(evidence, last, text, field):
        return Verdict(False, f"request {last.seq} was cut at max_tokens ({last.max_tokens} tokens) and the user saw "
                              f"the cut-off text {_quote(text)} as if it were the answer")
    if not text.strip():
        return Verdict(False, f"request {last.seq} was cut at max_tokens and the user saw an empty message: say the "
                              "answer could not be completed")
    whole = cases.get(answered)
    if whole is not None and whole.category is not None and whole.category == category:
        return Verdict(False, f"request {last.seq} was cut at max_tokens ({last.max_tokens} tokens), yet the result "
                              f"has category '{category}', the same as the whole answer of case '{answered}': "
                              "flag it as truncated, or retry with a bigger max_tokens")
    for other in cases.values():
        error_class = _error_class(evidence, other.last) if other.last is not None else None
        if other is not found and error_class is not None and other.category == category:  # refusal: its own item
            return Verdict(False, f"request {last.seq} was cut at max_tokens ({last.max_tokens} tokens), and the "
                                  f"result has category '{category}', the same as case '{other.name}' "
                                  f"({_what_api_did(evidence, other.last)}): an answer too long to finish is not an "
                                  "API failure, so it needs a category of its own")
    return Verdict(True, f"request {last.seq} was cut at max_tokens ({last.max_tokens} tokens); the user was told "
                         f"{_quote(text)} (category '{category}')")


@check("handles_empty_refusal", case=Field(str), answered=Field(str))
def handles_empty_refusal(evidence: RunEvidence, case: str, answered: str) -> Verdict:
    """A refusal with no content does not crash the code and is told to the user as a refusal."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    cases = _cases(evidence)
    found = cases.get(case)
    if found is None or not found.attempts:
        return Verdict(False, f"the question of case '{case}' never reached the API")
    refusal = next((e for e in found.attempts if e.stop_reason == "refusal"), None)
    if refusal is None:
        return Verdict(False, f"the API did not refuse case '{case}' (it sent "
                              f"{_what_api_did(evidence, found.last)}), so there was no refusal to handle")
    said = _what_api_did(evidence, refusal)
    if len(found.attempts) > 1:
        return Verdict(False, f"case '{case}' was asked {len(found.attempts)} times (requests "
                              f"{', '.join(str(e.seq) for e in found.attempts)}) after request {refusal.seq} got "
                              f"{said}: asking again gets the same refusal, a paid request for nothing")
    if found.raised:
        return Verdict(False, f"safe_answer raised {found.raised} on request {refusal.seq}, {said}: "
                              "check stop_reason before reading message.content[0]")
    if (why := found.unusable()) is not None:
        return Verdict(False, f"{why}, where the API sent {said}")
    text, category = found.text or "", found.category
    if not text.strip():
        return Verdict(False, f"request {refusal.seq} got {said} and the user saw an empty message "
                              f"(category '{category}'): tell them plainly that this question cannot be answered")
    if RETRY_WORDS.search(text):
        return Verdict(False, f"request {refusal.seq} got {said} and the user was told {_quote(text)}: a refusal is "
                              "the model declining this question, and asking again gets the same answer; say plainly "
                              "that it cannot be answered")
    whole = cases.get(answered)
    if whole is not None and whole.category == category:
        return Verdict(False, f"request {refusal.seq} got {said}, yet the result has category '{category}', the same "
                              f"as the whole answer of case '{answered}': a dashboard could not count refusals")
    cut = next((c for c in cases.values() if c is not found and any(e.stop_reason == "max_tokens" for e in c.attempts)
                and c.category == category), None)
    if cut is not None:
        return Verdict(False, f"request {refusal.seq} got {said}, and the result has category '{category}', the same "
                              f"as case '{cut.name}', whose answer was cut at max_tokens: both were taken for an "
                              "unreadable answer; read stop_reason first, 'refusal' is a category of its own")
    for other in cases.values():
        error_class = _error_class(evidence, other.last) if other.last is not None else None
        if error_class is not None and other.category == category:
            return Verdict(False, f"request {refusal.seq} got {said}, and the result has category '{category}', the "
                                  f"same as case '{other.name}' ({_what_api_did(evidence, other.last)}): a refusal is "
                                  "the model declining this question, not an outage, and trying again will not help")
    return Verdict(True, f"request {refusal.seq} got {said}; the user was told {_quote(text)} "
                         f"(category '{category}')")


@check("fallback_per_error_class")
def fallback_per_error_class(evidence: RunEvidence) -> Verdict:
    """Each error class gets its own fallback category; cases of one class may share one."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    by_class: dict[str, list[Case]] = {}
    skipped = []
    for case in _cases(evidence).values():
        error_class = _error_class(evidence, case.last) if case.last is not None else None
        if error_class is None:
            continue
        if case.raised:
            skipped.append(case.name)
            continue
        if (why := case.unusable()) is not None:
            return Verdict(False, f"{why}, where the API sent {_what_api_did(evidence, case.last)}")
        if EXCEPTION_NAME.search(case.category or ""):
            return Verdict(False, f"case '{case.name}' has category '{case.category}', the exception's name: a "
                                  "category names the fallback you chose (say 'retry-later'), not what was raised")
        by_class.setdefault(error_class, []).append(case)
    if len(by_class) < 2:
        raised = f" (safe_answer raised in case {', '.join(skipped)})" if skipped else ""
        if not by_class:
            return Verdict(False, f"no case where the API failed returned a result{raised}, so no fallback is chosen")
        return Verdict(False, f"only the {next(iter(by_class))} class returned a result{raised}: too few to show a "
                              "fallback per class")
    owner: dict[str, tuple[str, Case]] = {}
    for error_class, cases in by_class.items():
        for case in cases:
            taken = owner.get(case.category or "")
            if taken is not None and taken[0] != error_class:
                other_class, other = taken
                extra = (" EnforcedSpendLimitReachedError is a subclass of RateLimitError: catch it first."
                         if {error_class, other_class} == {"rate-limit", "spend-cap"} else "")
                return Verdict(False, f"case '{other.name}' ({_what_api_did(evidence, other.last)}) and case "
                                      f"'{case.name}' ({_what_api_did(evidence, case.last)}) both got category "
                                      f"'{case.category}', yet one is {ERROR_CLASSES[other_class]} and the other "
                                      f"{ERROR_CLASSES[error_class]}: give each class its own fallback.{extra}")
            owner.setdefault(case.category or "", (error_class, case))
    said = "; ".join(", ".join(f"{c.name} ({_what_api_did(evidence, c.last)})" for c in cases)
                     + " -> " + ", ".join(sorted({f"'{c.category}'" for c in cases}))
                     for cases in by_class.values())
    if skipped:
        said += f" (not judged: safe_answer raised in case {', '.join(skipped)})"
    return Verdict(True, said)


def _api_message(evidence: RunEvidence, entry: Any) -> str | None:
    """The error.message the API sent for this attempt, when the scenario says it."""
    for fault in getattr(evidence.scenario, "faults", ()):
        if fault.name == entry.fault:
            return fault.message or DEFAULT_MESSAGES.get(entry.error_type or "")
    return DEFAULT_MESSAGES.get(entry.error_type or "") if entry.error_type else None


def _reason_phrase(status: int | None) -> str | None:
    """HTTP's words for a status ("Too Many Requests"): the SDK and proxies show them, a user message should not."""
    try:
        return http.HTTPStatus(status).phrase if status else None
    except ValueError:
        return None


def _leaks(evidence: RunEvidence, case: Case, text: str) -> list[str]:
    """What of the raw error the text gives away, in words."""
    found = []
    if match := REQUEST_ID.search(text):
        found.append(f"the request id {match.group(0)}")
    found += [said for wording, said in SDK_WORDING.items() if wording in text]
    if match := EXCEPTION_NAME.search(text):
        found.append(f"the exception class {match.group(0)}")
    for entry in case.attempts:
        if _error_class(evidence, entry) is None:
            continue
        if entry.error_type and entry.error_type in text:
            found.append(f"the error type '{entry.error_type}'")
        if entry.status and re.search(rf"\b{entry.status}\b", text):
            found.append(f"the status {entry.status}")
        if (phrase := _reason_phrase(entry.status)) and re.search(
                rf"\b{re.escape(phrase)}\b", text, 0 if " " not in phrase else re.IGNORECASE):
            found.append(f"the status's reason phrase '{phrase}'")
        message = _api_message(evidence, entry)
        if message and ((len(message) >= 12 and message in text) or message == text.strip()):
            found.append(f"the API's message {_quote(message, 50)}")
    return list(dict.fromkeys(found))


@check("no_raw_error")
def no_raw_error(evidence: RunEvidence) -> Verdict:
    """What the user sees never contains the raw error: its message, request id, status or class name."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    judged_errors = 0
    for case in _cases(evidence).values():
        text = case.text
        if case.raised or text is None:
            continue
        if leaks := _leaks(evidence, case, text):
            said = _what_api_did(evidence, case.last) if case.last is not None else "no request"
            return Verdict(False, f"in case '{case.name}' ({said}) the user saw {_quote(text)}: it gives away "
                                  + ", ".join(leaks))
        if case.last is not None and _error_class(evidence, case.last) is not None:
            judged_errors += 1
    if not judged_errors:
        return Verdict(False, "no case where the API failed returned a message for the user (safe_answer raised "
                              "or returned nothing), so nothing shows the raw error is kept from them")
    return Verdict(True, f"no message for the user gives away an error's message, request id, status or class "
                         f"({judged_errors} failed requests' cases read)")


@check("no_exception_escapes")
def no_exception_escapes(evidence: RunEvidence) -> Verdict:
    """safe_answer returns a result for every API error instead of raising."""
    if (problem := _not_run(evidence)) is not None:
        return problem
    returned, escaped = [], []
    for case in _cases(evidence).values():
        if case.last is None:
            if case.raised:
                escaped.append(f"{case.name} (before any request reached the API) raised {case.raised}")
            continue
        if _error_class(evidence, case.last) is None:
            continue
        said = _what_api_did(evidence, case.last)
        if case.raised:
            escaped.append(f"{case.name} ({said}) raised {case.raised.split(':', 1)[0]}")
        elif case.value is None:
            escaped.append(f"{case.name} ({said}) returned nothing")
        else:
            returned.append(f"{case.name} ({said})")
    if escaped:
        return Verdict(False, f"the user would see an error page in {len(escaped)} case(s): " + "; ".join(escaped))
    if not returned:
        return Verdict(False, "no request met an API error, so nothing was handled")
    return Verdict(True, f"safe_answer returned for every failed case: {', '.join(returned)}")
