"""The scenario clock: one time line shared by the stub and the sandboxed learner code.

Backoffs, `retry-after`, rate-limit windows and cache TTLs are seconds to minutes long,
but grading should take about a second. Scenario time runs `speed` times faster than
the host's CLOCK_MONOTONIC from a fixed origin. CLOCK_MONOTONIC is one clock for every
process on the host (namespaces do not change it), so the stub and a sandboxed child
agree on scenario time without talking to each other: they only share
`(origin, speed, epoch)`, passed through the environment.

Limit: real CPU work is also sped up as seen in scenario time: 5 ms of wall time spent
in Python is `5 ms * speed` of scenario time. Scenarios pick a speed at which the
request overhead stays small against the limits they teach.
"""

from __future__ import annotations

import asyncio
import os
import time
from dataclasses import dataclass, field

ENV_VAR = "COACH_SCENARIO_CLOCK"


@dataclass(frozen=True)
class ScenarioClock:
    speed: float = 1.0
    origin: float = field(default_factory=time.monotonic)
    """Host CLOCK_MONOTONIC reading at scenario time zero."""
    epoch: float = field(default_factory=time.time)
    """Unix time that scenario time zero stands for (what `time.time()` says then)."""

    def __post_init__(self) -> None:
        if not self.speed > 0:
            raise ValueError(f"clock speed must be positive, got {self.speed}")

    def now(self) -> float:
        """Scenario seconds since the origin."""
        return (time.monotonic() - self.origin) * self.speed

    def wall_time(self) -> float:
        """Scenario Unix time, for `time.time()`, `date` headers and RFC 3339 resets."""
        return self.epoch + self.now()

    def to_wall(self, scenario_seconds: float) -> float:
        """How many host seconds a scenario duration takes."""
        return scenario_seconds / self.speed

    def sleep(self, scenario_seconds: float) -> None:
        if scenario_seconds > 0:
            time.sleep(scenario_seconds / self.speed)

    async def asleep(self, scenario_seconds: float) -> None:
        await asyncio.sleep(max(scenario_seconds, 0) / self.speed)

    def to_env(self) -> str:
        return f"{self.speed!r}:{self.origin!r}:{self.epoch!r}"

    @classmethod
    def from_env(cls, value: str | None = None) -> ScenarioClock:
        value = value if value is not None else os.environ.get(ENV_VAR, "")
        try:
            speed, origin, epoch = (float(part) for part in value.split(":"))
        except ValueError as exc:
            raise ValueError(f"{ENV_VAR} must be 'speed:origin:epoch', got {value!r}") from exc
        return cls(speed=speed, origin=origin, epoch=epoch)
