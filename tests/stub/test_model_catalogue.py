"""The stub serves the models the catalogue says are served, and refuses retired ones as the API does."""

from __future__ import annotations

import anthropic
import pytest

from coach import catalogue
from tests.stub.conftest import HELLO, client

TABLE = catalogue.load(catalogue.BUNDLED_CATALOGUE)


@pytest.mark.parametrize("model", [m.id for m in TABLE.current()])
def test_every_current_model_is_served(start_stub, model):
    assert client(start_stub()).messages.create(model=model, max_tokens=5, messages=HELLO).type == "message"


def test_a_retired_model_answers_404_not_found_naming_the_model(start_stub):
    retired = next(m for m in TABLE if m.status == "retired" and m.aliases)
    sdk = client(start_stub(), max_retries=0)
    for name in (retired.id, retired.aliases[0]):
        with pytest.raises(anthropic.NotFoundError) as caught:
            sdk.messages.create(model=name, max_tokens=5, messages=HELLO)
        assert caught.value.type == "not_found_error" and name in caught.value.message


@pytest.mark.filterwarnings("ignore:The model .* is deprecated:DeprecationWarning")
def test_a_deprecated_model_is_still_served(start_stub):
    deprecated = next(m for m in TABLE if m.status == "deprecated")
    assert client(start_stub()).messages.create(model=deprecated.id, max_tokens=5, messages=HELLO).type == "message"


def test_counting_tokens_for_a_retired_model_answers_404_too(start_stub):
    retired = next(m for m in TABLE if m.status == "retired")
    with pytest.raises(anthropic.NotFoundError):
        client(start_stub(), max_retries=0).messages.count_tokens(model=retired.id, messages=HELLO)
