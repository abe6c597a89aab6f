"""The Landlock rules' own logic: what an older kernel leaves unenforced, and how coach's folders stay hidden."""

from pathlib import Path

from coach.sandbox import isolation, landlock


def test_abi_7_enforces_everything_the_sandbox_asks_for():
    assert landlock.missing(7) == []


def test_older_abis_name_what_they_do_not_enforce():
    assert landlock.missing(3) == ["TCP connections", "device ioctls", "signals and abstract sockets"]
    assert landlock.missing(5) == ["signals and abstract sockets"]
    assert landlock.missing(0) == ["files", "TCP connections", "device ioctls", "signals and abstract sockets"]


def test_a_hidden_folder_inside_a_readable_one_is_left_out_by_granting_its_siblings(tmp_path: Path):
    (tmp_path / "site-packages" / "anthropic").mkdir(parents=True)
    (tmp_path / "site-packages" / "coach" / "grader").mkdir(parents=True)
    (tmp_path / "site-packages" / "six.py").write_text("")
    (tmp_path / "lib").mkdir()
    granted = landlock.readable_dirs([str(tmp_path)], [str(tmp_path / "site-packages" / "coach")])
    assert granted == sorted([str(tmp_path / "lib"), str(tmp_path / "site-packages" / "anthropic"),
                              str(tmp_path / "site-packages" / "six.py")])


def test_coachs_package_course_files_and_the_learners_folders_are_all_hidden(tmp_path, monkeypatch):
    monkeypatch.setenv("COACH_HOME", str(tmp_path))
    for sub in ("data", "config", "logs"):
        (tmp_path / sub).mkdir()
    hidden = isolation.coach_dirs()
    import coach

    assert str(Path(coach.__file__).resolve().parent) in hidden
    assert {str(tmp_path / sub) for sub in ("data", "config", "logs")} <= set(hidden)


def test_the_label_of_the_process_level_names_the_kernels_boundary():
    label = isolation.process_level().label
    version = landlock.abi()
    assert label.startswith("process (no namespaces: ")
    assert (f"Landlock ABI {version}" in label) if version else ("no Landlock" in label)
