"""Scenarios: what the stub's API is like today (limits, pacing) and which requests it breaks.

A scenario is a TOML file. Bundled ones live in `coach/stub/scenarios/`, a user's own in
`coach.paths.user_scenarios_dir()` (a user file with a bundled name wins). Errors name
file, line and key, like lesson files. Every value is in scenario seconds.

    summary = "The first two requests get 429 with retry-after: 1, then all succeed."
    speed = 20             # only for `coach stub` serving your own app in real time (default 1, --speed wins);
                           # grading and `coach run` use virtual scenario time, where speed means nothing
    seed = 7               # for `probability` faults: same seed, same faults

    [response]             # pacing and length of the generated answer
    output_tokens = 40     # tokens of text when max_tokens allows it
    ttft = 0.4             # seconds before the first token
    tokens_per_second = 80 # 0 means "all at once"
    tokens_per_delta = 3   # a stream's thinking and text deltas carry this many tokens each (the API's
                           # carry several: a word or two up to a sentence); each arrives when the tokens
                           # before it have had their time at tokens_per_second
    min_cacheable_tokens = 1024   # optional; default depends on the model
    text = '{"answer": 42}'       # optional: this answer text for every request (output_tokens follows it)

    [limits]               # token buckets per API key and model class, continuously refilled
    requests_per_minute = 50
    input_tokens_per_minute = 30000   # input + cache creation, not cache reads
    output_tokens_per_minute = 8000

    [[turns]]              # optional: the model's answer per turn (turn 1 has no assistant message before it)
    tool = "get_weather"   # call this tool (if the request offers it) ...
    input = { city = "Paris" }     # ... with this input (default: a minimal valid instance of its schema)
    text = "It is sunny."  # or answer this text

    [thinking]
    tokens = 24            # thinking tokens when a request thinks (see the model catalogue)

    [batch]                # Message Batches
    seconds = 30           # scenario seconds a batch is in progress before it ends
    shuffle_results = true # results in a seeded order, not the requests' (the API promises no order)

    [[batch_faults]]       # the result of these batch requests, by custom_id
    custom_ids = ["doc-3"]
    result = "errored"     # errored | canceled | expired
    error_type = "overloaded_error"   # errored: the error's type (default api_error)
    message = "Overloaded"            # errored: its message
    times = 1              # only the first this many results of these requests (a transient error that a
                           # resubmission gets past); default every time

    [[faults]]             # first matching fault wins; a request gets at most one
    kind = "status"        # status | spend-cap | latency | stall | refusal | stream-error | stream-reset
                           # | stream-clean-close | pings
    status = 429           # kind = "status": the HTTP status; error.type follows it
    retry_after = 1        # optional retry-after header (whole seconds)
    should_retry = false   # optional x-should-retry header
    requests = [1, 2]      # match: 1-based number of the POST /v1/messages request
    attempt = 0            # match: x-stainless-retry-count
    key = "sk-revoked"     # match: this API key (kept only as a fingerprint)
    stream = true          # match: only streaming (true) or non-streaming (false) requests
    probability = 0.1      # match: with this probability (seeded)
    times = 1              # apply at most this many times in all
    after_deltas = 3       # stream cuts, stalls and refusals: text deltas sent before the fault (a refusal
                           # that is not streamed holds the text those deltas would carry);
                           # pings: a ping event after every this many deltas (a keep-alive, not a failure)
    seconds = 2.0          # latency and stall: how long
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from coach import paths
from coach.curriculum.locate import key_lines, line_of
from coach.curriculum.model import LocatedError
from coach.curriculum.schema import Field, check_table, did_you_mean
from coach.stub.keys import key_fingerprint
from coach.tomlfile import TomlFileError, non_finite_keys, parse_toml

BUNDLED_DIR = Path(__file__).resolve().parent / "scenarios"

FAULT_KINDS = (
    "status", "spend-cap", "latency", "stall", "refusal", "stream-error", "stream-reset", "stream-clean-close",
    "pings",
)
STREAM_ONLY_KINDS = ("stream-error", "stream-reset", "stream-clean-close", "pings")

# error.type for each status, as the real API sends them
ERROR_TYPES = {
    400: "invalid_request_error",
    401: "authentication_error",
    402: "billing_error",
    403: "permission_error",
    404: "not_found_error",
    408: "timeout_error",
    409: "invalid_request_error",
    413: "request_too_large",
    429: "rate_limit_error",
    500: "api_error",
    502: "api_error",
    503: "api_error",
    504: "timeout_error",
    529: "overloaded_error",
}

DEFAULT_MESSAGES = {
    "invalid_request_error": "Invalid request.",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found.",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "This request would exceed the rate limit for your organization. Please retry later.",
    "api_error": "Internal server error",
    "timeout_error": "Request timeout",
    "overloaded_error": "Overloaded",
}

_RESPONSE = {
    "output_tokens": Field(int, required=False),
    "ttft": Field((int, float), required=False),
    "tokens_per_second": Field((int, float), required=False),
    "tokens_per_delta": Field(int, required=False),
    "min_cacheable_tokens": Field(int, required=False),
    "text": Field(str, required=False),
}
_LIMITS = {
    "requests_per_minute": Field(int, required=False),
    "input_tokens_per_minute": Field(int, required=False),
    "output_tokens_per_minute": Field(int, required=False),
}
_FAULT = {
    "name": Field(str, required=False),
    "kind": Field(str, choices=FAULT_KINDS),
    "status": Field(int, required=False, choices=tuple(ERROR_TYPES)),
    "message": Field(str, required=False),
    "retry_after": Field(int, required=False),
    "should_retry": Field(bool, required=False),
    "requests": Field(list, required=False, item=int),
    "attempt": Field(int, required=False),
    "key": Field(str, required=False),
    "stream": Field(bool, required=False),
    "text": Field(str, required=False),
    "probability": Field((int, float), required=False),
    "times": Field(int, required=False),
    "after_deltas": Field(int, required=False),
    "seconds": Field((int, float), required=False),
}
_TURN = {
    "tool": Field(str, required=False),
    "input": Field(dict, required=False),
    "text": Field(str, required=False),
}
_THINKING = {
    "tokens": Field(int, required=False),
}
_BATCH = {
    "seconds": Field((int, float), required=False),
    "shuffle_results": Field(bool, required=False),
}
_BATCH_FAULT = {
    "custom_ids": Field(list, item=str),
    "result": Field(str),
    "error_type": Field(str, required=False),
    "message": Field(str, required=False),
    "times": Field(int, required=False),
}
BATCH_RESULTS = ("errored", "canceled", "expired")
SCENARIO = {
    "summary": Field(str),
    "speed": Field((int, float), required=False),
    "seed": Field(int, required=False),
    "max_body_bytes": Field(int, required=False),
    "response": Field(dict, required=False, table=_RESPONSE),
    "limits": Field(dict, required=False, table=_LIMITS),
    "faults": Field(list, required=False, table=_FAULT),
    "turns": Field(list, required=False, table=_TURN),
    "thinking": Field(dict, required=False, table=_THINKING),
    "batch": Field(dict, required=False, table=_BATCH),
    "batch_faults": Field(list, required=False, table=_BATCH_FAULT),
}


@dataclass(frozen=True)
class Pacing:
    output_tokens: int = 40
    ttft: float = 0.4
    tokens_per_second: float = 80.0
    tokens_per_delta: int = 3
    """Thinking and text tokens per streamed delta: the API's deltas carry several, not one each."""
    min_cacheable_tokens: int | None = None
    text: str | None = None
    """The answer to every request, instead of generated words (e.g. the JSON an extraction expects)."""


@dataclass(frozen=True)
class Limits:
    """Per-minute token buckets, per API key. Defaults are a roomy tier: faults come from `faults`."""

    requests_per_minute: int = 4000
    input_tokens_per_minute: int = 2_000_000
    output_tokens_per_minute: int = 400_000


@dataclass(frozen=True)
class Fault:
    name: str
    kind: str
    status: int | None = None
    message: str | None = None
    retry_after: int | None = None
    should_retry: bool | None = None
    requests: tuple[int, ...] | None = None
    attempt: int | None = None
    key_fingerprint: str | None = None
    stream: bool | None = None
    text: str | None = None
    """Only requests whose last user message contains this text."""
    probability: float | None = None
    times: int | None = None
    after_deltas: int = 3
    seconds: float | None = None

    @property
    def error_type(self) -> str:
        if self.kind == "spend-cap":
            return "rate_limit_error"
        if self.kind == "stream-error":
            return "overloaded_error"
        return ERROR_TYPES.get(self.status or 500, "api_error")


@dataclass(frozen=True)
class ScriptedCall:
    name: str
    input: dict[str, Any] | None = None
    """None: a minimal valid instance of the tool's input_schema."""


@dataclass(frozen=True)
class ScriptedTurn:
    """What the model does on one turn: call tools, or answer this text."""

    calls: tuple[ScriptedCall, ...] = ()
    text: str | None = None


@dataclass(frozen=True)
class BatchFault:
    custom_ids: tuple[str, ...]
    result: str
    error_type: str = "api_error"
    message: str | None = None
    times: int | None = None
    """At most this many results in all (across batches) get this fault; None: every one."""


@dataclass(frozen=True)
class Scenario:
    name: str
    summary: str
    speed: float | None = None
    seed: int = 0
    max_body_bytes: int = 32 * 1024 * 1024
    response: Pacing = field(default_factory=Pacing)
    limits: Limits = field(default_factory=Limits)
    faults: tuple[Fault, ...] = ()
    file: Path | None = None
    turns: tuple[ScriptedTurn, ...] = ()
    thinking_tokens: int = 24
    batch_seconds: float = 30.0
    batch_shuffle_results: bool = False
    batch_faults: tuple[BatchFault, ...] = ()

    def turn(self, index: int) -> ScriptedTurn | None:
        """The script for the turn after `index` assistant turns, if the scenario has one."""
        return self.turns[index] if 0 <= index < len(self.turns) else None


class ScenarioError(Exception):
    """A scenario that cannot be used; `errors` say where and why."""

    def __init__(self, errors: list[LocatedError]) -> None:
        self.errors = errors
        super().__init__("\n".join(str(e) for e in errors))


def scenario_dirs() -> list[Path]:
    """Where scenarios are found by name: the bundled ones, then the user's (which win)."""
    return [BUNDLED_DIR, paths.user_scenarios_dir()]


def looks_like_scenario(data: dict[str, Any]) -> bool:
    """Parsed TOML that is meant as a scenario rather than a lesson, even with mistakes in it."""
    lesson_keys = {"id", "title", "order", "key_points", "sections", "discussions", "exercises", "sources"}
    return not lesson_keys & set(data) and bool({"summary", "faults", "response", "limits", "speed"} & set(data))


def _scenario_files() -> dict[str, Path]:
    files: dict[str, Path] = {}
    for folder in scenario_dirs():
        if folder.is_dir():
            for file in sorted(folder.glob("*.toml")):
                files[file.stem] = file
    return files


def scenario_names() -> list[str]:
    return sorted(_scenario_files())


def scenario_summaries() -> list[tuple[str, str]]:
    """(name, one line) for each scenario; a broken file says so instead of a summary."""
    out = []
    for name, file in sorted(_scenario_files().items()):
        try:
            summary = load_scenario(file).summary
        except ScenarioError as exc:
            summary = f"(broken: {exc.errors[0].message})"
        out.append((name, summary.strip().splitlines()[0] if summary.strip() else ""))
    return out


def scenario_errors(name_or_path: str | Path) -> list[LocatedError]:
    """What is wrong with a scenario's file; empty when it loads."""
    try:
        load_scenario(name_or_path)
    except ScenarioError as exc:
        return exc.errors
    return []


def scenario_warnings(file: Path) -> list[LocatedError]:
    """What in a valid scenario file has no effect (`speed` outside `coach stub`); empty when none."""
    try:
        data, text = parse_toml(file.read_bytes())
    except (OSError, TomlFileError):
        return []  # the errors say so
    if "speed" not in data:
        return []
    return [LocatedError(file, line_of(key_lines(text), "speed"), "speed",
                         "has no effect when grading or in `coach run`, which run on virtual scenario time; "
                         "it only sets `coach stub`'s clock speed for your own app (docs/sandbox.md)")]


def load_scenario(name_or_path: str | Path) -> Scenario:
    """A scenario by name (bundled or user) or by the path of a TOML file."""
    target = Path(name_or_path)
    files = _scenario_files()
    if isinstance(name_or_path, str) and name_or_path in files:
        target = files[name_or_path]
    elif not (target.suffix == ".toml" or target.exists()):
        raise ScenarioError([LocatedError(target, None, "", "no such scenario or file"
                                          f"{did_you_mean(str(name_or_path), set(files))}"
                                          " (`coach stub --list` names them)")])
    try:
        raw = target.read_bytes()
    except OSError as exc:
        raise ScenarioError([LocatedError(target, None, "", f"cannot read the file: {exc.strerror or exc}")]) from None
    return parse_scenario(raw, target)


def parse_scenario(raw: bytes | str, file: Path) -> Scenario:
    try:
        data, text = parse_toml(raw.encode("utf-8") if isinstance(raw, str) else raw)
    except TomlFileError as exc:
        raise ScenarioError([LocatedError(file, exc.problem.line, "", exc.problem.message)]) from None
    lines = key_lines(text)
    problems = check_table(data, SCENARIO, "")
    problems += [(key, "must be a finite number, not inf or nan") for key in non_finite_keys(data)]
    if not problems:
        problems += _check_values(data)
    if problems:
        raise ScenarioError([LocatedError(file, line_of(lines, key), key, message) for key, message in problems])
    return _build(data, file)


def _check_values(data: dict[str, Any]) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    if "speed" in data and not data["speed"] > 0:
        problems.append(("speed", "must be positive"))
    for i, turn in enumerate(data.get("turns", [])):
        if ("tool" in turn) == ("text" in turn):
            problems.append((f"turns[{i}]", "a turn needs exactly one of 'tool' or 'text'"))
        elif "input" in turn and "tool" not in turn:
            problems.append((f"turns[{i}].input", "only a turn with a 'tool' takes an input"))
    for i, fault in enumerate(data.get("batch_faults", [])):
        if fault["result"] not in BATCH_RESULTS:
            known = ", ".join(BATCH_RESULTS)
            problems.append((f"batch_faults[{i}].result", f"unknown result '{fault['result']}'"
                             f"{did_you_mean(fault['result'], set(BATCH_RESULTS))} (one of: {known})"))
        error_type = fault.get("error_type")
        if error_type is not None and error_type not in DEFAULT_MESSAGES:
            problems.append((f"batch_faults[{i}].error_type", f"'{error_type}' is not an error type the API sends"
                             f" (one of: {', '.join(DEFAULT_MESSAGES)})"))
    if data.get("response", {}).get("tokens_per_delta") == 0:  # a negative one is caught below
        problems.append(("response.tokens_per_delta", "must be at least 1"))
    for table in ("response", "limits", "thinking", "batch"):
        for key, value in data.get(table, {}).items():
            if isinstance(value, str):
                continue
            if value < 0 or (table == "limits" and value == 0):
                problems.append((f"{table}.{key}", "must be positive" if table == "limits" else "must not be negative"))
    for i, fault in enumerate(data.get("faults", [])):
        where = f"faults[{i}]"
        kind = fault["kind"]
        if kind not in FAULT_KINDS:
            problems.append((f"{where}.kind", f"unknown fault kind '{kind}'{did_you_mean(kind, set(FAULT_KINDS))}"
                             f" (one of: {', '.join(FAULT_KINDS)})"))
            continue
        if kind == "status":
            status = fault.get("status")
            if status is None:
                problems.append((where, "missing required key 'status' for kind = \"status\""))
            elif status not in ERROR_TYPES:
                problems.append((f"{where}.status", f"{status} is not an error status the API sends"
                                 f" (one of: {', '.join(map(str, ERROR_TYPES))})"))
        elif "status" in fault:
            problems.append((f"{where}.status", f"only kind = \"status\" takes a status (this is '{kind}')"))
        if kind == "latency" and "seconds" not in fault:
            problems.append((where, "missing required key 'seconds' for kind = \"latency\""))
        probability = fault.get("probability")
        if probability is not None and not 0 <= probability <= 1:
            problems.append((f"{where}.probability", "must be between 0 and 1"))
        for key in ("times", "after_deltas", "attempt", "retry_after", "seconds"):
            if key in fault and fault[key] < 0:
                problems.append((f"{where}.{key}", "must not be negative"))
        for j, number in enumerate(fault.get("requests", [])):
            if number < 1:
                problems.append((f"{where}.requests[{j}]", "request numbers start at 1"))
        if kind == "pings" and fault.get("after_deltas", 3) < 1:
            problems.append((f"{where}.after_deltas", "pings need at least 1 delta between them"))
        if kind in STREAM_ONLY_KINDS and fault.get("stream") is False:
            problems.append((f"{where}.stream", f"'{kind}' only happens to streaming requests"))
    return problems


def _build(data: dict[str, Any], file: Path) -> Scenario:
    faults = []
    for f in data.get("faults", []):
        kind = f["kind"]
        default_name = f"{kind}-{f['status']}" if kind == "status" else kind
        faults.append(Fault(
            name=f.get("name", default_name),
            kind=kind,
            status=429 if kind == "spend-cap" else f.get("status"),
            message=f.get("message"),
            retry_after=f.get("retry_after"),
            should_retry=f.get("should_retry"),
            requests=tuple(f["requests"]) if "requests" in f else None,
            attempt=f.get("attempt"),
            key_fingerprint=key_fingerprint(f["key"]) if "key" in f else None,
            stream=True if kind in STREAM_ONLY_KINDS else f.get("stream"),
            text=f.get("text"),
            probability=f.get("probability"),
            times=f.get("times"),
            after_deltas=f.get("after_deltas", 3),
            seconds=f.get("seconds"),
        ))
    return Scenario(
        name=file.stem,
        summary=data["summary"].strip(),
        speed=data.get("speed"),
        seed=data.get("seed", 0),
        max_body_bytes=data.get("max_body_bytes", Scenario.max_body_bytes),
        response=Pacing(**data.get("response", {})),
        limits=Limits(**data.get("limits", {})),
        faults=tuple(faults),
        file=file,
        turns=tuple(ScriptedTurn(calls=(ScriptedCall(t["tool"], t.get("input")),) if "tool" in t else (),
                                 text=t.get("text")) for t in data.get("turns", [])),
        thinking_tokens=data.get("thinking", {}).get("tokens", Scenario.thinking_tokens),
        batch_seconds=data.get("batch", {}).get("seconds", Scenario.batch_seconds),
        batch_shuffle_results=data.get("batch", {}).get("shuffle_results", Scenario.batch_shuffle_results),
        batch_faults=tuple(BatchFault(tuple(f["custom_ids"]), f["result"], f.get("error_type", "api_error"),
                                      f.get("message"), f.get("times"))
                           for f in data.get("batch_faults", [])),
    )
