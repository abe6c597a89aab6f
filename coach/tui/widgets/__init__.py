"""Widgets the screens compose; self-contained ones carry DEFAULT_CSS."""
