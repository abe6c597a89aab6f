"""One user home for the whole run, and a fresh one for each test.

COACH_HOME is set when this file is imported, before any test module is collected: some
modules read the course at import time (`load_curriculum()` to parametrize), and without this
they would read the real user's lesson folder, so an instructor with lessons of their own
would see the suite fail on them. A COACH_HOME already set by the caller is overridden too.
"""

import os
import shutil
import tempfile

import pytest

RUN_HOME = tempfile.mkdtemp(prefix="coach-test-home-")
os.environ["COACH_HOME"] = RUN_HOME


def pytest_unconfigure(config) -> None:
    shutil.rmtree(RUN_HOME, ignore_errors=True)


@pytest.fixture(autouse=True)
def coach_home(tmp_path_factory, monkeypatch):
    """Every test gets its own user folders: nothing touches the real home or another test's."""
    home = tmp_path_factory.mktemp("coach-home")
    monkeypatch.setenv("COACH_HOME", str(home))
    return home
