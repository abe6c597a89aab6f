"""The app starts whatever state its files are in, and says what it set aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Static

from coach import paths
from coach.progress import ProgressStore
from coach.tui.screens.home import HomeScreen

from .conftest import COURSE, shown_screen

DAMAGED_PROGRESS = {
    "not-utf-8": b"[exercises.first-call]\nattempts = 1\n# \xff\xfe\n",
    "attempts-inf": b"[exercises.first-call]\nattempts = inf\n",
    "nested-100000-deep": b"x = " + b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("raw", DAMAGED_PROGRESS.values(), ids=DAMAGED_PROGRESS.keys())
async def test_the_app_starts_on_a_damaged_progress_file_and_says_it_was_kept(make_app, raw: bytes):
    path = paths.user_data_dir() / "progress.toml"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(raw)
    app = make_app(store=ProgressStore(path))
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await shown_screen(pilot, HomeScreen)
        assert isinstance(app.screen, HomeScreen)
        assert any("was damaged" in n.message and "progress.toml.corrupt-" in n.message
                   for n in app._notifications)
    assert [p.read_bytes() for p in path.parent.glob("progress.toml.corrupt-*")] == [raw]


async def test_the_app_starts_beside_a_deeply_nested_lesson_and_names_its_line(make_app, tmp_path: Path):
    nested = tmp_path / "nested.toml"
    nested.write_bytes(b'id = "nested"\ntitle = "Nested"\nkey_points = ' + b"[" * 20_000 + b"]" * 20_000 + b"\n")
    app = make_app(lesson_dirs=[COURSE, tmp_path])
    async with app.run_test(size=(120, 40)) as pilot:
        await shown_screen(pilot, HomeScreen)
        broken = str(app.screen.query_one("#broken", Static).render())
        assert "nested.toml:3" in broken and "nested more than 100 deep" in broken
