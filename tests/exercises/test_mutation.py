"""Mutation testing proves each checklist complete: every mutant of a reference solution fails an item.

Mutants come from cosmic-ray's operators (the same ones `cosmic-ray init` uses), applied one at a
time to `solutions/<exercise>/reference.py`; each mutant is graded like any learner's file, and
it is killed when at least one checklist item fails. A survivor is either killed by a sharper
item or listed in EQUIVALENT with the reason it cannot be told apart from the reference.

CI grades a bounded sample (SAMPLE mutants per exercise); `COACH_FULL_BATTERY=1 pytest -m battery
tests/exercises/test_mutation.py` grades them all. docs/grading.md has the scores and the
cosmic-ray command that reproduces them.
"""

import ast
import os
from pathlib import Path

import pytest

from coach.curriculum import load_curriculum

from .conftest import Grade, exercise, failing, reference

cosmic_ray = pytest.importorskip("cosmic_ray")
from cosmic_ray.ast import ast_nodes, get_ast  # noqa: E402
from cosmic_ray.commands.init import _operators  # noqa: E402
from cosmic_ray.mutating import mutate_code  # noqa: E402

FULL = os.environ.get("COACH_FULL_BATTERY") == "1"
SAMPLE = 2
EXERCISES = [e.id for lesson in load_curriculum().lessons for e in lesson.exercises]

_IS_INTERNED = "CPython hands back the one interned object for these short strings, so `is` behaves as =="
_BLOCK_TYPES = ("the answers hold only thinking and text blocks, and 'thinking' sorts after 'text', so the comparison "
                "keeps the same blocks")
_SSE_FIELDS = ("the API's events carry only `event:` and `data:` fields, so a comparison that would also admit other "
               "field names (id, retry) keeps the same lines")
_SSE_NAMES = "no event name the API sends sorts before content_block_delta, so <= picks the same events as =="
_SSE_TIMEOUT = "no stream here stalls, so any read timeout longer than the longest silence (0.3 s) behaves the same"
_LATENCY_ROUNDING = ("latency_ms a thousandth off, or rounded to another decimal place: the item catches a wrong "
                     "unit or a wrong span; this is neither")
_SA_MORE_ROOM = ("the cut answer is asked again once with more room than the first (14 to 10,000 tokens): it either "
                 "fits, or is cut again and flagged, and the brief allows both")
_SA_FLAG_BRANCH = ("from_message's max_tokens branch runs only when the bigger retry is cut as well, which no case "
                   "here does (the retry's guard alone is judged)")
_SA_REFUSAL_SORT = ("the API sends end_turn, max_tokens or refusal here, and only refusal sorts at or after 'refusal', "
                    "so >= is ==")
_SA_UNREADABLE = "the whole answer is valid JSON with a string answer, so the fallback for an unreadable one never runs"
_SA_CATCH_ALL = ("every case raises one of the classes caught above it, so the last, generic anthropic.APIError clause "
                 "never runs (it stays for the classes this scenario does not send)")
_RM_FALLBACK_GUARD = ("the successor never answers 404, so the guard against a retired fallback (raise instead of "
                      "asking it again) never runs")
_RM_ONE_KIND_OF_404 = "every 404 here is the retired model's not_found_error, so the type test cannot be told apart"
_RM_BUDGET = "any max_tokens the answer fits in gives the same answer"
EQUIVALENT: dict[str, dict[str, str]] = {
    "retry-backoff": {
        "core/ReplaceComparisonOperator_Eq_GtE#0@48": "attempt never passes MAX_ATTEMPTS - 1, so >= is ==",
        "core/ReplaceComparisonOperator_Eq_Is#0@48": "small ints are one object in CPython, so `is` is ==",
        "core/ExceptionReplacer#0@36": "the API's retry-after is always a number of seconds, so the ValueError branch "
                                       "never runs, and the brief asks nothing of an unreadable one",
        "core/NumberReplacer#4@25": "MAX_DELAY_S 9: the ceilings reached (0.5, 1, 2 s) are far under the cap",
        "core/NumberReplacer#5@25": "MAX_DELAY_S 7: the ceilings reached (0.5, 1, 2 s) are far under the cap",
        "core/ReplaceBinaryOperator_Add_Pow#0@55": "ceiling / 2 ** uniform(0, ceiling / 2) is still random and, for "
                                                   "the ceilings reached (0.5, 1, 2 s), within half of the ceiling "
                                                   "to all of it, as the brief asks",
        "core/NumberReplacer#14@55": "a random part of up to a third of the ceiling instead of a half: still "
                                     "random and within the brief's band",
    },
    "streaming-reply": {
        **dict.fromkeys([f"core/ReplaceBinaryOperator_Mul_{op}#0@61" for op in ("Add", "Div", "FloorDiv", "Mod", "Pow")]
                        + ["core/NumberReplacer#18@61"],
                        "another pause (or none) between restarts: the brief asks for no pause, only for the restart"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@31" for n in range(2, 6)],
                        "a read timeout of 19 or 21 s, a connect timeout of 4 or 6 s: chat-sized, as the brief asks "
                        "(at most 60 s)"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@31" for n in (6, 7)]
                        + [f"core/ReplaceComparisonOperator_{op}@56" for op in (
                            "NotEq_Eq#1", "NotEq_Lt#0", "NotEq_Lt#1", "NotEq_LtE#1", "NotEq_Gt#0", "NotEq_Gt#1",
                            "NotEq_GtE#1", "Lt_Eq#0", "Lt_NotEq#0", "Lt_LtE#0", "Lt_Gt#0", "Lt_GtE#0")]
                        + [f"core/NumberReplacer#{n}@56" for n in range(14, 18)],
                        "which refused statuses are raised at once, and the SDK's retries of them: no request in the "
                        "scenario is refused (every answer is a 200 that breaks), and the brief asks only about the "
                        "four breaks. A reply refused with a 400 would make these kills, with a sentence in the brief"),
        "core/ReplaceComparisonOperator_Lt_NotEq#1@59": "attempt runs from 1 to MAX_ATTEMPTS, so != is <",
        "core/ReplaceComparisonOperator_Lt_IsNot#0@59": "small ints are one object in CPython, so `is not` is !=",
    },
    "prompt-caching": {
        **dict.fromkeys([f"core/NumberReplacer#{n}@22" for n in (2, 3, 6, 7)],
                        "the output and 1-hour cache-write prices: input_cost_usd uses neither"),
        **dict.fromkeys(["core/NumberReplacer#70@152", "core/NumberReplacer#71@152"],
                        "max_tokens 299 or 301: no item is about the answer's length"),
        **dict.fromkeys(["core/NumberReplacer#72@162", "core/NumberReplacer#73@162"],
                        "how much of the question the warning quotes"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@170" for n in range(76, 80)],
                        "off by a millionth of the figure or by one cache-read token (0.1 micro-dollar): within the "
                        "rounding to the micro-dollar that input-cost allows"),
    },
    "batch-pipeline": {
        "core/ReplaceComparisonOperator_GtE_Gt#0@57": "with exactly enough left the share missing is 0, and "
                                                      "max(delay, 0) waits nothing",
        **dict.fromkeys(["core/ReplaceComparisonOperator_Gt_NotEq#0@61", "core/ReplaceComparisonOperator_Gt_GtE#0@61"],
                        "delay starts at 0 and only grows, so it is never negative and sleep(0) waits nothing"),
        **dict.fromkeys(["core/ReplaceComparisonOperator_Eq_LtE#1@110", "core/ReplaceComparisonOperator_Eq_Is#1@110"],
                        "the answers hold text blocks only, and short strings are interned"),
        **dict.fromkeys(["core/ReplaceContinueWithBreak#0@47", "core/ReplaceContinueWithBreak#1@55"],
                        "every answer carries both buckets' headers, so neither loop meets a missing bucket"),
        **dict.fromkeys(["core/AddNot#3@73", "core/AddNot#4@74", "core/ReplaceOrWithAnd#0@75"],
                        "the reason falls back to the SDK's error.message, which names the API's own message too"),
        **dict.fromkeys(["core/ReplaceComparisonOperator_Eq_GtE#0@101", "core/ReplaceComparisonOperator_Eq_Is#0@101"],
                        "attempt never passes MAX_ATTEMPTS - 1, and small ints are one object in CPython"),
        "core/ReplaceBinaryOperator_FloorDiv_Div#0@68": "the same estimate as a float, a fraction of a token higher",
        **dict.fromkeys([f"core/ReplaceBinaryOperator_Add_{op}@68" for op in ("BitOr#0", "BitOr#1", "BitXor#0",
                                                                               "BitXor#1")],
                        "an estimate off by at most the system prompt's 39 characters or 16 tokens: the brief asks "
                        "for about len(text) / 4"),
        **dict.fromkeys(["core/ReplaceBinaryOperator_Sub_RShift#3@101", "core/NumberReplacer#26@101"],
                        "failed is recorded at the third error and the fourth attempt still goes out, then sleeps "
                        "one needless backoff: the common shape that backs off after every failure, the last one "
                        "too, which wastes under MAX_DELAY_S and which the brief does not forbid"),
        "core/AddNot#6@99": "a failed answer's rate-limit headers are not read, so the retry after it goes out "
                            "unpaced: the only 429 here says retry-after 20, which refills the bucket anyway, and "
                            "the documents retried after a 529 or a 500 are a few hundred tokens, which the bucket "
                            "holds then (the mutant meets no 429 of the limiter's)",
        **dict.fromkeys(["core/ReplaceBinaryOperator_Mul_Add#0@60", "core/ReplaceBinaryOperator_Mul_Sub#0@60"],
                        "waits until -reset give or take the share (under a second): the brief allows waiting until "
                        "-reset"),
        **dict.fromkeys(["core/ReplaceBinaryOperator_Mul_Add#1@83", "core/ReplaceBinaryOperator_Mul_Pow#1@83",
                         "core/ReplaceBinaryOperator_Pow_Add#0@83", "core/NumberReplacer#2@23"]
                        + [f"core/ReplaceBinaryOperator_Div_{op}#{n}@84" for op in ("Add", "Mul", "Pow", "Mod")
                           for n in (1, 2)]
                        + ["core/ReplaceBinaryOperator_Add_Div#2@84", "core/ReplaceBinaryOperator_Add_Pow#2@84"],
                        "another backoff that still grows or holds, is jittered and pauses at least 0.2 s: the batch "
                        "brief asks for backoff with jitter, not retry-backoff's band"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@84" for n in (20, 21, 22, 24, 25)] + ["core/NumberReplacer#18@83"],
                        "another jittered backoff (a floor of a third or all of the ceiling, a wider random part, "
                        "3**n): the batch brief asks for backoff with jitter, not retry-backoff's band"),
        **dict.fromkeys(["core/NumberReplacer#4@25", "core/NumberReplacer#5@25"],
                        "MAX_DELAY_S 7 or 9: the ceilings reached (0.5 and 1 s) are far under the cap"),
        **dict.fromkeys(["core/NumberReplacer#7@52", "core/NumberReplacer#13@61", "core/NumberReplacer#11@60",
                         "core/NumberReplacer#10@60"],
                        "a starting delay of -1, sleeping only above -1, or a floor of 0 or 2 under limit - remaining: "
                        "the wait is the same (never negative, and the bucket's limit is far above its remaining)"),
        **dict.fromkeys(["core/NumberReplacer#8@53", "core/NumberReplacer#9@53"],
                        "the requests bucket is plentiful in this scenario, so needing 0 or 2 of it changes no wait"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@68" for n in (15, 16, 17)],
                        "an estimate a third higher or a token off: the pacing still waits at most until -reset"),
    },
    "cost-accumulator": {
        **dict.fromkeys(["core/ReplaceComparisonOperator_NotEq_Gt#0@48",
                         "core/ReplaceComparisonOperator_NotEq_IsNot#0@48"],
                        "the keys left (messages, model, system) all sort after max_tokens, and short strings are "
                        "interned: the same request is counted"),
        "core/ReplaceComparisonOperator_Gt_GtE#0@63": "spent plus a worst case never equals the hard limit exactly",
        "core/ReplaceComparisonOperator_GtE_Gt#0@75": "the spending never equals the soft limit exactly",
        **dict.fromkeys([f"core/NumberReplacer#{n}@23" for n in (6, 7)]
                        + [f"core/NumberReplacer#{n}@25" for n in (16, 17)],
                        "a 1-hour cache-write price: no request asks for the 1-hour TTL"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@25" for n in (14, 15)]
                        + [f"core/NumberReplacer#{n}@26" for n in (18, 19)],
                        "Haiku's cache prices: only the Sonnet drafts are cached, so no Haiku call writes or reads"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@37" for n in range(24, 30)],
                        "a ceiling one token off is still inside the task's band, and the refusal comes at the "
                        "same call"),
        **dict.fromkeys([f"core/NumberReplacer#{n}@49" for n in (30, 31)]
                        + [f"core/NumberReplacer#{n}@73" for n in range(36, 40)],
                        "off by a millionth of the figure or by one cache-read token (0.1 micro-dollar): within the "
                        "rounding to the micro-dollar that costs-match allows"),
    },
    "nightly-batch": {
        "core/NumberReplacer#0@17": "POLL_S 61: still a pace of a minute, far above the item's 10 s",
        "core/NumberReplacer#1@17": "POLL_S 59: still a pace of a minute, far above the item's 10 s",
        "core/NumberReplacer#4@27": "MAX_ROUNDS 4: a cap on rounds is a judgement call, and every fault here clears "
                                    "in one resubmission",
        "core/NumberReplacer#5@27": "MAX_ROUNDS 2: the first batch and one resubmission, which is all the "
                                    "scenario's once-only faults need; the brief asks for a cap, not its size",
        "core/ReplaceBreakWithContinue#0@39": "with nothing pending every later round also does nothing",
        "core/ReplaceComparisonOperator_Eq_GtE#0@47": "of the four result types only 'succeeded' sorts at or after "
                                                      "'succeeded'",
        "core/ReplaceComparisonOperator_Eq_Is#0@47": "the SDK's Literal validation hands back the literal's own "
                                                     "string, so `is` is ==",
        "core/ReplaceComparisonOperator_Eq_Is#1@48": "the SDK's Literal validation hands back the literal's own "
                                                     "string, so `is` is ==",
        "core/ReplaceComparisonOperator_Eq_Is#2@50": "the SDK's Literal validation hands back the literal's own "
                                                     "string, so `is` is ==",
        "core/ReplaceComparisonOperator_Eq_Is#3@54": "the SDK's Literal validation hands back the literal's own "
                                                     "string, so `is` is ==",
    },
    "observed-call": {
        "core/NumberReplacer#0@38": _LATENCY_ROUNDING,
        "core/NumberReplacer#1@38": _LATENCY_ROUNDING,
        "core/NumberReplacer#2@38": _LATENCY_ROUNDING,
        "core/NumberReplacer#3@38": _LATENCY_ROUNDING,
    },
    "safe-answer": {
        "core/ReplaceBinaryOperator_Mul_Add#0@61": _SA_MORE_ROOM,
        "core/ReplaceBinaryOperator_Mul_Pow#0@61": _SA_MORE_ROOM,
        "core/ReplaceBinaryOperator_Mul_LShift#0@61": _SA_MORE_ROOM,
        "core/ReplaceBinaryOperator_Mul_BitOr#0@61": _SA_MORE_ROOM,
        "core/ReplaceBinaryOperator_Mul_BitXor#0@61": _SA_MORE_ROOM,
        "core/ReplaceComparisonOperator_Eq_LtE#2@46": _BLOCK_TYPES,
        "core/ReplaceComparisonOperator_Eq_Gt#1@44": _SA_FLAG_BRANCH,
        "core/ReplaceComparisonOperator_Eq_GtE#0@42": _SA_REFUSAL_SORT,
        "core/ReplaceComparisonOperator_Eq_GtE#1@44": _SA_FLAG_BRANCH,
        "core/ReplaceComparisonOperator_Eq_Is#0@42": _IS_INTERNED,
        "core/ReplaceComparisonOperator_Eq_Is#1@44": _SA_FLAG_BRANCH,
        "core/ReplaceComparisonOperator_Eq_Is#2@46": _BLOCK_TYPES,
        "core/ReplaceComparisonOperator_Eq_Is#3@60": _IS_INTERNED,
        "core/ExceptionReplacer#0@49": _SA_UNREADABLE,
        "core/ExceptionReplacer#1@49": _SA_UNREADABLE,
        "core/ExceptionReplacer#2@49": _SA_UNREADABLE,
        "core/ExceptionReplacer#11@79": _SA_CATCH_ALL,
        "core/NumberReplacer#0@61": _SA_MORE_ROOM,
        "core/NumberReplacer#1@61": _SA_MORE_ROOM,
    },
    "sse-parser": {
        "core/ReplaceComparisonOperator_Eq_LtE#1@47": _SSE_FIELDS,
        "core/ReplaceComparisonOperator_Eq_LtE#3@63": _SSE_NAMES,
        "core/ReplaceComparisonOperator_Eq_GtE#0@45": _SSE_FIELDS,
        "core/ReplaceComparisonOperator_Eq_GtE#1@47": _SSE_FIELDS,
        "core/ReplaceComparisonOperator_Eq_IsNot#1@47": _SSE_FIELDS,
        "core/NumberReplacer#0@57": _SSE_TIMEOUT,
        "core/NumberReplacer#1@57": _SSE_TIMEOUT,
    },
    "retired-model": {
        "core/ReplaceComparisonOperator_Eq_LtE#1@37": _BLOCK_TYPES,
        "core/ReplaceComparisonOperator_Eq_Gt#0@31": _RM_FALLBACK_GUARD,
        "core/ReplaceComparisonOperator_Eq_GtE#0@31": _RM_FALLBACK_GUARD,
        "core/ReplaceComparisonOperator_Eq_Is#0@31": _RM_FALLBACK_GUARD,
        "core/ReplaceComparisonOperator_Eq_Is#1@37": _IS_INTERNED,
        "core/ReplaceComparisonOperator_NotEq_Lt#0@31": _RM_ONE_KIND_OF_404,
        "core/ReplaceComparisonOperator_NotEq_Gt#0@31": _RM_ONE_KIND_OF_404,
        "core/ReplaceComparisonOperator_NotEq_Is#0@31": _RM_ONE_KIND_OF_404,
        "core/ReplaceOrWithAnd#0@31": _RM_FALLBACK_GUARD,
        "core/NumberReplacer#0@41": _RM_BUDGET,
        "core/NumberReplacer#1@41": _RM_BUDGET,
    },
}
"""exercise -> mutant id -> why no behaviour can tell it from the reference, as far as the brief asks."""

SURVIVORS: dict[str, dict[str, str]] = {
    "batch-pipeline": {
        **dict.fromkeys([f"core/ReplaceBinaryOperator_Sub_{op}@60" for op in ("BitOr#1", "BitXor#1", "BitXor#2")],
                        "pacing that waits a share worked out with bitwise arithmetic: here it lands within a "
                        "second of the right share, so neither few-429s nor no-idle-waits can tell"),
        "core/NumberReplacer#6@52": "a pause of 1 s before every request: idle, but under no-idle-waits' allowance "
                                    "of one backoff",
        **dict.fromkeys(["core/ReplaceBinaryOperator_Mul_Div#1@83", "core/ReplaceBinaryOperator_Mul_Mod#1@83",
                         "core/NumberReplacer#19@83"],
                        "a backoff whose ceiling shrinks or stays: backoff-jitter judges jitter and a floor, "
                        "not growth (a right solution's decorrelated jitter may shrink too)"),
    },
    # (cost-accumulator's Mul_LShift#6@110 is in account_history: equivalent as given code, see GIVEN.)
    "cost-accumulator": dict.fromkeys(
        [f"core/ReplaceBinaryOperator_Mul_{op}#0@49" for op in ("Add", "Sub", "Div", "FloorDiv")],
        "worst_case_usd under-prices the counted input (by half or more), yet the refusal falls at the same call: "
        "even the under-priced worst case takes the $0.0518 spent past the $0.060 cap. A cap within $0.001 of the "
        "true worst case would kill it, but only by tuning the cap to this reference's last call"),
    "nightly-batch": {
        "core/ReplaceComparisonOperator_Eq_LtE#1@48": "block.type <= 'text' also takes redacted_thinking blocks "
                                                      "(and fails on them); the stub never sends one",
        "core/ReplaceComparisonOperator_NotEq_Gt#0@42": "processing_status > 'ended' stops polling at 'canceling'; "
                                                        "no batch here is ever canceled while in progress",
    },
}
"""Mutants no item kills yet: each needs a sharper item (issue 13, left open)."""


GIVEN: dict[str, set[str]] = {
    "retry-backoff": {"CASES", "main", "__main__"},
    "batch-pipeline": {"LONG_REPORTS", "_WORDS", "request_for", "load_documents", "main", "__main__"},
    "cost-accumulator": {"TICKETS", "account_history", "STYLE_GUIDE", "PROMPTS", "request_for", "main", "__main__"},
    "prompt-caching": {"INSTRUCTIONS", "_POLICY_SECTIONS", "_CATEGORIES", "REFUND_POLICY", "SHIPPING_FAQ",
                       "WARRANTY_TERMS", "QUESTIONS", "main", "__main__"},
    "streaming-reply": {"screen_log", "ChatWindow", "CASES", "main", "__main__"},
    "sse-parser": {"CASES", "__main__", "main"},
    "observed-call": {"CASES", "__main__", "main"},
    "safe-answer": {"CASES", "QUESTION", "SYSTEM", "__main__", "main"},
    "async-enrichment": {"TICKETS", "__main__", "main", "request_for"},
    "retired-model": {"QUESTIONS", "__main__", "main"},
    "nightly-batch": {"NOTES", "__main__", "main", "request_for"},
}
"""exercise -> the top-level statements its starter gives verbatim, for the learner to leave as they are.

A mutant there that survives is not a mistake a learner can make (the brief says to leave that code
alone), so it counts as equivalent; one that is killed still counts as killed."""


def _statement_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.FunctionDef | ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.If) and "__main__" in ast.unparse(node.test):
        return "__main__"
    return None


def _given_statements(exercise_id: str, path: Path) -> dict[str, tuple[str, range]]:
    """name -> (source, lines) of the GIVEN statements of a file."""
    source = path.read_text(encoding="utf-8")
    found = {}
    for node in ast.parse(source).body:
        name = _statement_name(node)
        if name in GIVEN.get(exercise_id, set()):
            found[name] = (ast.get_source_segment(source, node) or "", range(node.lineno, (node.end_lineno or 0) + 1))
    return found


def _in_given_code(exercise_id: str, mutant_id: str) -> bool:
    line = int(mutant_id.rsplit("@", 1)[1])
    return any(line in lines for _, lines in _given_statements(exercise_id, reference(exercise_id)).values())


@pytest.mark.parametrize("exercise_id", sorted(GIVEN))
def test_the_code_counted_as_given_is_the_starters_word_for_word(exercise_id: str) -> None:
    ours = _given_statements(exercise_id, reference(exercise_id))
    starter = _given_statements(exercise_id, exercise(exercise_id).starter)
    assert set(ours) == GIVEN[exercise_id]
    assert {name for name, (source, _) in ours.items() if starter.get(name, ("",))[0] != source} == set()


def _mutants(exercise_id: str) -> list[str]:
    """The id of every mutant: `operator#occurrence@line`, for every occurrence of every cosmic-ray operator."""
    tree = get_ast(reference(exercise_id).read_text(encoding="utf-8"))
    found = []
    for name, _, operator in _operators({}):  # every operator, with the defaults `cosmic-ray init` uses
        positions = [pos for node in ast_nodes(tree) for pos in operator.mutation_positions(node)]
        found += [f"{name}#{occurrence}@{start[0]}" for occurrence, (start, _) in enumerate(positions)]
    return found


def _mutated(exercise_id: str, mutant_id: str) -> str | None:
    """The reference with that one mutation applied; None when cosmic-ray cannot apply it."""
    source = reference(exercise_id).read_text(encoding="utf-8")
    name, _, rest = mutant_id.partition("#")
    operator = next(op for n, _, op in _operators({}) if n == name)
    try:
        mutated = mutate_code(source, operator, int(rest.split("@")[0]))
    except AttributeError:  # cosmic-ray 8.7's exception replacer cannot rewrite `except (A, B)`
        return None
    return mutated if mutated != source else None


def _chosen() -> list[tuple[str, str]]:
    chosen = []
    for exercise_id in EXERCISES:
        mutants = _mutants(exercise_id)
        step = max(1, len(mutants) // SAMPLE)
        chosen += [(exercise_id, m) for m in (mutants if FULL else mutants[::step][:SAMPLE])]
    return chosen


@pytest.mark.battery
@pytest.mark.parametrize(("exercise_id", "mutant_id"), _chosen())
def test_mutant_of_the_reference_fails_an_item(grade: Grade, tmp_path: Path, exercise_id: str,
                                               mutant_id: str) -> None:
    if mutant_id in EQUIVALENT.get(exercise_id, {}):
        pytest.skip(f"equivalent: {EQUIVALENT[exercise_id][mutant_id]}")
    if mutant_id in SURVIVORS.get(exercise_id, {}):
        pytest.xfail(f"known survivor: {SURVIVORS[exercise_id][mutant_id]}")
    source = _mutated(exercise_id, mutant_id)
    if source is None:
        pytest.skip("cosmic-ray could not apply this mutation")
    file = tmp_path / "reference.py"
    file.write_text(source, encoding="utf-8")
    survived = not failing(grade(exercise_id, file))
    if survived and _in_given_code(exercise_id, mutant_id):
        pytest.skip("equivalent: a change to the code the starter gives and the brief says to leave as it is")
    assert not survived, f"{exercise_id} mutant {mutant_id} survived every item"


JUDGED_IN_FULL = set(EXERCISES)
"""Exercises whose every mutant was graded and every survivor judged (docs/grading.md has their scores)."""


@pytest.mark.parametrize("exercise_id", sorted(JUDGED_IN_FULL))
def test_every_listed_mutant_is_a_mutant_of_the_current_reference(exercise_id: str) -> None:
    """Ids carry line numbers: an edit of the reference that moves lines must carry its lists along."""
    listed = {**EQUIVALENT.get(exercise_id, {}), **SURVIVORS.get(exercise_id, {})}
    assert set(listed) - set(_mutants(exercise_id)) == set()
