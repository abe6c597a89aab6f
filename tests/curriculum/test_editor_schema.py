"""JSON Schemas for editors: generated from lint's own rules, so every file lint accepts they accept, and the
mistakes an editor can see they mark."""

from __future__ import annotations

import json
import tomllib
from pathlib import Path

import jsonschema
import pytest

from coach import paths
from coach.cli import main
from coach.curriculum.scaffold import LESSON_SCHEMA_FILE, new_exercise, new_lesson
from coach.stub.scenario import BUNDLED_DIR

ROOT = Path(__file__).parents[2]
LESSONS = sorted((ROOT / "lessons").glob("*.toml"))
SCENARIOS = sorted(BUNDLED_DIR.glob("*.toml"))


def schema(kind: str, capsys) -> dict:
    assert main(["schema", kind]) == 0
    printed = json.loads(capsys.readouterr().out)
    jsonschema.Draft4Validator.check_schema(printed)
    return printed


def errors(schema: dict, data: dict) -> list[str]:
    return sorted(".".join(map(str, e.absolute_path)) + ": " + e.validator
                  for e in jsonschema.Draft4Validator(schema).iter_errors(data))


@pytest.mark.parametrize("file", LESSONS, ids=[f.name for f in LESSONS])
def test_every_bundled_lesson_is_valid_under_the_lesson_schema(file: Path, capsys) -> None:
    assert errors(schema("lesson", capsys), tomllib.loads(file.read_text())) == []


@pytest.mark.parametrize("file", SCENARIOS, ids=[f.name for f in SCENARIOS])
def test_every_bundled_scenario_is_valid_under_the_scenario_schema(file: Path, capsys) -> None:
    assert errors(schema("scenario", capsys), tomllib.loads(file.read_text())) == []


def test_the_lesson_schema_marks_what_lint_rejects(capsys) -> None:
    lesson = tomllib.loads(LESSONS[0].read_text())
    lesson["ordr"] = 1
    lesson["order"] = "first"
    lesson["id"] = "Not An Id"
    del lesson["summary"]
    lesson["exercises"][0]["checks"][0]["hint"] = ""
    assert errors(schema("lesson", capsys), lesson) == [
        ": additionalProperties", ": required", "exercises.0.checks.0.hint: minLength", "id: pattern",
        "order: type",
    ]


def test_the_scenario_schema_knows_fault_kinds_and_statuses(capsys) -> None:
    scenario = {"summary": "x", "faults": [{"kind": "stall-forever"}, {"kind": "status", "status": 430}],
                "response": {"ttft": "slow"}}
    assert errors(schema("scenario", capsys), scenario) == [
        "faults.0.kind: enum", "faults.1.status: enum", "response.ttft: type"]


def test_coach_new_lesson_writes_the_schema_directive_and_the_schema_beside_it(capsys) -> None:
    lesson = new_lesson("demo", "Demo", paths.user_lessons_dir())
    new_exercise("demo", "first")
    assert lesson.read_text().splitlines()[0] == f"#:schema ./{LESSON_SCHEMA_FILE}"
    written = json.loads((lesson.parent / LESSON_SCHEMA_FILE).read_text())
    assert written == schema("lesson", capsys)
    assert errors(written, tomllib.loads(lesson.read_text())) == []
    assert main(["lint", str(paths.user_lessons_dir())]) == 0


def test_coach_schema_writes_a_file_with_output(tmp_path: Path, capsys) -> None:
    out = tmp_path / "scenario.schema.json"
    assert main(["schema", "scenario", "--output", str(out)]) == 0
    assert json.loads(out.read_text()) == schema("scenario", capsys)
