"""The bundled checks; importing this package registers them."""

from coach.grader.library import general, retries  # noqa: F401
