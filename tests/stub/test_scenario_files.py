"""Scenario files: bundled ones load, user ones are found, mistakes are located by line and key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coach import paths
from coach.curriculum.load import default_references
from coach.stub.scenario import ScenarioError, load_scenario, scenario_names, scenario_summaries

REQUIRED = {"healthy", "retry-after", "overloaded", "stream-cut", "rpm-limit", "spend-cap", "stream-reset",
            "stream-clean-close", "stall", "server-errors"}


def write(tmp_path: Path, text: str) -> Path:
    file = tmp_path / "mine.toml"
    file.write_text(text, encoding="utf-8")
    return file


def errors_of(file: Path) -> list[tuple[int | None, str, str]]:
    with pytest.raises(ScenarioError) as caught:
        load_scenario(file)
    return [(e.line, e.key, e.message) for e in caught.value.errors]


def test_every_bundled_scenario_loads_and_has_a_summary():
    assert set(scenario_names()) >= REQUIRED
    for name, summary in scenario_summaries():
        assert load_scenario(name).name == name and summary


def test_every_bundled_scenario_is_in_the_documentation_table():
    table = (Path(__file__).parents[2] / "docs" / "scenarios.md").read_text(encoding="utf-8")
    bundled = sorted(file.stem for file in Path(paths.__file__).parent.joinpath("stub", "scenarios").glob("*.toml"))
    assert [name for name in bundled if f"| `{name}` |" not in table] == []


def test_retry_after_scenario_says_what_the_issue_defines():
    [fault] = load_scenario("retry-after").faults
    assert (fault.kind, fault.status, fault.retry_after, fault.requests) == ("status", 429, 1, (1, 2))


def test_user_scenarios_are_listed_and_loadable_by_name():
    folder = paths.user_scenarios_dir()
    folder.mkdir(parents=True)
    (folder / "my-flaky.toml").write_text('summary = "Mine."\n[[faults]]\nkind = "status"\nstatus = 500\n')
    assert "my-flaky" in scenario_names()
    assert load_scenario("my-flaky").faults[0].status == 500


def test_unknown_key_is_reported_with_its_line_and_a_suggestion(tmp_path):
    file = write(tmp_path, 'summary = "x"\n\n[[faults]]\nkind = "status"\nstatus = 429\nretry_afer = 1\n')
    assert errors_of(file) == [(6, "faults[0].retry_afer", "unknown key; did you mean 'retry_after'?")]


def test_unknown_fault_kind_is_reported_with_its_line(tmp_path):
    file = write(tmp_path, 'summary = "x"\n[[faults]]\nkind = "stream-eror"\n')
    [(line, key, message)] = errors_of(file)
    assert (line, key) == (3, "faults[0].kind") and "did you mean 'stream-error'" in message


def test_status_that_the_api_never_sends_is_rejected(tmp_path):
    file = write(tmp_path, 'summary = "x"\n[[faults]]\nkind = "status"\nstatus = 418\n')
    assert errors_of(file)[0][:2] == (4, "faults[0].status")


def test_wrong_type_is_reported(tmp_path):
    file = write(tmp_path, 'summary = "x"\n[limits]\nrequests_per_minute = "ten"\n')
    assert errors_of(file) == [(3, "limits.requests_per_minute", "expected an integer, got a string")]


def test_missing_summary_is_reported(tmp_path):
    assert errors_of(write(tmp_path, "speed = 20\n"))[0][2] == "missing required key 'summary'"


def test_invalid_toml_gives_the_line(tmp_path):
    [(line, _, message)] = errors_of(write(tmp_path, 'summary = "x"\nspeed = \n'))
    assert line == 2 and message.startswith("invalid TOML")


def test_unknown_name_suggests_a_close_one():
    with pytest.raises(ScenarioError) as caught:
        load_scenario("retry-afte")
    assert "did you mean 'retry-after'" in caught.value.errors[0].message


def test_lint_knows_the_scenario_names():
    references = default_references()
    assert references.scenarios is not None and "stream-cut" in set(references.scenarios())


def test_a_scenarios_speed_is_read_from_the_file(tmp_path):
    assert load_scenario(write(tmp_path, 'summary = "s"\nspeed = 20\n')).speed == 20


def test_bundled_scenarios_set_no_speed_since_grading_runs_on_virtual_time():
    from coach.stub.scenario import scenario_summaries

    assert [name for name, _ in scenario_summaries() if load_scenario(name).speed is not None] == []


def test_every_toml_example_in_the_scenario_docs_loads(tmp_path):
    docs = Path(__file__).resolve().parents[2] / "docs" / "scenarios.md"
    examples = re.findall(r"```toml\n(.*?)```", docs.read_text(encoding="utf-8"), flags=re.S)
    assert len(examples) >= 2
    for number, example in enumerate(examples):
        assert load_scenario(write(tmp_path, example)).summary, f"example {number}"


def test_a_broken_user_scenario_is_listed_as_broken_not_hidden():
    folder = paths.user_scenarios_dir()
    folder.mkdir(parents=True)
    (folder / "typo.toml").write_text('summary = "x"\n[[faults]]\nkind = "nope"\n')
    summaries = dict(scenario_summaries())
    assert summaries["typo"].startswith("(broken: unknown fault kind 'nope'")
