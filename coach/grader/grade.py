"""Grade one exercise: stub with the exercise's scenario, learner code in the sandbox, checklist.

The verdict comes from the stub's journal and the sandbox's result, never from what the
learner's code says about itself.
"""

from __future__ import annotations

import ast
import dataclasses
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from coach.curriculum.model import CheckItem, Exercise
from coach.grader.checks import Verdict, get_check
from coach.grader.evidence import RunEvidence
from coach.grader.learner_error import learner_error
from coach.grader.report import GradeReport, ItemResult, TimelinePoint
from coach.scenario_time import VirtualClock, VirtualTimeUnavailable

DEFAULT_SEED = 1
"""The seed a grade runs with unless told otherwise: the same file gets the same run every time."""
SETTLE_S = 0.5
"""Wall seconds to wait, after the program ended, for the stub to see its last connections close."""


@dataclass(frozen=True)
class GradeProgress:
    """What the app's progress bar shows while learner code runs."""

    requests: int
    rate_limited: int
    errors: int
    scenario_s: float


class GradeError(Exception):
    """The exercise could not be graded (bad scenario, unreadable file): not the learner's fault."""


def grade_exercise(
    exercise: Exercise,
    file: Path,
    *,
    on_progress: Callable[[GradeProgress], None] | None = None,
    pool: object | None = None,
    seed: int = DEFAULT_SEED,
) -> GradeReport:
    """`pool`: a `WarmPool`, or a function that returns one (or None: start cold), called only once the
    run's stub is serving, so a pool still importing the SDK overlaps the scenario, the stub and its imports."""
    from coach.stub.scenario import ScenarioError, load_scenario

    try:
        source = file.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise GradeError(f"cannot read {file}: {exc}") from exc
    try:
        scenario = load_scenario(exercise.scenario)
    except ScenarioError as exc:
        raise GradeError("\n".join(str(e) for e in exc.errors)) from exc

    started = time.monotonic()
    tree = _parse(source)  # once, here: CPython 3.11's parser is not safe to run from two threads at once
    seeds = max((c.seeds for item in exercise.checks if (c := get_check(item.check)) is not None), default=1)
    # A property such as jitter shows only as a difference between seeded runs. Each run has its own
    # stub and clock, so the others run beside the first: one waits on its program while another's stub works.
    with ThreadPoolExecutor(max_workers=max(1, seeds - 1)) as others:  # no thread starts until a submit
        reruns = [others.submit(_run, exercise, file, source, tree, scenario, seed=seed + n, pool=pool,
                                on_progress=None)
                  for n in range(1, seeds)]
        evidence = _run(exercise, file, source, tree, scenario, seed=seed, pool=pool, on_progress=on_progress)
        if reruns:
            evidence = dataclasses.replace(evidence, reruns=tuple(rerun.result() for rerun in reruns))
    result, journal = evidence.result, list(evidence.journal)
    items = tuple(_judge(item, evidence) for item in exercise.checks)
    return GradeReport(
        exercise=exercise.id,
        passed=all(item.passed for item in items),
        items=items,
        timeline=tuple(_timeline(journal)),
        isolation=result.isolation,
        wall_s=time.monotonic() - started,
        scenario_s=result.scenario_s,
        exit_code=result.exit_code,
        timed_out=result.timed_out,
        limit_hit=result.limit_hit,
        stdout=result.stdout,
        stderr=result.stderr,
        limits=dataclasses.asdict(scenario.limits),
        seed=result.seed,
        error=learner_error(source, result.stderr, file.name),
        returned=result.return_value,
    )


def _run(exercise: Exercise, file: Path, source: str, tree: ast.Module | None, scenario: Any, *, seed: int,
         pool: object | None, on_progress: Callable[[GradeProgress], None] | None) -> RunEvidence:
    """One run of the file in the sandbox against a fresh stub and clock."""
    from coach.sandbox import SandboxRequest, run_sandboxed
    from coach.stub.runner import StubThread

    try:
        clock = VirtualClock()
    except VirtualTimeUnavailable as exc:
        raise GradeError(str(exc)) from exc
    try:
        with StubThread(scenario, clock) as stub:
            if on_progress is not None:
                stub.journal.subscribe(_ProgressTally(clock, on_progress))
            result = run_sandboxed(
                SandboxRequest(file=file, entry=exercise.entry, clock=clock, stub=stub, timeout_s=exercise.timeout_s,
                               seed=seed),
                pool() if callable(pool) else pool,  # type: ignore[arg-type]
            )
            stub.journal.settle(SETTLE_S)  # requests the program left open end when its sockets close
            journal = stub.journal.entries()
    finally:
        clock.close()
    return RunEvidence(
        exercise=exercise, journal=tuple(journal), result=result, source=source, tree=tree,
        scenario=scenario, clock=clock, seed=seed,
    )


def _parse(source: str) -> ast.Module | None:
    try:
        return ast.parse(source)
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # null bytes, absurd nesting: no tree to read
        return None


def _judge(item: CheckItem, evidence: RunEvidence) -> ItemResult:
    check = get_check(item.check)
    if check is None:
        verdict = Verdict(False, f"the lesson names a check '{item.check}' that does not exist (run `coach lint`)")
    else:
        try:
            verdict = check(evidence, item.params)
        except Exception as exc:  # a broken check must not hide the rest of the report
            verdict = Verdict(False, check.failure(exc))
    return ItemResult(item.id, item.description, verdict.passed, verdict.evidence, item.hint)


class _ProgressTally:
    """Running counts from the journal's events: a batch of hundreds of requests costs O(1) per event."""

    def __init__(self, clock: VirtualClock, report: Callable[[GradeProgress], None]) -> None:
        self.clock, self.report = clock, report
        self.requests = self.rate_limited = self.errors = 0

    def __call__(self, entry: Any) -> None:
        if entry.finished_s is None:
            self.requests = max(self.requests, entry.seq)
        else:
            self.rate_limited += entry.status == 429
            self.errors += (entry.status or 0) >= 400 or entry.stream_end not in (None, "complete")
        self.report(GradeProgress(self.requests, self.rate_limited, self.errors, self.clock.now()))


def _timeline(journal: list) -> list[TimelinePoint]:
    points = []
    for e in journal:
        usage = e.usage or {}
        points.append(TimelinePoint(
            seq=e.seq, arrived_s=e.arrived_s, finished_s=e.finished_s, status=e.status,
            error_type=e.error_type, retry_count=e.retry_count,
            input_tokens=int(usage.get("input_tokens") or 0), output_tokens=int(usage.get("output_tokens") or 0),
            stream=bool(e.stream), stream_end=e.stream_end,
        ))
    return points
