"""A chart of the requests over scenario time, so the learner sees their backoff.

One row per kind of answer (ok, 429, overloaded, other errors); each request is a mark in
the column of the scenario second it arrived, coloured by status and shown as its retry
count when the SDK marked it as a retry. A last row shows requests in the trailing minute
against the scenario's RPM limit, so bursts that hit the limit stand out. Below it, a table
lists every request: sequence, scenario time, status, retry count, tokens and how its stream ended.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rich import box
from rich.table import Table
from rich.text import Text
from textual.reactive import reactive
from textual.widget import Widget

ROWS = (("ok", "green"), ("429", "yellow"), ("529", "magenta"), ("error", "red"))
LABEL = 7
BARS = " ▁▂▃▄▅▆▇█"
SHORT = {"requests_per_minute": "RPM", "input_tokens_per_minute": "ITPM", "output_tokens_per_minute": "OTPM"}


def _limits_text(limits: dict[str, int]) -> str:
    if not limits:
        return "none stated"
    return " · ".join(f"{SHORT.get(k, k)} {v:,}" for k, v in limits.items())


def _rpm_cells(points: Sequence[Any], span: float, columns: int, limit: int) -> list[tuple[str, str]]:
    """Per column: requests in the minute before that moment, as a bar against the RPM limit."""
    arrivals = sorted(p.arrived_s for p in points)
    cells = []
    for column in range(columns):
        t = column / max(columns - 1, 1) * span
        used = sum(1 for a in arrivals if t - 60 < a <= t)
        level = used / limit
        colour = "green" if level < 0.8 else "yellow" if level < 1 else "bold red"
        cells.append((BARS[min(int(level * 8 + 0.999), 8)], colour))
    return cells


def _row(point: Any) -> str:
    status = point.status
    if status == 429:
        return "429"
    if status == 529 or point.error_type == "overloaded_error":
        return "529"
    if status is None or status >= 400 or point.stream_end not in (None, "complete"):
        return "error"
    return "ok"


def timeline_text(points: Sequence[Any], limits: dict[str, int], width: int) -> Text:
    """`points` are `TimelinePoint`s (arrived_s, status, retry_count, ...)."""
    if not points:
        return Text("No requests yet: run and grade (ctrl+r) to see them over scenario time.", "dim")
    span = max(max((p.finished_s or p.arrived_s) for p in points), 1e-9)
    columns = max(width - LABEL - 1, 10)
    grid: dict[str, list[tuple[str, str] | None]] = {name: [None] * columns for name, _ in ROWS}
    for point in points:
        column = min(int(point.arrived_s / span * (columns - 1)), columns - 1)
        row = _row(point)
        colour = dict(ROWS)[row]
        retry = point.retry_count or 0
        grid[row][column] = (str(min(retry, 9)) if retry else "●", colour)
    text = Text()
    text.append(f"{len(points)} request(s) over {span:.1f} s of scenario time · limits: {_limits_text(limits)}\n",
                "bold")
    for name, colour in ROWS:
        text.append(f"{name:>{LABEL - 2}} │", colour)
        for cell in grid[name]:
            text.append(cell[0], f"bold {cell[1]}") if cell else text.append(" ")
        text.append("\n")
    rpm = limits.get("requests_per_minute")
    if rpm:
        text.append(f"{'RPM':>{LABEL - 2}} │", "dim")
        for glyph, colour in _rpm_cells(points, span, columns, rpm):
            text.append(glyph, colour)
        text.append("\n")
    text.append(" " * (LABEL - 1) + "└" + "─" * columns + "\n", "dim")
    right = f"{span:.1f}s"
    text.append(" " * LABEL + "0s" + " " * max(columns - 2 - len(right), 1) + right, "dim")
    legend = "\n● first try · 1-9 retry number (x-stainless-retry-count)"
    if rpm:
        legend += " · RPM: requests in the last minute against the limit (full bar = at the limit)"
    text.append(legend, "dim")
    return text


class Timeline(Widget):
    DEFAULT_CSS = "Timeline { height: auto; padding: 0 1; }"

    points: reactive[tuple[Any, ...]] = reactive(tuple, layout=True)
    """The last report's timeline."""
    limits: reactive[dict[str, int]] = reactive(dict)
    """The scenario's per-minute limits, printed beside the chart."""

    def render(self) -> Text:
        return timeline_text(self.points, self.limits, self.content_size.width or 60)


def request_table(points: Sequence[Any]) -> Table:
    """One row per request: what the stub saw and answered, in the order it arrived."""
    table = Table(box=box.SIMPLE_HEAD, padding=(0, 1), expand=False, title_justify="left",
                  title=Text("The requests, one row each", "bold"))
    for name, justify in (("seq", "right"), ("at s", "right"), ("status", "left"), ("retry", "right"),
                          ("tokens in", "right"), ("out", "right"), ("stream ended", "left")):
        table.add_column(name, justify=justify, no_wrap=True)  # type: ignore[arg-type]
    for point in points:
        row = _row(point)
        status = "—" if point.status is None else str(point.status)
        if point.error_type:
            status += f" {point.error_type}"
        table.add_row(
            str(point.seq), f"{point.arrived_s:.2f}", Text(status, dict(ROWS)[row]),
            "—" if point.retry_count is None else str(point.retry_count),
            f"{point.input_tokens:,}", f"{point.output_tokens:,}",
            (point.stream_end or "complete") if point.stream else "not streamed",
        )
    return table


class RequestTable(Widget):
    DEFAULT_CSS = "RequestTable { height: auto; padding: 0 1; }"

    points: reactive[tuple[Any, ...]] = reactive(tuple, layout=True)
    """The last report's timeline, as rows."""

    def render(self) -> Table | Text:
        return request_table(self.points) if self.points else Text("")
