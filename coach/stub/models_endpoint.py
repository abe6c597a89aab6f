"""`GET /v1/models` and `GET /v1/models/{model_id}`, served from the model catalogue.

The list holds every model still served, most recently released first, in pages the SDK's
`SyncPage` walks (`data`, `has_more`, `first_id`, `last_id`; `limit`, `after_id`, `before_id`).
Retrieve also answers a retired id (lifecycle `retired`) and resolves aliases to the row's id.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from coach.catalogue import Catalogue, Model
from coach.stub.request import Rejected, invalid

DEFAULT_LIMIT = 20
MAX_LIMIT = 1000
_EPOCH = dt.date(2024, 1, 1)
"""`created_at` for a row without a release day (the catalogue leaves some unknown)."""


def model_info(row: Model) -> dict[str, Any]:
    """One model as the API describes it (the SDK's `ModelInfo`)."""
    lifecycle = {"retired": "retired", "deprecated": "deprecated"}.get(row.status, "active")
    return {
        "type": "model",
        "id": row.id,
        "display_name": row.name,
        "created_at": _rfc3339(row.released or _EPOCH),
        "lifecycle": lifecycle,
        "retires_at": _rfc3339(row.retirement) if row.retirement else None,
        "max_input_tokens": row.context_window,
        "max_tokens": row.max_output,
    }


def list_page(table: Catalogue, query: Mapping[str, str]) -> dict[str, Any]:
    rows = sorted((row for row in table if row.served), key=lambda r: r.released or _EPOCH, reverse=True)
    ids = [row.id for row in rows]
    limit = _limit(query.get("limit"))
    after, before = query.get("after_id"), query.get("before_id")
    if after is not None and before is not None:
        raise invalid("after_id and before_id cannot both be set")
    start, end = 0, len(rows)
    if after is not None:
        start = _position(ids, after, "after_id") + 1
        end = min(start + limit, len(rows))
        has_more = end < len(rows)
    elif before is not None:
        end = _position(ids, before, "before_id")
        start = max(0, end - limit)
        has_more = start > 0
    else:
        end = min(limit, len(rows))
        has_more = end < len(rows)
    page = [model_info(row) for row in rows[start:end]]
    return {"data": page, "has_more": has_more, "first_id": page[0]["id"] if page else None,
            "last_id": page[-1]["id"] if page else None}


def retrieve(table: Catalogue, model_id: str) -> dict[str, Any]:
    row = table.find(model_id)
    if row is None:
        raise Rejected(404, "not_found_error", f"model: {model_id}")
    return model_info(row)


def _limit(value: str | None) -> int:
    if value is None:
        return DEFAULT_LIMIT
    try:
        limit = int(value)
    except ValueError:
        raise invalid("limit: Input should be a valid integer") from None
    if not 1 <= limit <= MAX_LIMIT:
        raise invalid(f"limit: Input should be between 1 and {MAX_LIMIT}")
    return limit


def _position(ids: list[str], wanted: str, name: str) -> int:
    try:
        return ids.index(wanted)
    except ValueError:
        raise invalid(f"{name}: no model with id '{wanted}' in the list") from None


def _rfc3339(day: dt.date) -> str:
    return f"{day.isoformat()}T00:00:00Z"
