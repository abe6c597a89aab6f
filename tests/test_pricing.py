"""The price table and the arithmetic of cost(usage, model)."""

from __future__ import annotations

import pytest
from anthropic.types import CacheCreation, Usage

from coach import pricing

MILLION = 1_000_000


@pytest.fixture
def table() -> pricing.PriceTable:
    return pricing.load_prices(pricing.BUNDLED_PRICES)


def test_bundled_table_is_dated(table):
    assert len(table.as_of) == 10 and table.as_of[4] == "-" and table.as_of[7] == "-"


def test_rows_are_frozen(table):
    with pytest.raises(AttributeError):
        table.models["claude-sonnet-4-6"].input = 0.0  # type: ignore[misc]


@pytest.mark.parametrize(("model", "row"), [
    ("claude-sonnet-4-6", "claude-sonnet-4-6"),
    ("claude-sonnet-4-5-20250929", "claude-sonnet-4-5"),
    ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
    ("claude-opus-4-5@20251101", "claude-opus-4-5"),
    ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6"),
])
def test_dated_and_provider_ids_find_their_row(table, model, row):
    assert table.price_for(model).id == row


@pytest.mark.parametrize(("model", "family"), [
    ("claude-sonnet-9", "sonnet"),
    ("claude-haiku-5-5", "haiku"),
    ("claude-opus-7-20300101", "opus"),
])
def test_unlisted_model_is_priced_as_its_family_default(table, model, family):
    assert table.price_for(model).id == table.families[family]


def test_unknown_family_is_an_error(table):
    with pytest.raises(pricing.UnknownModelError):
        table.price_for("gpt-4o")


def test_a_million_input_and_output_tokens_on_sonnet_cost_input_plus_output_price(table):
    row = table.models["claude-sonnet-4-6"]
    usage = {"input_tokens": MILLION, "output_tokens": MILLION}
    assert table.cost(usage, "claude-sonnet-4-6") == pytest.approx(row.input + row.output)


def test_cache_writes_without_breakdown_are_priced_at_the_5_minute_rate(table):
    row = table.models["claude-haiku-4-5"]
    usage = {"input_tokens": 0, "output_tokens": 0, "cache_creation_input_tokens": MILLION}
    assert table.cost(usage, "claude-haiku-4-5") == pytest.approx(row.cache_write_5m)


def test_sdk_usage_with_ttl_breakdown_prices_each_ttl_and_cache_reads(table):
    row = table.models["claude-sonnet-4-6"]
    usage = Usage(input_tokens=100, output_tokens=200, cache_creation_input_tokens=3_000,
                  cache_read_input_tokens=4_000,
                  cache_creation=CacheCreation(ephemeral_5m_input_tokens=1_000, ephemeral_1h_input_tokens=2_000))
    expected = (100 * row.input + 200 * row.output + 1_000 * row.cache_write_5m + 2_000 * row.cache_write_1h
                + 4_000 * row.cache_read) / MILLION
    assert table.cost(usage, "claude-sonnet-4-6") == pytest.approx(expected)


@pytest.mark.parametrize("model", ["claude-sonnet-4-6", "claude-haiku-4-5", "claude-opus-4-6"])
def test_cache_multipliers_are_1_25_2_and_0_1_of_input(table, model):
    row = table.models[model]
    assert (row.cache_write_5m, row.cache_write_1h, row.cache_read) == pytest.approx(
        (1.25 * row.input, 2 * row.input, 0.1 * row.input))


def test_instructor_override_in_user_folder_wins(coach_home):
    override = coach_home / "data" / "prices.toml"
    override.parent.mkdir(parents=True)
    text = pricing.BUNDLED_PRICES.read_text(encoding="utf-8").replace('as_of = "', 'as_of = "1999-01-01" # "', 1)
    override.write_text(text, encoding="utf-8")
    assert pricing.prices_file() == override
    assert pricing.load_prices().as_of == "1999-01-01"


def test_broken_row_names_file_line_and_key(tmp_path):
    bad = tmp_path / "prices.toml"
    bad.write_text('as_of = "2026-01-01"\nsource = "x"\n[families]\nsonnet = "s"\n'
                   '[models.s]\nname = "S"\ninput = "three"\noutput = 15\ncache_write_5m = 3.75\n'
                   'cache_write_1h = 6\ncache_read = 0.3\n', encoding="utf-8")
    with pytest.raises(pricing.PriceTableError) as raised:
        pricing.load_prices(bad)
    assert str(raised.value).endswith("prices.toml:7: models.s.input: expected a number, got a string")


def test_family_pointing_at_a_missing_row_is_an_error(tmp_path):
    bad = tmp_path / "prices.toml"
    bad.write_text('as_of = "2026-01-01"\nsource = "x"\n[families]\nhaiku = "nope"\n[models]\n', encoding="utf-8")
    with pytest.raises(pricing.PriceTableError, match=r"families.haiku: no row for 'nope'"):
        pricing.load_prices(bad)
