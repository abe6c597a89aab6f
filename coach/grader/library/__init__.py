"""The bundled checks; importing this package registers them."""

from coach.grader.library import (  # noqa: F401
    batch,
    budgets,
    concurrency,
    fallbacks,
    general,
    lifecycle,
    message_batches,
    observability,
    retries,
    streaming,
)
