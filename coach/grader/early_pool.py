"""The warm pool of a cold `coach grade`, started before the rest of coach is imported.

The pool's fork server spends about a second importing the SDK, and a cold grade's wall time is
mostly that import. Spawned here, from the first lines of `coach.cli.main`, it starts some 150 ms
earlier than it would after the grader's own imports (the lessons, the checklist, asyncio), which
then overlap it on the other core. This module imports only the sandbox's spawning code.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from coach.sandbox.warm import WarmPool

log = logging.getLogger(__name__)

_pool: WarmPool | None = None


def spawn() -> WarmPool | None:
    """A pool at the level the setting asks for, its server spawned now (about 20 ms: the namespace probe, then
    one exec); None when only cold starts honour the setting (bubblewrap) or the pool cannot start."""
    from coach.sandbox.isolation import IsolationUnavailable, warm_level

    try:
        level = warm_level()
    except IsolationUnavailable:
        return None  # the grade says why, when it asks for its level
    if level is None:
        return None  # bubblewrap asked for: cold starts only
    from coach.sandbox import WarmPool

    try:
        return WarmPool(level)
    except Exception as exc:  # grading still works, cold
        log.warning("warm start unavailable, grading cold: %s", exc)
        return None


def start_early() -> None:
    """Spawn the fork server now, for `take()`."""
    global _pool
    if _pool is None:
        _pool = spawn()


def take() -> WarmPool | None:
    """The pool `start_early` spawned (still starting, maybe), once; None after that or if there is none."""
    global _pool
    pool, _pool = _pool, None
    return pool
