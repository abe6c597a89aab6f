"""Broken lesson files: each error names the file, the line and the key path."""

from __future__ import annotations

from pathlib import Path

from coach.curriculum import load_curriculum, load_lesson_file
from coach.curriculum.load import References
from coach.curriculum.schema import Field

VALID = '''\
id = "retries"
title = "Retries"
order = 1
summary = "Retry well."
key_points = ["Back off."]

[[sources]]
title = "Errors"
url = "https://docs.claude.com/en/api/errors"

[[sections]]
title = "Why"
body = """
Because.
"""

[[discussions]]
id = "talk"
title = "Talk"
situation = "A batch job."
points = ["Jitter."]

[[exercises]]
id = "ex-one"
title = "One"
brief = "Do it."
starter = "ex-one/starter.py"
entry = "main"
scenario = "healthy"

[[exercises.checks]]
id = "first"
check = "exits_cleanly"
description = "Runs."
hint = "Read the traceback."

[[exercises.checks]]
id = "second"
check = "honors_retry_after"
description = "Waits."
hint = "Read retry-after."
params = { min_gap_ratio = 1.0 }
'''

CHECKS = {"exits_cleanly": {}, "honors_retry_after": {"min_gap_ratio": Field((int, float), required=False)}}
REFS = References(checks=lambda folders: CHECKS,
                  scenarios=lambda: {"healthy", "retry-after"})


def write(course: Path, text: str, name: str = "01-retries.toml") -> Path:
    file = course / name
    file.write_text(text)
    return file


def only_error(file: Path) -> str:
    lesson, errors = load_lesson_file(file, REFS)
    assert lesson is None
    assert len(errors) == 1, [str(e) for e in errors]
    return str(errors[0]).replace(str(file), file.name)


def test_valid_lesson_loads_without_errors(course: Path) -> None:
    lesson, errors = load_lesson_file(write(course, VALID), REFS)
    assert errors == []
    assert lesson is not None
    assert lesson.exercises[0].checks[1].check == "honors_retry_after"
    assert lesson.exercises[0].starter.is_file()


def test_unknown_check_names_line_and_key_and_suggests(course: Path) -> None:
    file = write(course, VALID.replace('check = "honors_retry_after"', 'check = "honours_retry_after"'))
    assert only_error(file) == (
        "01-retries.toml:39: exercises[0].checks[1].check: unknown check 'honours_retry_after'; "
        "did you mean 'honors_retry_after'?"
    )


def test_unknown_scenario_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('scenario = "healthy"', 'scenario = "retry_after"'))
    assert only_error(file) == (
        "01-retries.toml:29: exercises[0].scenario: unknown scenario 'retry_after'; did you mean 'retry-after'?"
    )


def test_unknown_top_level_key_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('order = 1\n', 'order = 1\nsumary = "typo"\n'))
    assert only_error(file) == "01-retries.toml:4: sumary: unknown key; did you mean 'summary'?"


def test_missing_required_key_names_the_table(course: Path) -> None:
    file = write(course, VALID.replace('hint = "Read the traceback."\n', ""))
    assert only_error(file) == "01-retries.toml:31: exercises[0].checks[0]: missing required key 'hint'"


def test_wrong_type_says_what_was_expected(course: Path) -> None:
    file = write(course, VALID.replace("order = 1", 'order = "first"'))
    assert only_error(file) == "01-retries.toml:3: order: expected an integer, got a string"


def test_wrong_element_type_in_a_list(course: Path) -> None:
    file = write(course, VALID.replace('key_points = ["Back off."]', 'key_points = ["Back off.", 3]'))
    assert only_error(file) == "01-retries.toml:5: key_points[1]: expected a string, got an integer"


def test_invalid_toml_reports_the_parser_line(course: Path) -> None:
    file = write(course, VALID.replace('title = "Talk"', 'title = "Talk'))
    message = only_error(file)
    assert message.startswith("01-retries.toml:19: invalid TOML:")


def test_missing_starter_file_is_reported(course: Path) -> None:
    file = write(course, VALID.replace("ex-one/starter.py", "ex-two/starter.py"))
    message = only_error(file)
    assert message.startswith("01-retries.toml:27: exercises[0].starter: starter file not found:")
    assert message.endswith("ex-two/starter.py")


def test_entry_point_missing_from_starter(course: Path) -> None:
    file = write(course, VALID.replace('entry = "main"', 'entry = "mian"'))
    assert only_error(file) == (
        "01-retries.toml:28: exercises[0].entry: starter starter.py defines no function 'mian'; did you mean 'main'?"
    )


def test_invalid_id_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('id = "retries"', 'id = "Retries Lesson"'))
    assert only_error(file) == (
        "01-retries.toml:1: id: 'Retries Lesson' is not a valid id (lowercase letters, digits and '-')"
    )


def test_empty_string_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('summary = "Retry well."', 'summary = "  "'))
    assert only_error(file) == "01-retries.toml:4: summary: must not be empty"


def test_empty_required_list_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('points = ["Jitter."]', "points = []"))
    assert only_error(file) == "01-retries.toml:21: discussions[0].points: must not be empty"


def test_duplicate_checklist_id_within_an_exercise(course: Path) -> None:
    file = write(course, VALID.replace('id = "second"', 'id = "first"'))
    assert only_error(file) == (
        "01-retries.toml:38: exercises[0].checks[1].id: duplicate checklist id 'first' in this exercise"
    )


def test_timeout_out_of_range_is_reported(course: Path) -> None:
    file = write(course, VALID.replace('scenario = "healthy"', 'scenario = "healthy"\ntimeout = 0'))
    assert only_error(file) == "01-retries.toml:30: exercises[0].timeout: must be between 0 and 300 seconds"


def test_duplicate_lesson_id_across_files_names_both(course: Path) -> None:
    write(course, VALID)
    second = VALID.replace('id = "ex-one"', 'id = "ex-other"')
    write(course, second, name="02-copy.toml")
    curriculum = load_curriculum([course], REFS)
    assert [lesson.id for lesson in curriculum.lessons] == ["retries"]
    assert [str(e).split(": ", 1)[1] for e in curriculum.errors] == [
        f"id: lesson id 'retries' is already used by {course / '01-retries.toml'}"
    ]
    assert curriculum.errors[0].line == 1


def test_duplicate_exercise_id_across_files(course: Path) -> None:
    write(course, VALID)
    write(course, VALID.replace('id = "retries"', 'id = "other"'), name="02-other.toml")
    curriculum = load_curriculum([course], REFS)
    assert len(curriculum.errors) == 1
    error = curriculum.errors[0]
    assert (error.key, error.line) == ("exercises[0].id", 24)
    assert "exercise id 'ex-one' is already used by" in error.message


def test_a_broken_file_does_not_stop_the_others(course: Path) -> None:
    write(course, VALID)
    write(course, "id = \n", name="00-broken.toml")
    curriculum = load_curriculum([course], REFS)
    assert [lesson.id for lesson in curriculum.lessons] == ["retries"]
    assert curriculum.broken_files == [course / "00-broken.toml"]


def test_unreadable_bytes_are_an_error_not_a_crash(course: Path) -> None:
    file = course / "bad.toml"
    file.write_bytes(b"\xff\xfe\x00garbage")
    lesson, errors = load_lesson_file(file, REFS)
    assert lesson is None
    assert errors[0].line == 1 and "not UTF-8 text: byte 0xff at column 1" in errors[0].message


def test_unknown_check_parameter_is_reported(course: Path) -> None:
    file = write(course, VALID.replace("min_gap_ratio = 1.0", "min_gap = 1.0"))
    assert only_error(file) == (
        "01-retries.toml:42: exercises[0].checks[1].params.min_gap: unknown key; did you mean 'min_gap_ratio'?"
    )


def test_wrong_check_parameter_type_is_reported(course: Path) -> None:
    file = write(course, VALID.replace("min_gap_ratio = 1.0", 'min_gap_ratio = "one"'))
    assert only_error(file) == (
        "01-retries.toml:42: exercises[0].checks[1].params.min_gap_ratio: expected a number, got a string"
    )


def test_errors_are_listed_top_to_bottom_with_missing_keys_last(course: Path) -> None:
    broken = VALID.replace('summary = "Retry well."\n', "").replace('title = "Retries"', "title = 3")
    broken = broken.replace('id = "talk"', 'id = "talk"\nmood = "tense"')
    lesson, errors = load_lesson_file(write(course, broken), REFS)
    assert lesson is None
    assert [(e.line, e.key) for e in errors] == [(2, "title"), (18, "discussions[0].mood"), (None, "summary")]
