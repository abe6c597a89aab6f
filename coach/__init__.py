"""coach: a terminal tutor for shipping Claude integrations that survive production."""

__version__ = "0.1.0"
