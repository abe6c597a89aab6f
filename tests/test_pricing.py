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
    ("claude-sonnet-5-5", "claude-sonnet-5-5"),
    ("claude-haiku-4-5-20251001", "claude-haiku-4-5"),
    ("anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5"),
    ("claude-opus-4-5@20251101", "claude-opus-4-5"),
    ("claude-sonnet-4-6[1m]", "claude-sonnet-4-6"),
])
def test_dated_and_provider_ids_find_their_row(table, model, row):
    assert table.price_for(model).id == row


@pytest.mark.parametrize(("model", "family"), [
    ("claude-sonnet-9", "sonnet"),
    ("claude-haiku-7", "haiku"),
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
def test_cache_multipliers_of_4_x_models_are_1_25_2_and_0_1_of_input(table, model):
    row = table.models[model]
    assert (row.cache_write_5m, row.cache_write_1h, row.cache_read) == pytest.approx(
        (1.25 * row.input, 2 * row.input, 0.1 * row.input))


@pytest.mark.parametrize(("model", "ratio"), [("claude-opus-5-5", 0.05), ("claude-fable-5-1", 0.025)])
def test_cache_reads_of_some_newer_models_are_not_a_tenth_of_input(table, model, ratio):
    row = table.models[model]
    assert row.cache_read == pytest.approx(ratio * row.input)


def test_every_current_model_has_a_price(table):
    from coach import catalogue
    for model in catalogue.load(pricing.BUNDLED_PRICES).current():
        assert table.price_for(model.id).id == model.id


def test_haiku_5_5_bills_a_long_prompt_at_its_long_band_on_every_token(table):
    row = table.models["claude-haiku-5-5"]
    assert row.long_prompt is not None and row.long_prompt_threshold == 100_000
    short = {"input_tokens": 100_000, "output_tokens": 1_000}
    long = {"input_tokens": 60_000, "cache_read_input_tokens": 40_001, "output_tokens": 1_000}
    assert table.cost(short, "claude-haiku-5-5") == pytest.approx((100_000 * row.input + 1_000 * row.output) / MILLION)
    band = row.long_prompt
    assert table.cost(long, "claude-haiku-5-5") == pytest.approx(
        (60_000 * band.input + 40_001 * band.cache_read + 1_000 * band.output) / MILLION)


def test_instructor_override_in_user_folder_wins(coach_home):
    override = coach_home / "data" / "models.toml"
    override.parent.mkdir(parents=True)
    text = pricing.BUNDLED_PRICES.read_text(encoding="utf-8").replace('\nas_of = "', '\nas_of = "1999-01-01" # "', 1)
    override.write_text(text, encoding="utf-8")
    assert pricing.prices_file() == override
    assert pricing.load_prices().as_of == "1999-01-01"


ROW = ('name = "S"\nfamily = "sonnet"\nstatus = "current"\ninput = {input}\noutput = 15\ncache_write_5m = 3.75\n'
       'cache_write_1h = 6\ncache_read = 0.3\nbatch_input = 1.5\nbatch_output = 7.5\ncontext_window = 1\n'
       'max_output = 1\ncache_minimum = 1\nthinking = "none"\nsampling_params = true\nsource = "x"\n'
       'as_of = "2026-01-01"\n')


def test_broken_row_names_file_line_and_key(tmp_path):
    bad = tmp_path / "models.toml"
    bad.write_text('as_of = "2026-01-01"\n[models.s]\n' + ROW.format(input='"three"'), encoding="utf-8")
    with pytest.raises(pricing.PriceTableError) as raised:
        pricing.load_prices(bad)
    assert str(raised.value).endswith("models.toml:6: models.s.input: Input should be a valid number, "
                                      "unable to parse string as a number")


def test_negative_price_is_an_error(tmp_path):
    bad = tmp_path / "models.toml"
    bad.write_text('as_of = "2026-01-01"\n[models.s]\n' + ROW.format(input="-1"), encoding="utf-8")
    with pytest.raises(pricing.PriceTableError, match=r"models.toml:6: models.s.input: Input should be greater"):
        pricing.load_prices(bad)


def test_a_batch_result_costs_half_the_standard_price():
    usage = {"input_tokens": 1000, "output_tokens": 500, "cache_read_input_tokens": 2000,
             "cache_creation_input_tokens": 0}
    standard = pricing.cost(usage, "claude-sonnet-5-5")
    assert pricing.cost(usage, "claude-sonnet-5-5", batch=True) == pytest.approx(standard / 2)
    assert pricing.cost({**usage, "service_tier": "batch"}, "claude-sonnet-5-5") == pytest.approx(standard / 2)
