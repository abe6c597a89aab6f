"""The model catalogue is held to the installed SDK: the ids it names and the end-of-life dates it warns with."""

from __future__ import annotations

import datetime as dt
import re
import typing

import pytest
from anthropic._data import DEPRECATED_MODELS
from anthropic.types import ModelParam

from coach import catalogue


@pytest.fixture(scope="module")
def table() -> catalogue.Catalogue:
    return catalogue.load(catalogue.BUNDLED_CATALOGUE)


def sdk_model_ids(param: object = ModelParam) -> list[str]:
    """The literal ids in a `ModelParam`-shaped alias: Union[Literal[...], str]."""
    ids: list[str] = []
    for arm in typing.get_args(param):
        if typing.get_origin(arm) is typing.Literal:
            ids += list(typing.get_args(arm))
    return ids


def sdk_date(text: str) -> dt.date:
    """`January 22nd, 2027` -> 2027-01-22 (the SDK's wording in DEPRECATED_MODELS)."""
    return dt.datetime.strptime(re.sub(r"(\d+)(st|nd|rd|th)", r"\1", text), "%B %d, %Y").date()


def unknown_to_catalogue(table: catalogue.Catalogue, ids: list[str]) -> list[str]:
    return [model_id for model_id in ids if table.find(model_id) is None and model_id not in table.ignored]


def test_the_sdk_names_models_at_all():
    assert len(sdk_model_ids()) >= 10


def test_every_model_the_installed_sdk_names_is_in_the_catalogue_or_ignored_with_a_reason(table):
    missing = unknown_to_catalogue(table, sdk_model_ids())
    assert not missing, f"the installed SDK knows models the catalogue does not: {', '.join(missing)}"


def test_a_newer_sdk_naming_an_unknown_model_fails_naming_the_id(table):
    newer = typing.Union[typing.Literal["claude-opus-5-5", "claude-sonnet-9-1"], str]  # noqa: UP007
    assert unknown_to_catalogue(table, sdk_model_ids(newer)) == ["claude-sonnet-9-1"]


def test_every_ignored_id_states_its_reason(table):
    assert all(reason.strip() for reason in table.ignored.values())


@pytest.mark.parametrize("model_id", sorted(DEPRECATED_MODELS))
def test_every_sdk_deprecated_model_is_deprecated_or_retired_with_the_sdks_end_of_life(table, model_id):
    row = table.get(model_id)
    assert row.status in ("deprecated", "retired"), f"{model_id} is {row.status} here, deprecated in the SDK"
    assert row.retirement == sdk_date(DEPRECATED_MODELS[model_id])


def test_a_deprecated_model_whose_end_of_life_has_passed_is_retired(table):
    for row in table:
        if row.status == "deprecated":
            assert row.retirement is not None and row.retirement > table.as_of, row.id


def test_the_current_lineup_has_one_model_per_public_family(table):
    assert {m.family for m in table.current()} >= {"fable", "opus", "sonnet", "haiku"}


def test_every_served_model_has_prices_limits_and_a_source(table):
    for row in table:
        if row.served:
            assert row.input and row.output and row.context_window and row.max_output and row.cache_minimum, row.id
            assert row.source.startswith("https://platform.claude.com/docs/"), row.id


def test_batch_prices_are_half_of_standard(table):
    for row in table:
        if row.served:
            assert (row.batch_input, row.batch_output) == pytest.approx((row.input / 2, row.output / 2)), row.id


def test_every_successor_is_still_served(table):
    for row in table:
        if row.status != "current":
            successor = table.successor_of(row.id)
            assert successor is not None and successor.served, row.id


def test_unverified_names_real_fields(table):
    fields = set(catalogue.Model.model_fields)
    for row in table:
        assert set(row.unverified) <= fields, row.id


@pytest.mark.parametrize(("name", "row"), [
    ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
    ("claude-opus-4-5-20251101", "claude-opus-4-5"),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
    ("claude-sonnet-5-5[1m]", "claude-sonnet-5-5"),
])
def test_aliases_and_provider_spellings_find_their_row(table, name, row):
    assert table.get(name).id == row


def test_an_unknown_id_is_not_found(table):
    assert table.find("claude-sonnet-9") is None
    with pytest.raises(catalogue.UnknownModelError, match="claude-sonnet-9"):
        table.get("claude-sonnet-9")


def test_a_retired_model_falls_back_to_its_successor(table):
    assert table.get("claude-sonnet-4-5").status == "retired"
    assert table.successor_of("claude-sonnet-4-5").id == "claude-sonnet-5-5"


def test_lifecycle_words_name_status_and_date(table):
    assert table.get("claude-opus-4-5").lifecycle == "deprecated, retires 2027-01-22"
    assert table.get("claude-sonnet-4-5").lifecycle == "retired on 2026-11-30"


def test_a_deprecated_row_without_its_date_names_file_line_and_key(tmp_path):
    bad = tmp_path / "models.toml"
    bad.write_text('as_of = "2026-01-01"\n[models.m]\nname = "M"\nfamily = "opus"\nstatus = "deprecated"\n'
                   'thinking = "none"\nsampling_params = true\nsource = "x"\nas_of = "2026-01-01"\n',
                   encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"models.toml:2: models.m: a deprecated model needs its "
                                                        r"retirement date"):
        catalogue.load(bad)


def test_a_successor_without_a_row_is_an_error(tmp_path):
    text = catalogue.BUNDLED_CATALOGUE.read_text(encoding="utf-8").replace(
        'successor = "claude-fable-5-2"', 'successor = "claude-fable-9"', 1)
    bad = tmp_path / "models.toml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(catalogue.CatalogueError, match=r"successor: no row for 'claude-fable-9'"):
        catalogue.load(bad)


def test_the_cache_break_even_the_budgets_lesson_teaches_holds_for_every_current_model(table):
    """5-minute: one read pays for the write. 1-hour: one read does not (2.0 + read > 2.0), two do."""
    for row in table.current():
        assert row.cache_write_5m + row.cache_read < 2 * row.input, row.id
        assert row.cache_write_1h + row.cache_read > 2 * row.input, row.id
        assert row.cache_write_1h + 2 * row.cache_read < 3 * row.input, row.id


def test_each_families_current_model_is_the_newest_the_sdk_names(table):
    """The SDK lists ids newest first; the catalogue's current row per family is that family's first id.

    This is what settles the lineup when a design note lags behind: ../shared/DESIGN.md still names
    Fable 5.1 as current, while the installed SDK and the official Fable 5.2 page put Fable 5.2 first
    and the catalogue marks 5.1 legacy.
    """
    first_named: dict[str, str] = {}
    for model_id in sdk_model_ids():
        row = table.get(model_id)
        if row is not None:
            first_named.setdefault(row.family, row.id)
    current = {row.family: row.id for row in table.current()}
    assert {family: first_named[family] for family in current} == current
    assert current["fable"] == "claude-fable-5-2" and table.get("claude-fable-5-1").status == "legacy"
