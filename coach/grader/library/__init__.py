"""The bundled checks; importing this package registers them."""

from coach.grader.library import general, observability, retries  # noqa: F401
