import pytest


@pytest.fixture(autouse=True)
def coach_home(tmp_path_factory, monkeypatch):
    """Every test gets its own user folders: nothing touches the real home."""
    home = tmp_path_factory.mktemp("coach-home")
    monkeypatch.setenv("COACH_HOME", str(home))
    return home
