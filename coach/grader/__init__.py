"""Grading: run an exercise against its scenario and judge a checklist from what the stub saw."""
