"""Checks for streamed replies and raw SSE parsing (lesson 3): what was shown, set against what was sent.

A reply is told apart by "case <name>:" in its last user message (scenarios fault replies the same
way), and main() returns one outcome per case name. The text a stream carried is known without
trusting the program: these scenarios script the answer text, and the journal says how many text
deltas each stream sent before it ended and how many tokens they carried, so the sent text is the
first that many one-token pieces.
How each stream ended (`stream_end`: complete, error_event, reset, clean_close, stall) comes from
the journal too.
"""

from __future__ import annotations

import math
from typing import Any

from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence, clipped
from coach.stub.tokens import text_pieces

BREAKS = {
    "error_event": "got event: error",
    "reset": "had its connection reset",
    "clean_close": "closed cleanly without message_stop",
    "stall": "went silent",
}
"""How each broken `stream_end` reads in evidence."""


def _text(case: str) -> str:
    return f"case {case}:"


def _broke(entry: Any) -> str:
    """How a request that did not complete ended, in words."""
    if entry.status is None:
        return f"request {entry.seq} got no answer"
    if entry.status != 200:
        return f"request {entry.seq} failed with {entry.status} {entry.error_type or ''}".rstrip()
    if not entry.stream:
        return f"request {entry.seq} was not streamed"
    how = BREAKS.get(entry.stream_end or "", "ended early")
    return f"request {entry.seq} {how} after {entry.text_deltas_sent} deltas"


def _complete(entry: Any) -> bool:
    """Answered in full: a stream that reached message_stop, or a whole non-streamed answer."""
    return entry.status == 200 and (entry.stream_end == "complete" or (not entry.stream and entry.usage is not None))


def _sent_text(evidence: RunEvidence, entry: Any) -> str | None:
    """The text a request carried: the scenario's scripted answer, cut to the tokens the journal says were sent."""
    scripted = getattr(getattr(evidence.scenario, "response", None), "text", None)
    if not isinstance(scripted, str):
        return None
    sent = entry.text_tokens_sent if entry.stream else int((entry.usage or {}).get("output_tokens") or 0)
    return "".join(text_pieces(scripted)[:sent])


def _outcomes(evidence: RunEvidence) -> dict[str, Any] | Verdict:
    """main()'s outcome per case, or a failing verdict saying why there is none."""
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    returned = evidence.returned
    if not isinstance(returned, dict) or not returned:
        return Verdict(False, f"main() returned {type(returned).__name__}, not an outcome per case")
    return returned


def _outcome(outcomes: dict[str, Any], case: str) -> dict[str, Any]:
    value = outcomes.get(case)
    return value if isinstance(value, dict) else {}


def _quote(text: Any, limit: int = 60) -> str:
    if not isinstance(text, str):
        return repr(text)
    return repr(clipped(text, limit))


def _no_scripted_text() -> Verdict:
    return Verdict(False, "the exercise's scenario scripts no answer text ([response] text), so what was sent is "
                          "unknown: ask the lesson's author")


# ---- streaming-reply: the SDK's stream into a chat window ---------------------------------------


SCREEN_LOGGER = "chat.screen"
"""The logger the exercise's ChatWindow writes one record to per piece shown (the part left as it is)."""


@check("shows_text_as_it_arrives")
def shows_text_as_it_arrives(evidence: RunEvidence) -> Verdict:
    """Each answered reply reached the screen piece by piece while its stream was still arriving.

    Judged from the window's own records, which leave the process as each piece is shown and are
    stamped on arrival in scenario time, set against when the stub sent the stream: a count the
    program returns, or text written straight into the window, is not evidence.
    """
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    shown = [evidence.logged_at(r) for r in evidence.result.log_records
             if isinstance(r, dict) and r.get("logger") == SCREEN_LOGGER]
    shown = [at for at in shown if at is not None]
    said = []
    for case in outcomes:
        attempts = evidence.call(_text(case))
        if not attempts or not _complete(attempts[-1]):
            continue
        last = attempts[-1]
        if not last.stream:
            return Verdict(False, f"the reply '{case}' was asked for without streaming (request {last.seq}), so "
                                  "nothing could reach the screen before the whole answer was in: use "
                                  "client.messages.stream(...)")
        deltas = last.text_deltas_sent
        end = last.finished_s if last.finished_s is not None else float("inf")
        during = sum(1 for at in shown if last.arrived_s <= at < end)
        if during < max(2, math.ceil(deltas / 2)):
            after = sum(1 for at in shown if end <= at)
            return Verdict(False, f"the reply '{case}' was streamed as {deltas} deltas from "
                                  f"{last.arrived_s:.2f} s to {end:.2f} s (request {last.seq}), but only {during} "
                                  f"piece(s) reached the screen while it arrived ({after} shown from then on): the "
                                  "user saw nothing until the whole answer was in. Call on_text for each piece of "
                                  "stream.text_stream, and leave ChatWindow as it is (its records are the evidence)")
        said.append(f"'{case}': {during} pieces shown while its {deltas} deltas arrived")
    if not said:
        return Verdict(False, "no reply was streamed to the end, so there was nothing to watch arrive")
    return Verdict(True, "; ".join(said))


@check("chat_timeout", max_s=Field((int, float), required=False), slack_s=Field((int, float), required=False))
def chat_timeout(evidence: RunEvidence, max_s: float = 60, slack_s: float = 10) -> Verdict:
    """Every request announced a read timeout of at most `max_s` (not the SDK's 600 s), and a stall ended in time."""
    if not evidence.messages:
        return Verdict(False, "no request reached the API" + (f" ({evidence.crashed})" if evidence.crashed else ""))
    for entry in evidence.messages:
        if entry.timeout_s is None:
            return Verdict(False, f"request {entry.seq} announced no timeout (x-stainless-timeout): without one "
                                  "a silent stream is waited on forever")
        if entry.timeout_s > max_s:
            default = " (the SDK's default)" if entry.timeout_s == 600 else ""
            return Verdict(False, f"request {entry.seq} went out with a {entry.timeout_s:g} s timeout{default}: "
                                  f"a chat user would wait that long for a stalled reply; at most {max_s:g} s")
    timeouts = sorted({entry.timeout_s for entry in evidence.messages})
    said = [f"{len(evidence.messages)} requests announced a {' / '.join(f'{t:g}' for t in timeouts)} s timeout"]
    for entry in evidence.messages:
        if entry.stream_end != "stall" or entry.finished_s is None:
            continue
        lasted = entry.finished_s - entry.arrived_s
        if lasted > max_s + slack_s:
            return Verdict(False, f"request {entry.seq} went silent after {entry.text_deltas_sent} deltas and the "
                                  f"client hung up only {lasted:.1f} s after sending it")
        said.append(f"request {entry.seq} stalled and the client gave up after {lasted:.1f} s")
    return Verdict(True, "; ".join(said))


@check("restarts_broken_streams", cases=Field(list, item=str))
def restarts_broken_streams(evidence: RunEvidence, cases: list[str]) -> Verdict:
    """Each of these replies, whose first stream broke, was sent again from the start and completed."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    said, problems = [], []
    for case in cases:
        attempts = evidence.call(_text(case))
        if not attempts:
            problems.append(f"the reply '{case}' never reached the API")
            continue
        first, last = attempts[0], attempts[-1]
        if _complete(first):
            problems.append(f"'{case}': {_broke(first)}, so no stream broke" if not first.stream else
                            f"'{case}': its first stream completed, so there was nothing to restart (is the "
                            "scenario's fault missing?)")
            continue
        if len(attempts) == 1:
            outcome = _outcome(outcomes, case)
            got = outcome.get("error") or (f"an answer with stop_reason {outcome.get('stop_reason')!r} "
                                           f"showing {_quote(outcome.get('screen'))}")
            problems.append(f"'{case}': {_broke(first)} and was never sent again; main() got {got}")
            continue
        if not _complete(last):
            problems.append(f"'{case}': {_broke(first)}; it was sent {len(attempts)} times and no attempt completed")
            continue
        if _outcome(outcomes, case).get("outcome") != "answered":
            problems.append(f"'{case}': request {last.seq} completed but main() got "
                            f"{_outcome(outcomes, case).get('error') or 'no answer'}")
            continue
        said.append(f"'{case}': {_broke(first)}, restarted as request {last.seq}, which completed")
    if problems:
        return Verdict(False, "; ".join(problems))
    return Verdict(True, "; ".join(said))


@check("screen_shows_one_answer")
def screen_shows_one_answer(evidence: RunEvidence) -> Verdict:
    """After a restart the screen holds one complete answer, exactly the text the API sent, nothing repeated."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    restarted = []
    for case in outcomes:
        attempts = evidence.call(_text(case))
        if not attempts:
            continue
        expected = _sent_text(evidence, attempts[-1])
        if expected is None:
            return _no_scripted_text()
        if not _complete(attempts[-1]):  # a reply that failed for good: at most its last attempt's words, once
            screen = _outcome(outcomes, case).get("screen")
            if isinstance(screen, str) and expected and screen.count(expected) > 1:
                return Verdict(False, f"the window for '{case}', whose {len(attempts)} attempt(s) all broke, shows "
                                      f"{_quote(screen)}; the last attempt sent {_quote(expected)}: the window holds "
                                      "text from more than one attempt (clear it in on_restart)")
            continue
        screen = _outcome(outcomes, case).get("screen")
        broken = [e for e in attempts[:-1] if not _complete(e)]
        if screen != expected:
            shown = len(screen) if isinstance(screen, str) else 0
            before = (f" after {len(broken)} broken stream(s) ({sum(e.text_deltas_sent for e in broken)} deltas "
                      "shown before the restart)") if broken else ""
            repeated = " the start of the answer appears twice: clear the partial text in on_restart" \
                if isinstance(screen, str) and expected and screen.count(expected[:12]) > 1 else ""
            return Verdict(False, f"the screen for '{case}' shows {shown} characters {_quote(screen)}{before}; the "
                                  f"API's answer is {len(expected)} characters {_quote(expected)}.{repeated}")
        if broken:
            restarted.append(f"'{case}' shows exactly the {len(expected)}-character answer after "
                             f"{len(broken)} restart(s)")
    if not restarted:
        return Verdict(False, "no broken reply was restarted and completed, so there was no restart to clear the "
                              "screen for")
    return Verdict(True, "; ".join(restarted))


@check("fails_clearly_when_exhausted", case=Field(str), max_attempts=Field(int))
def fails_clearly_when_exhausted(evidence: RunEvidence, case: str, max_attempts: int) -> Verdict:
    """A reply whose every stream breaks is tried `max_attempts` times in all, then raises: never a half answer."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    attempts = evidence.call(_text(case))
    if not attempts:
        return Verdict(False, f"the reply '{case}' never reached the API")
    if any(_complete(e) for e in attempts):
        done = next(e for e in attempts if _complete(e))
        how = "was not streamed" if not done.stream else "completed"
        return Verdict(False, f"request {done.seq} of '{case}' {how}, so its retries were never used up")
    outcome = _outcome(outcomes, case)
    if outcome.get("outcome") == "answered":
        return Verdict(False, f"all {len(attempts)} streams of '{case}' broke (the last: {_broke(attempts[-1])}), "
                              f"yet main() got an answer with stop_reason {outcome.get('stop_reason')!r}: a half "
                              "answer passed off as a whole one. Raise when the attempts are used up")
    if len(attempts) < 2:
        return Verdict(False, f"'{case}': {_broke(attempts[0])} and the error reached main() at once "
                              f"({outcome.get('error')}): it was never restarted, so no retry was used up")
    if len(attempts) != max_attempts:
        more = "stop after" if len(attempts) > max_attempts else "use all"
        return Verdict(False, f"'{case}' was sent {len(attempts)} times before main() got "
                              f"{_quote(outcome.get('error'), 100)}; {more} {max_attempts} attempts, then tell the "
                              "user")
    restarts = outcome.get("restarts")
    if isinstance(restarts, int) and restarts > max_attempts - 1:  # too few is one-answer's business
        return Verdict(False, f"all {max_attempts} streams of '{case}' broke and the window was told of "
                              f"{restarts} restarts, but only {max_attempts - 1} attempt(s) followed a break: "
                              "call on_restart only when another attempt comes next")
    return Verdict(True, f"all {len(attempts)} streams of '{case}' broke, then main() got "
                         f"{_quote(outcome.get('error'), 100)}")


# ---- sse-parser: raw server-sent events, no SDK ---------------------------------------------------


def _parsed(evidence: RunEvidence, case: str, outcomes: dict[str, Any]) -> tuple[Any, dict[str, Any]] | str:
    """(the completed request, what the parser returned) for a case, or why it cannot be compared."""
    attempts = evidence.call(_text(case))
    if not attempts:
        return f"the request '{case}' never reached the API"
    entry = attempts[-1]
    if not _complete(entry):
        return f"the stream of '{case}' did not complete ({_broke(entry)})"
    value = outcomes.get(case)
    if not isinstance(value, dict):
        return f"stream_reply returned {type(value).__name__} for '{case}', not a dict with text and stop_reason"
    outcome = value
    if "error" in outcome:
        return f"the parser raised on '{case}', a stream that completed: {outcome['error']}"
    return entry, outcome


@check("parsed_text_matches", cases=Field(list, item=str))
def parsed_text_matches(evidence: RunEvidence, cases: list[str]) -> Verdict:
    """The text returned for each of these streams is exactly the text its deltas carried."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    said = []
    for case in cases:
        found = _parsed(evidence, case, outcomes)
        if isinstance(found, str):
            return Verdict(False, found)
        entry, outcome = found
        expected = _sent_text(evidence, entry)
        if expected is None:
            return _no_scripted_text()
        text = outcome.get("text")
        if text != expected:
            return Verdict(False, f"for '{case}' the parser returned {_quote(text)}; the {entry.text_deltas_sent} "
                                  f"text deltas carried {_quote(expected)} (join the pieces as they are)")
        said.append(f"'{case}': {len(expected)} characters from {entry.text_deltas_sent} deltas")
    return Verdict(True, "; ".join(said))


def _pings_between(evidence: RunEvidence, entry: Any) -> str:
    """How many pings came between a stream's text deltas, in words: the stub sends one after every
    `after_deltas`-th text delta but the last (a count from `events_sent` would take a thinking block's events too)."""
    fault = next((f for f in getattr(evidence.scenario, "faults", ()) if f.name == entry.fault), None)
    if fault is None or fault.kind != "pings" or entry.text_deltas_sent < 1:
        return "no"
    return str((entry.text_deltas_sent - 1) // max(1, fault.after_deltas))


@check("parser_ignores_pings", case=Field(str))
def parser_ignores_pings(evidence: RunEvidence, case: str) -> Verdict:
    """A stream with ping events between its deltas comes back whole: pings add nothing and end nothing.

    Spacing is left to `parsed_text_matches`: this item compares the characters other than whitespace.
    """
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    found = _parsed(evidence, case, outcomes)
    if isinstance(found, str):
        return Verdict(False, found)
    entry, outcome = found
    expected = _sent_text(evidence, entry)
    if expected is None:
        return _no_scripted_text()
    pings = _pings_between(evidence, entry)
    text = outcome.get("text")
    squeezed = "".join(text.split()) if isinstance(text, str) else None
    if squeezed != "".join(expected.split()):
        return Verdict(False, f"the stream '{case}' carried {pings} ping(s) between its {entry.text_deltas_sent} "
                              f"deltas, and the parser returned {_quote(text)} instead of {_quote(expected)}: "
                              "a ping is a keep-alive, skip it wherever it comes")
    return Verdict(True, f"'{case}' came back whole although {pings} ping(s) came between its deltas")


@check("parsed_stop_reason", cases=Field(list, item=str))
def parsed_stop_reason(evidence: RunEvidence, cases: list[str]) -> Verdict:
    """The stop_reason returned for each of these streams is the one its message_delta event carried."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    said = []
    for case in cases:
        found = _parsed(evidence, case, outcomes)
        if isinstance(found, str):
            return Verdict(False, found)
        entry, outcome = found
        if outcome.get("stop_reason") != entry.stop_reason:
            return Verdict(False, f"for '{case}' the parser returned stop_reason {outcome.get('stop_reason')!r}; "
                                  f"the stream's message_delta said {entry.stop_reason!r}")
        said.append(f"'{case}': {entry.stop_reason}")
    return Verdict(True, "; ".join(said))


@check("parser_raises_on_error_event", case=Field(str))
def parser_raises_on_error_event(evidence: RunEvidence, case: str) -> Verdict:
    """A stream that carries `event: error` makes the parser raise an exception that names the API's error."""
    outcomes = _outcomes(evidence)
    if isinstance(outcomes, Verdict):
        return outcomes
    attempts = evidence.call(_text(case))
    errored = [e for e in attempts if e.stream_end == "error_event"]
    if not errored:
        return Verdict(False, f"no stream of '{case}' carried an error event (did the request ask for stream: true?)")
    entry = errored[-1]
    outcome = _outcome(outcomes, case)
    error = outcome.get("error")
    if not isinstance(error, str):
        return Verdict(False, f"request {entry.seq} got event: error overloaded_error after {entry.text_deltas_sent} "
                              f"deltas, and the parser returned {_quote(outcome.get('text'))} with stop_reason "
                              f"{outcome.get('stop_reason')!r} as if it were an answer")
    fault = next((f for f in getattr(evidence.scenario, "faults", ()) if f.name == entry.fault), None)
    message = getattr(fault, "message", None) or "Overloaded"  # what the stub's error event says
    missing = [part for part in ("overloaded_error", message) if part.lower() not in error.lower()]
    if missing:
        return Verdict(False, f"the parser raised {_quote(error, 100)} on '{case}'; the error event said type "
                              f"'overloaded_error', message '{message}', and the exception leaves out "
                              f"{' and '.join(repr(m) for m in missing)}: put the event's type and message in it")
    return Verdict(True, f"request {entry.seq} got event: error after {entry.text_deltas_sent} deltas and the parser "
                         f"raised {_quote(error, 100)}")


@check("raw_http_stream")
def raw_http_stream(evidence: RunEvidence) -> Verdict:
    """Every request asked for `stream: true` and was sent without the SDK (no `x-stainless-*` headers)."""
    if not evidence.messages:
        return Verdict(False, "no request reached the API" + (f" ({evidence.crashed})" if evidence.crashed else ""))
    for entry in evidence.messages:
        if entry.retry_count is not None or entry.timeout_s is not None:
            return Verdict(False, f"request {entry.seq} carried the SDK's x-stainless-* headers: it was sent by the "
                                  "anthropic package; send it with urllib.request or httpx2 and parse the events "
                                  "yourself")
        if not entry.stream:
            return Verdict(False, f"request {entry.seq} did not ask for \"stream\": true, so it got one JSON body "
                                  "instead of events")
    return Verdict(True, f"all {len(evidence.messages)} requests asked for stream: true, none with the SDK's headers")
