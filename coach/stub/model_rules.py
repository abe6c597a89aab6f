"""What each model accepts, from the model catalogue: which ids are served, their output maximum,
sampling parameters and thinking modes. The request's shape is already checked (validation.py);
these are the API's per-model rules, each a 4xx worded like the API's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from coach import catalogue
from coach.catalogue import Model
from coach.stub.request import Rejected, invalid

SAMPLING_PARAMS = ("temperature", "top_p", "top_k")
SAMPLING_DEFAULTS = {"temperature": 1.0}
MIN_THINKING_BUDGET = 1024
"""The smallest `budget_tokens` the API accepts for `thinking.type: "enabled"`."""


@dataclass(frozen=True)
class ThinkingPlan:
    """Whether the answer starts with a thinking block, how it is shown and how many tokens it may take."""

    on: bool
    display: str = "summarized"
    budget: int | None = None


class ServedModels:
    """The catalogue as one server sees it: loaded when the server starts, rows remembered per id
    (finding a row re-reads which catalogue file applies; that was a third of a request's time)."""

    def __init__(self, table: catalogue.Catalogue | None = None) -> None:
        self.table = table or catalogue.load()
        self._rows: dict[str, Model | None] = {}

    def row(self, model_id: str) -> Model:
        """The catalogue row for a served id; an unknown or retired id is the API's 404 `model: <id>`."""
        if model_id not in self._rows:
            self._rows[model_id] = self.table.find(model_id)
        row = self._rows[model_id]
        if row is None or not row.served:
            raise Rejected(404, "not_found_error", f"model: {model_id}")
        return row


def check_max_tokens(row: Model, max_tokens: int, model_id: str) -> None:
    if row.max_output is not None and max_tokens > row.max_output:
        raise invalid(f"max_tokens: {max_tokens} > {row.max_output}, which is the maximum allowed number of "
                      f"output tokens for {model_id}")


def check_sampling(row: Model, body: dict[str, Any]) -> None:
    if row.sampling_params:
        return
    for name in SAMPLING_PARAMS:
        if name in body and body[name] != SAMPLING_DEFAULTS.get(name, object()):
            raise invalid(f"{name}: sampling parameters (temperature, top_p, top_k) are not supported for "
                          f"{row.id}; leave them unset")


def thinking_plan(row: Model, body: dict[str, Any]) -> ThinkingPlan:
    """The thinking this request gets, or `Rejected` where the model does not take the asked mode."""
    config = body.get("thinking")
    kind = config["type"] if config else None
    mode = row.thinking
    # "The default depends on the model" (the SDK's ThinkingConfigAdaptiveParam): third-party reports have the
    # adaptive-only models omit it; the SDK's own thinking examples print the thinking of claude-sonnet-5
    shown = (config or {}).get("display") or ("omitted" if mode == "always" else "summarized")
    if kind == "between_tools":
        kind = "adaptive"
    if kind == "enabled":
        # the SDK's own examples (examples/thinking.py) send budget thinking to claude-sonnet-5, an adaptive-default
        # model, so only models that always think refuse it (Bedrock's adaptive-thinking page)
        if mode == "always":
            raise invalid('thinking.type: "thinking.type.enabled" is not supported for this model. Use '
                          '"thinking.type.adaptive" and "output_config.effort" to control thinking behavior.')
        if mode == "none":
            raise invalid(f"thinking: {row.id} does not support extended thinking")
        budget = config["budget_tokens"]
        if budget < MIN_THINKING_BUDGET:
            raise invalid(f"thinking.enabled.budget_tokens: Input should be greater than or equal to "
                          f"{MIN_THINKING_BUDGET}")
        if budget >= body["max_tokens"]:
            raise invalid("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our "
                          "documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking"
                          "#max-tokens-and-context-window-size")
        return ThinkingPlan(True, shown, budget)
    if kind == "adaptive":
        if mode in ("extended", "none"):
            raise invalid(f'thinking.type: "adaptive" is not supported for {row.id}; use "enabled" with '
                          "budget_tokens")
        return ThinkingPlan(True, shown)
    if kind == "disabled":
        if mode == "always":
            raise invalid(f'thinking.type: "disabled" is not supported for {row.id}: it always thinks '
                          '(adaptive thinking)')
        return ThinkingPlan(False)
    return ThinkingPlan(mode in ("always", "adaptive-default"), shown)
