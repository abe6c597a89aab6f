"""Checks for token budgets, cost accumulators and prompt caching (lesson 2).

Money is always worked out here, from the usage the stub's journal says it sent and the course's
one dated price table (coach.pricing): never from the learner's own prices or figures, which are
only set against it. A program's calls are told apart by text in their last user message
("task draft:", "refund question:"), and log records are placed on the journal's time line by
the scenario clock, so "warned after the answer that crossed the limit" is exact.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from coach import pricing
from coach.curriculum.schema import Field
from coach.grader.checks import Verdict, check
from coach.grader.evidence import RunEvidence

STOP_SLACK = 1.5
"""A stop is early when more than this many times the largest call's worst case was left under the cap."""
USD_TOLERANCE = 1e-6
"""Reported figures may differ from the journal's by rounding to the micro-dollar."""


# ---- helpers -------------------------------------------------------------------------------------


def _answered(evidence: RunEvidence) -> list[Any]:
    return [e for e in evidence.messages if e.status == 200 and e.usage]


def _tokens(usage: dict[str, Any] | None, name: str) -> int:
    value = (usage or {}).get(name)
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


def _cost(entry: Any) -> float:
    """USD the API billed for one answered request, at the course's price table."""
    return pricing.cost(entry.usage, entry.model or "")


def _input_cost(entry: Any) -> float:
    """USD for the prompt side only: input, cache writes (5m or 1h) and cache reads."""
    return pricing.cost({**entry.usage, "output_tokens": 0}, entry.model or "")


def _uncached_input_cost(entry: Any) -> float:
    """What the same prompt would have cost with no caching: every prompt token at the input price."""
    usage = entry.usage
    prompt = sum(_tokens(usage, k) for k in ("input_tokens", "cache_creation_input_tokens", "cache_read_input_tokens"))
    return prompt * pricing.load_prices().price_for(entry.model or "").input / pricing.PER_TOKENS


def _worst_case(entry: Any) -> float:
    """The most a sent request could have cost: its whole prompt at the input price plus max_tokens of output."""
    price = pricing.load_prices().price_for(entry.model or "")
    most = (entry.input_tokens_estimated or 0) * price.input + (entry.max_tokens or 0) * price.output
    return most / pricing.PER_TOKENS


def _unpriced(entries: list[Any]) -> Verdict | None:
    for entry in entries:
        try:
            pricing.load_prices().price_for(entry.model or "")
        except pricing.UnknownModelError:
            return Verdict(False, f"request {_seq(entry)} used model '{entry.model}', which the course's price "
                                  "table does not list, so its cost cannot be known")
    return None


def _seq(entry: Any) -> int:
    """The request's number in the journal, as the timeline shows it (count_tokens calls are numbered too)."""
    return int(entry.seq)


def _label(entry: Any) -> str:
    """'task draft: ticket T-1042. Draft the...' -> 'task draft: ticket T-1042'."""
    text = (entry.prompt or "").split("\n", 1)[0]
    head = text.split(". ", 1)[0] if ". " in text[:60] else text[:60]
    return head.strip() or "no text"


def _call(entry: Any) -> str:
    return f"request {_seq(entry)} ({_label(entry)})"


def _usd(value: float) -> str:
    return f"${value:.6f}" if abs(value) < 0.01 else f"${value:.4f}"


def _limit(value: float) -> str:
    """A limit as it was written: $0.09, not $0.0900."""
    return f"${value:.2f}" if round(value, 2) == value else _usd(value)


def _usage_words(entry: Any, output: bool = True) -> str:
    u = entry.usage
    split = u.get("cache_creation") or {}
    written_1h = _tokens(split, "ephemeral_1h_input_tokens")
    writes = f"{_tokens(u, 'cache_creation_input_tokens'):,} cache-write" + (
        f" ({written_1h:,} at the 1-hour rate)" if written_1h else "")
    produced = f"{_tokens(u, 'output_tokens'):,} output, " if output else ""
    return (f"{_tokens(u, 'input_tokens'):,} input, {produced}{writes}, "
            f"{_tokens(u, 'cache_read_input_tokens'):,} cache-read tokens on {entry.model}")


def _price_words(entry: Any, output: bool = True) -> str:
    price = pricing.load_prices().price_for(entry.model or "")
    produced = f"${price.output:.2f} output, " if output else ""
    return (f"${price.input:.2f} input, {produced}${price.cache_write_5m:.2f} cache write (5m), "
            f"${price.cache_read:.2f} cache read per million")


def _number_or_none(value: Any) -> float | None:
    """A finite number, or None (a bool, a string, NaN and infinity are no amounts of money)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _crashed(evidence: RunEvidence) -> str:
    return f" ({evidence.crashed})" if evidence.crashed else ""


def _warnings(evidence: RunEvidence) -> list[tuple[float | None, dict[str, Any]]]:
    """(scenario time, record) of each WARNING the program logged, in the order logged."""
    records = [r for r in evidence.result.log_records if isinstance(r, dict) and r.get("level") == "WARNING"]
    return [(evidence.logged_at(r), r) for r in records]


def _quote(record: dict[str, Any]) -> str:
    message = str(record.get("message") or "")
    return f"'{message[:80]}{'...' if len(message) > 80 else ''}'"


def _after(entries: list[Any], entry: Any) -> Any | None:
    """The program's next Messages request after `entry`, answered or not."""
    later = [e for e in entries if (e.arrived_s, e.seq) > (entry.arrived_s, entry.seq)]
    return min(later, key=lambda e: (e.arrived_s, e.seq)) if later else None


def _returned_calls(evidence: RunEvidence, field: str) -> list[Any] | Verdict:
    """The `calls` list main() returned, or a failing verdict saying why there is none."""
    if evidence.crashed:
        return Verdict(False, f"{evidence.crashed}, so no figures came back")
    returned = evidence.returned
    calls = returned.get("calls") if isinstance(returned, dict) else None
    if not isinstance(calls, list):
        return Verdict(False, f"main() returned {type(returned).__name__}, not a dict with a list of calls")
    values = []
    for n, call in enumerate(calls, start=1):
        value = _number_or_none(call.get(field)) if isinstance(call, dict) else None
        if value is None:
            shown = call.get(field) if isinstance(call, dict) else call
            return Verdict(False, f"call {n} of the returned list has {field} {repr(shown)[:60]}, not a number of "
                                  "dollars")
        values.append(value)
    return values


def _compare_costs(evidence: RunEvidence, field: str, price: Callable[[Any], float], what: str,
                   output: bool = True) -> Verdict:
    """Each returned `calls[n][field]` against what the journal's n-th answered request costs."""
    answered = _answered(evidence)
    if not answered:
        return Verdict(False, f"no request was answered{_crashed(evidence)}, so there was nothing to price")
    if (unpriced := _unpriced(answered)) is not None:
        return unpriced
    reported = _returned_calls(evidence, field)
    if isinstance(reported, Verdict):
        return reported
    if len(reported) != len(answered):
        return Verdict(False, f"main() reported {len(reported)} calls; the API answered {len(answered)}")
    for entry, said in zip(answered, reported, strict=True):
        billed = price(entry)
        if abs(said - billed) > USD_TOLERANCE:
            return Verdict(False, f"{_call(entry)} is reported as {what} {_usd(said)}; its usage "
                                  f"({_usage_words(entry, output)}) costs {_usd(billed)} at the table's prices "
                                  f"({_price_words(entry, output)})")
    costs = [price(e) for e in answered]
    return Verdict(True, f"{len(answered)} calls, each {what} matching the usage the API sent "
                         f"({_usd(min(costs))} to {_usd(max(costs))}; prices as of {pricing.load_prices().as_of})")


def _ranges(tasks: Any) -> dict[str, tuple[float, float]] | None:
    if not isinstance(tasks, dict) or not tasks:
        return None
    out = {}
    for text, bounds in tasks.items():
        if not (isinstance(bounds, list) and len(bounds) == 2 and all(_number_or_none(b) is not None for b in bounds)):
            return None
        out[str(text)] = (float(bounds[0]), float(bounds[1]))
    return out


def _task(text: str) -> str:
    """'task classify:' -> 'classify'."""
    return text.strip().rstrip(":").removeprefix("task ").strip() or text


# ---- cost accumulator ----------------------------------------------------------------------------


@check("max_tokens_per_task", tasks=Field(dict))
def max_tokens_per_task(evidence: RunEvidence, tasks: dict[str, list[float]]) -> Verdict:
    """Each task's calls ask for a max_tokens in that task's sensible range: `tasks` maps prompt text to [low, high]."""
    ranges = _ranges(tasks)
    if ranges is None:
        return Verdict(False, "the lesson's params for this check must map prompt text to [lowest, highest]")
    asked: dict[str, list[int]] = {}
    for text in ranges:
        calls = evidence.call(text)
        if not calls:
            return Verdict(False, f"no '{_task(text)}' call reached the API{_crashed(evidence)}")
        asked[text] = sorted({e.max_tokens for e in calls if isinstance(e.max_tokens, int)})
    said = ", ".join(f"{_task(t)} {'/'.join(map(str, v))}" for t, v in asked.items())
    for text, (low, high) in ranges.items():
        outside = [v for v in asked[text] if not low <= v <= high]
        if outside:
            shared = len({tuple(v) for v in asked.values()}) == 1 and len(asked) > 1
            why = ("one ceiling for every task lets a one-word label cost as much as a reply"
                   if shared else f"a task like this needs {low:g} to {high:g}")
            return Verdict(False, f"the {_task(text)} calls asked for max_tokens {'/'.join(map(str, outside))}: {why} "
                                  f"(max_tokens asked: {said})")
    return Verdict(True, f"max_tokens per task: {said}")


@check("reports_session_costs")
def reports_session_costs(evidence: RunEvidence) -> Verdict:
    """The per-call costs and the session total main() returns are what the journal's usage costs."""
    per_call = _compare_costs(evidence, "usd", _cost, "cost")
    if not per_call.passed:
        return per_call
    spent = _number_or_none(evidence.returned.get("spent_usd"))
    billed = sum(_cost(e) for e in _answered(evidence))
    if spent is None:
        return Verdict(False, f"main() returned spent_usd {repr(evidence.returned.get('spent_usd'))[:60]}, not a "
                              f"number; the API billed {_usd(billed)}")
    if abs(spent - billed) > USD_TOLERANCE * max(1, len(_answered(evidence))):
        return Verdict(False, f"the session is reported as {_usd(spent)}; the API's usage adds up to {_usd(billed)} "
                              f"over {len(_answered(evidence))} calls")
    return Verdict(True, f"{per_call.evidence}; session {_usd(billed)}")


def _running_bill(answered: list[Any]) -> list[tuple[Any, float, float]]:
    """(entry, bill before it, bill after it), in the order the answers finished."""
    out, total = [], 0.0
    for entry in sorted(answered, key=lambda e: (e.finished_s or e.arrived_s, e.seq)):
        cost = _cost(entry)
        out.append((entry, total, total + cost))
        total += cost
    return out


@check("warns_after_soft_limit", soft_usd=Field((int, float)))
def warns_after_soft_limit(evidence: RunEvidence, soft_usd: float) -> Verdict:
    """One WARNING is logged, after the answer that takes the session past `soft_usd`, before the next request."""
    entries = list(evidence.messages)
    answered = _answered(evidence)
    if not answered:
        return Verdict(False, f"no request was answered{_crashed(evidence)}")
    if (unpriced := _unpriced(answered)) is not None:
        return unpriced
    bill = _running_bill(answered)
    crossing = next(((e, before, after) for e, before, after in bill if after >= soft_usd), None)
    if crossing is None:
        return Verdict(False, f"the API billed {_usd(bill[-1][2])} in all, under the {_limit(soft_usd)} soft limit, "
                              "so no warning was due (did the program stop before it had spent that much?)")
    entry, before, after = crossing
    passed = (f"{_call(entry)} took the session from {_usd(before)} to {_usd(after)}, past the {_limit(soft_usd)} "
              "soft limit")
    warnings = _warnings(evidence)
    if not warnings:
        return Verdict(False, f"{passed}, and no WARNING was logged (print() makes no log record; use log.warning)")
    timed = [(at, record) for at, record in warnings if at is not None]
    if not timed:
        return Verdict(False, f"{passed}; the program logged a WARNING but the grader cannot tell when")
    first_at, first = min(timed, key=lambda pair: pair[0])
    if entry.finished_s is not None and first_at < entry.finished_s:
        spent = sum(_cost(e) for e, _, _ in bill if e.finished_s is not None and e.finished_s <= first_at)
        return Verdict(False, f"the first WARNING {_quote(first)} came before {_call(entry)} was answered, when the "
                              f"API had billed {_usd(spent)}, under the {_limit(soft_usd)} soft limit: warn on what "
                              "was spent, after the answer that crosses it")
    following = _after(entries, entry)
    if following is not None and first_at > following.arrived_s:
        return Verdict(False, f"{passed}, but the first WARNING {_quote(first)} came only after {_call(following)} "
                              "was sent: warn as soon as the spending passes the limit")
    if len(warnings) > 1:
        return Verdict(False, f"{passed}; the program logged {len(warnings)} WARNINGs, not one (the first "
                              f"{_quote(first)}, the second {_quote(warnings[1][1])}): warn "
                              "once, when the spending first passes the limit, or the warning becomes noise")
    then = f" and before {_call(following)}" if following is not None else ""
    return Verdict(True, f"{passed}; the one WARNING {_quote(first)} came after its answer{then}")


@check("stops_before_cap", hard_usd=Field((int, float)))
def stops_before_cap(evidence: RunEvidence, hard_usd: float) -> Verdict:
    """The API's bill never passes `hard_usd`: the program refused the call that could cross it, not much earlier."""
    answered = _answered(evidence)
    if not answered:
        return Verdict(False, f"no request was answered{_crashed(evidence)}: the budget refused even the first call?")
    if (unpriced := _unpriced(answered)) is not None:
        return unpriced
    bill = _running_bill(answered)
    for entry, before, after in bill:
        if after > hard_usd + USD_TOLERANCE:
            return Verdict(False, f"{_call(entry)} took the bill from {_usd(before)} to {_usd(after)}, past the "
                                  f"{_limit(hard_usd)} cap: before each call, add its worst case to what was spent "
                                  "and refuse it if the sum is over the cap")
    if evidence.crashed:
        return Verdict(False, evidence.crashed)
    total = bill[-1][2]
    returned = evidence.returned if isinstance(evidence.returned, dict) else {}
    stopped = returned.get("stopped", "")
    if stopped is None:  # main() says the queue was done: no call was refused
        return Verdict(True, f"all {len(answered)} calls fit under the cap: the API billed {_usd(total)} of "
                             f"{_limit(hard_usd)}")
    largest = max(_worst_case(e) for e in answered)
    left = hard_usd - total
    if left > STOP_SLACK * largest:
        return Verdict(False, f"the program stopped after {len(answered)} calls with {_usd(left)} of the "
                              f"{_limit(hard_usd)} cap unspent, far more than any call it sent could cost (the largest "
                              f"worst case was {_usd(largest)}): refuse a call only when it could cross the hard "
                              "limit; the soft limit only warns")
    return Verdict(True, f"{len(answered)} calls billed {_usd(total)} of the {_limit(hard_usd)} cap, then the program "
                         f"stopped with {_usd(left)} left (a call's worst case is up to {_usd(largest)}): "
                         f"'{str(stopped)[:100]}'")


# ---- prompt caching ------------------------------------------------------------------------------


def _minimum(evidence: RunEvidence, model: str) -> int:
    from coach.stub.cache import min_cacheable_tokens

    configured = getattr(getattr(evidence.scenario, "response", None), "min_cacheable_tokens", None)
    return configured or min_cacheable_tokens(model)


def _numbers(entries: list[Any]) -> str:
    numbers = [_seq(e) for e in entries]
    if len(numbers) > 2 and numbers == list(range(numbers[0], numbers[-1] + 1)):
        return f"{numbers[0]}-{numbers[-1]}"
    return ", ".join(map(str, numbers))


@check("caches_prefix", text=Field(str), min_cut_pct=Field((int, float)))
def caches_prefix(evidence: RunEvidence, text: str, min_cut_pct: float) -> Verdict:
    """The calls sharing a stable prefix write it once and read it after, cutting their input cost by `min_cut_pct`%."""
    calls = [e for e in evidence.call(text) if e.status == 200 and e.usage]
    if not calls:
        return Verdict(False, f"no '{text}' request was answered{_crashed(evidence)}")
    if (unpriced := _unpriced(calls)) is not None:
        return unpriced
    if len(calls) < 2:
        return Verdict(False, f"only one '{text}' request was answered: a cache pays off from the second")
    if not any(e.cache_control_count for e in calls):
        return Verdict(False, f"none of the {len(calls)} '{text}' requests carried a cache_control breakpoint, so "
                              "each paid full price for the same system prompt: mark its last stable block with "
                              "\"cache_control\": {\"type\": \"ephemeral\"}")
    writes = [e for e in calls if _tokens(e.usage, "cache_creation_input_tokens")]
    reads = [e for e in calls if _tokens(e.usage, "cache_read_input_tokens")]
    first, later = calls[0], calls[1:]
    if not writes and not reads:
        minimum = _minimum(evidence, first.model or "")
        return Verdict(False, f"the '{text}' requests carried cache_control, yet nothing was written or read (both "
                              f"counters 0 on all {len(calls)}): the prompt up to the breakpoint must be shorter "
                              f"than the {minimum:,}-token minimum for {first.model}, so the API skipped caching "
                              f"without a word (request {_seq(first)}'s whole prompt is "
                              f"{first.input_tokens_estimated or 0:,} tokens: is the breakpoint on an early, short "
                              "block?): put it on the last block of the long, stable part")
    unread = [e for e in later if not _tokens(e.usage, "cache_read_input_tokens")]
    if unread:
        rewritten = [e for e in unread if _tokens(e.usage, "cache_creation_input_tokens")]
        why = (f"wrote a new cache entry ({_tokens(rewritten[0].usage, 'cache_creation_input_tokens'):,} tokens at "
               "1.25x or more) instead of reading one: something before the breakpoint changes on every request (a "
               "timestamp, an id, the question?); keep the varying part after it"
               if rewritten else "read nothing from the cache")
        return Verdict(False, f"of the later '{text}' requests, {_numbers(unread)} {why}")
    paid = sum(_input_cost(e) for e in calls)
    uncached = sum(_uncached_input_cost(e) for e in calls)
    cut = 100 * (1 - paid / uncached) if uncached else 0.0
    written = _tokens(first.usage, "cache_creation_input_tokens")
    summary = (f"request {_seq(first)} wrote {written:,} tokens, requests {_numbers(later)} read "
               f"{_tokens(later[0].usage, 'cache_read_input_tokens'):,}; their input cost {_usd(paid)} against "
               f"{_usd(uncached)} uncached: {cut:.0f}% less")
    if cut < min_cut_pct:
        hour = sum(_tokens(e.usage.get("cache_creation") or {}, "ephemeral_1h_input_tokens") for e in calls)
        span = calls[-1].arrived_s - calls[0].arrived_s
        why = (f"; {hour:,} tokens were written at the 1-hour rate (2x input) though all {len(calls)} requests came "
               f"within {span:.0f} s: the default 5-minute TTL (1.25x) is enough and is refreshed by every read"
               if hour else "; cache more of the stable part")
        return Verdict(False, f"{summary}, short of the {min_cut_pct:g}% that caching this prefix should save{why}")
    return Verdict(True, summary)


@check("warns_when_uncached")
def warns_when_uncached(evidence: RunEvidence) -> Verdict:
    """A WARNING follows each answer whose usage shows nothing written to or read from the cache, and no other."""
    entries = list(evidence.messages)
    answered = _answered(evidence)
    if not answered:
        return Verdict(False, f"no request was answered{_crashed(evidence)}")
    timed = [(at, record) for at, record in _warnings(evidence) if at is not None]
    uncached, cached = [], []
    for entry in answered:
        following = _after(entries, entry)
        end = following.arrived_s if following is not None else float("inf")
        after = [record for at, record in timed if entry.finished_s is not None and entry.finished_s <= at <= end]
        nothing = not (_tokens(entry.usage, "cache_creation_input_tokens") or _tokens(entry.usage,
                                                                                     "cache_read_input_tokens"))
        if nothing and not after:
            return Verdict(False, f"{_call(entry)} wrote nothing to the cache and read nothing (both counters 0), "
                                  "and no WARNING followed it: an uncached prompt is billed in full without an "
                                  "error, so the code has to notice")
        if not nothing and after:
            u = entry.usage
            return Verdict(False, f"a WARNING {_quote(after[0])} followed {_call(entry)}, which wrote "
                                  f"{_tokens(u, 'cache_creation_input_tokens'):,} and read "
                                  f"{_tokens(u, 'cache_read_input_tokens'):,} cache tokens: warn only when both "
                                  "counters are 0 (a request that writes the cache is caching working)")
        (uncached if nothing else cached).append(entry)
    if not uncached:
        return Verdict(False, "every answer wrote or read the cache, so no warning could be checked")
    return Verdict(True, f"requests {_numbers(uncached)} cached nothing and each was followed by a WARNING; none "
                         f"followed the {len(cached)} that wrote or read the cache")


@check("reports_input_cost")
def reports_input_cost(evidence: RunEvidence) -> Verdict:
    """Each call's input cost main() returns prices its cache writes and reads as the journal's usage says."""
    return _compare_costs(evidence, "input_usd", _input_cost, "input cost", output=False)
