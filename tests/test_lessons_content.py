"""The four bundled lessons: they load, their code parses, their tables exist, their facts and
prices agree with the SDK and the price table, and none of their prose is copied from the seed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from coach import paths, pricing
from coach.curriculum import Lesson, load_curriculum

SEED = Path("/work/shared/seed/000_fa26f2fb143d35a7.txt")
LESSON_IDS = ["rate-limits", "budgets", "streaming", "observability"]
COPY_RUN = 8  # words in a row shared with the seed that count as copying
OFFICIAL_SOURCES = ("https://platform.claude.com/docs/en/", "https://github.com/anthropics/anthropic-sdk-python")
"""Where the official pages live now; docs.claude.com and docs.anthropic.com are older homes of the same pages."""


@pytest.fixture(scope="module")
def lessons() -> dict[str, Lesson]:
    curriculum = load_curriculum([paths.bundled_lessons_dir()])
    assert [str(error) for error in curriculum.errors] == []
    return {lesson.id: lesson for lesson in curriculum.lessons}


def lesson_text(lesson: Lesson) -> str:
    parts = [lesson.title, lesson.summary, *lesson.key_points]
    parts += [f"{section.title}\n{section.body}" for section in lesson.sections]
    for discussion in lesson.discussions:
        parts += [discussion.title, discussion.situation, *discussion.points, *discussion.hints]
    return "\n".join(parts)


def python_blocks(lesson: Lesson) -> list[str]:
    return [block for section in lesson.sections for block in re.findall(r"```python\n(.*?)```", section.body, re.S)]


def table_rows(markdown: str, header: str) -> list[list[str]]:
    """Cells of the rows of the first Markdown table whose header line starts with `header`."""
    lines = markdown.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("|") and re.sub(r"\s+", " ", line).startswith(header):
            rows = []
            for row in lines[i + 2:]:
                if not row.startswith("|"):
                    break
                rows.append([cell.strip() for cell in row.strip().strip("|").split("|")])
            return rows
    return []


def section_tables(lesson: Lesson, header: str) -> list[list[str]]:
    return [row for section in lesson.sections for row in table_rows(section.body, header)]


def test_bundled_lessons_are_the_four_in_order(lessons):
    assert list(lessons) == LESSON_IDS


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_lesson_has_at_least_four_sections(lessons, lesson_id):
    assert len(lessons[lesson_id].sections) >= 4


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_every_python_block_parses(lessons, lesson_id):
    blocks = python_blocks(lessons[lesson_id])
    assert blocks, "a lesson without a runnable example"
    for block in blocks:
        ast.parse(block)


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_examples_use_the_real_sdk(lessons, lesson_id):
    assert any("import anthropic" in block for block in python_blocks(lessons[lesson_id]))


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_sources_are_official_documentation(lessons, lesson_id):
    for source in lessons[lesson_id].sources:
        assert source.url.startswith(OFFICIAL_SOURCES), source.url


@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_discussion_has_four_to_six_points_and_hints(lessons, lesson_id):
    for discussion in lessons[lesson_id].discussions:
        assert 4 <= len(discussion.points) <= 6
        assert len(discussion.hints) >= len(discussion.points) - 1


def test_streaming_lesson_has_a_timeout_table_by_use_case(lessons):
    rows = section_tables(lessons["streaming"], "| Use case | connect | read |")
    use_cases = " ".join(row[0].lower() for row in rows)
    for use_case in ("chat ui, non-streaming", "chat ui, streaming", "batch", "connect"):
        assert use_case in use_cases


def test_observability_lesson_has_an_exception_table_with_retry_and_fallback(lessons):
    rows = section_tables(lessons["observability"], "| Exception | Status | SDK retries | Fallback |")
    classes = {row[0].strip("`") for row in rows}
    assert {"anthropic.RateLimitError", "anthropic.OverloadedError", "anthropic.APIConnectionError",
            "anthropic.APITimeoutError", "anthropic.AuthenticationError", "anthropic.BadRequestError"} <= classes
    assert all(row[3] for row in rows), "every class needs a fallback"


def normalised_words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9_']+", text.lower().replace("\u2019", "'"))


def runs(words: list[str], length: int) -> set[tuple[str, ...]]:
    return {tuple(words[i:i + length]) for i in range(len(words) - length + 1)}


@pytest.mark.skipif(not SEED.exists(), reason="seed text not available")
@pytest.mark.parametrize("lesson_id", LESSON_IDS)
def test_no_eight_word_run_of_the_seed(lessons, lesson_id):
    seed = runs(normalised_words(SEED.read_text(encoding="utf-8")), COPY_RUN)
    copied = runs(normalised_words(lesson_text(lessons[lesson_id])), COPY_RUN) & seed
    assert not copied, [" ".join(run) for run in sorted(copied)]


@pytest.mark.skipif(not SEED.exists(), reason="seed text not available")
def test_copy_detector_flags_a_seed_sentence_despite_case_and_spacing():
    sentence = SEED.read_text(encoding="utf-8").split(". ")[1]
    disguised = "  ".join(sentence.upper().split())
    seed = runs(normalised_words(SEED.read_text(encoding="utf-8")), COPY_RUN)
    assert runs(normalised_words(f"Intro words. {disguised}"), COPY_RUN) & seed


def test_rate_limit_headers_taught_are_anthropic_ones(lessons):
    text = "\n".join(lesson_text(lesson) for lesson in lessons.values())
    named = set(re.findall(r"[a-z-]*ratelimit-[a-z-]*", text.lower()))
    assert named, "the rate-limit lesson names no headers"
    wrong = {name for name in named if not name.startswith("anthropic-ratelimit-")}
    assert wrong <= {"x-ratelimit-remaining-requests"}, wrong  # the other vendor's name, named as a warning
    for family in ("requests", "tokens", "input-tokens", "output-tokens"):
        assert f"anthropic-ratelimit-{family}-remaining" in text or f"anthropic-ratelimit-{family}-limit" in text


def test_other_vendor_header_is_only_mentioned_as_wrong(lessons):
    body = lesson_text(lessons["rate-limits"])
    for match in re.finditer(r"x-ratelimit-", body):
        assert "different vendor" in body[match.start() - 100: match.end() + 200]


@pytest.fixture(scope="module")
def prices() -> pricing.PriceTable:
    return pricing.load_prices(pricing.BUNDLED_PRICES)


def dollars(cell: str) -> float:
    return float(cell.replace("$", "").replace(",", ""))


def test_budgets_price_table_matches_coach_pricing(lessons, prices):
    header = "| Model | Input | Output | Cache write 5m | Cache write 1h | Cache read |"
    rows = section_tables(lessons["budgets"], header)
    assert len(rows) >= 3
    for model, *cells in rows:
        row = prices.models[model.strip("`")]
        assert [dollars(cell) for cell in cells] == [row.input, row.output, row.cache_write_5m, row.cache_write_1h,
                                                     row.cache_read], model


def test_budgets_lesson_states_the_price_table_date(lessons, prices):
    assert f"checked on {prices.as_of}" in lesson_text(lessons["budgets"])


def test_budgets_code_examples_use_table_prices(lessons, prices):
    found = 0
    for block in python_blocks(lessons["budgets"]):
        for node in ast.walk(ast.parse(block)):
            if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "PRICES" for t in node.targets):
                for model, columns in ast.literal_eval(node.value).items():
                    row = prices.models[model]
                    assert columns == {name: getattr(row, name) for name in columns}, model
                    found += 1
    assert found


def test_budgets_quoted_sonnet_prices_match_the_table(lessons, prices):
    text = lesson_text(lessons["budgets"])
    quoted = re.findall(r"Claude Sonnet 5\.5 charges \$(\d+(?:\.\d+)?) per million input tokens and "
                        r"\$(\d+(?:\.\d+)?) per million output tokens", text)
    row = prices.models["claude-sonnet-5-5"]
    assert quoted == [(f"{row.input:g}", f"{row.output:g}")]
    assert row.output == 5 * row.input


def test_budgets_worked_example_totals_come_from_the_table(lessons, prices):
    """10,000 requests a day, 8,000-token prefix, 500 other input tokens, 400 output, 300 cache writes."""
    text = lesson_text(lessons["budgets"])
    model, requests, prefix, other, answer, writes = "claude-sonnet-5-5", 10_000, 8_000, 500, 400, 300
    uncached = prices.cost({"input_tokens": requests * (prefix + other), "output_tokens": requests * answer}, model)
    cached = prices.cost({"input_tokens": requests * other, "output_tokens": requests * answer,
                          "cache_creation_input_tokens": writes * prefix,
                          "cache_read_input_tokens": (requests - writes) * prefix}, model)
    assert f"**${uncached:,.2f}**" in text
    assert f"**${cached:,.2f}**" in text


def test_stop_reasons_taught_are_the_sdk_ones(lessons):
    from typing import get_args

    from anthropic.types import StopReason

    text = lesson_text(lessons["observability"])
    for reason in get_args(StopReason):
        assert f"`{reason}`" in text


AUTHORING = Path(__file__).resolve().parent.parent / "docs" / "authoring.md"


def test_authoring_guide_example_lesson_lints_clean(tmp_path):
    guide = AUTHORING.read_text(encoding="utf-8")
    lesson = re.search(r"`lessons/05-retry-drills\.toml`:\n\n````toml\n(.*?)````", guide, re.S).group(1)
    starter = re.search(r"`exercises/honour-retry-after/starter\.py`:\n\n```python\n(.*?)```", guide, re.S).group(1)
    (tmp_path / "lessons").mkdir()
    (tmp_path / "lessons" / "05-retry-drills.toml").write_text(lesson, encoding="utf-8")
    (tmp_path / "exercises" / "honour-retry-after").mkdir(parents=True)
    (tmp_path / "exercises" / "honour-retry-after" / "starter.py").write_text(starter, encoding="utf-8")
    curriculum = load_curriculum([tmp_path / "lessons"])
    assert [str(error) for error in curriculum.errors] == []
    [loaded] = curriculum.lessons
    assert [exercise.id for exercise in loaded.exercises] == ["honour-retry-after"]


def test_streaming_lessons_batch_price_example_comes_from_the_catalogue(lessons, prices):
    """1,000 summaries of 2,000 input and 300 output tokens on Haiku 5.5, one by one and as a batch."""
    row = prices.models["claude-haiku-5-5"]
    single_in, single_out = 1000 * 2000 * row.input / 1e6, 1000 * 300 * row.output / 1e6
    batch = 1000 * (2000 * row.batch_input + 300 * row.batch_output) / 1e6
    text = " ".join(lesson_text(lessons["streaming"]).split())
    assert (f"cost ${single_in:.2f} + ${single_out:.2f} = ${single_in + single_out:.2f} one by one and "
            f"${batch:.3f} as a batch") in text


def test_the_lifecycle_section_names_the_catalogues_current_lineup_and_dates(lessons):
    from coach import catalogue
    table = catalogue.load(catalogue.BUNDLED_CATALOGUE)
    public = [m for m in table.current() if m.family != "mythos"]
    names = [m.name.removeprefix("Claude ") for m in public]
    text = " ".join(lesson_text(lessons["observability"]).split())
    assert f"the current lineup was Claude {', '.join(names[:-1])} and {names[-1]}" in text
    assert f"retiring on {table.get('claude-opus-4-5').retirement}" in text
    assert f"Sonnet 4.5 had retired on {table.get('claude-sonnet-4-5').retirement}" in text
