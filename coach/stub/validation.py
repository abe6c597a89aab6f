"""Request bodies checked the way the API checks them: the installed SDK's own typed params, strict.

The SDK describes every request body as TypedDicts (`anthropic.types.MessageCreateParams*`).
This module rebuilds each one for pydantic, unchanged in shape but with extra keys forbidden,
strict types, lists where the SDK says `Iterable` (pydantic validates an Iterable lazily) and
unions that share a `type` (or `role`) literal discriminated by it, as the API's own errors show
(`Input tag 'foo' found using 'type' does not match any of the expected tags`). Nothing here is a
hand-written rule about a field: a new SDK brings its new fields with it.

Bodies are parsed and validated in one pass by pydantic-core (`validate_json`), whose JSON parser
stops at a nesting depth of about 200, so a body nested 100,000 deep is a 400 before any Python
object is built, never a RecursionError.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import types
import typing
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import pydantic_core
import typing_extensions as te
from pydantic import BaseModel, ConfigDict, Discriminator, Field, Tag, TypeAdapter, ValidationError
from pydantic_core import SchemaValidator

from coach import paths
from coach.stub.request import Rejected, invalid

STRICT = ConfigDict(extra="forbid", strict=True)
TAG_MARK = "#"
"""Discriminator tags start with this, so a tag in an error's location is never mistaken for a key."""
DISCRIMINATORS = ("type", "role")
_ITERABLES = (Iterable, Sequence, typing.Iterable, typing.Sequence, list)


class _Rebuilder:
    """Copies an SDK TypedDict tree into a strict one; one instance per adapter, memoised per class."""

    def __init__(self, added: dict[str, dict[str, Any]] | None = None) -> None:
        self._done: dict[type, Any] = {}
        self._added = added or {}
        """Fields to add to the TypedDicts of these names (the sampling parameters the SDK no longer types)."""

    def convert(self, tp: Any) -> Any:
        origin = te.get_origin(tp)
        if origin is te.Annotated:  # the SDK's PropertyInfo metadata (aliases, formats) is for its own transform
            return self.convert(te.get_args(tp)[0])
        if origin in (te.Required, te.NotRequired):
            return self.convert(te.get_args(tp)[0])
        if te.is_typeddict(tp):
            return self._typeddict(tp)
        if origin in (typing.Union, types.UnionType):
            return self._union([a for a in te.get_args(tp) if _is_json_type(a)])
        if origin in _ITERABLES or _is_sequence_not_str(tp):
            (item,) = te.get_args(tp) or (Any,)
            return list[self.convert(item)]  # type: ignore[misc]
        if origin in (dict, typing.Dict):  # noqa: UP006
            key, value = te.get_args(tp)
            return dict[self.convert(key), self.convert(value)]  # type: ignore[misc]
        return tp  # str, int, float, bool, object, Literal[...], None

    def _typeddict(self, cls: type) -> Any:
        if cls in self._done:
            return self._done[cls]
        hints = typing.get_type_hints(cls, include_extras=True)
        fields: dict[str, Any] = {}
        for name, hint in hints.items():
            required = te.get_origin(hint) is te.Required or (
                name in cls.__required_keys__ and te.get_origin(hint) is not te.NotRequired)  # type: ignore[attr-defined]
            inner = self.convert(hint)
            fields[name] = te.Required[inner] if required else te.NotRequired[inner]
        fields.update(self._added.get(cls.__name__, {}))
        strict = te.TypedDict(cls.__name__, fields, total=False)  # type: ignore[operator]
        strict.__pydantic_config__ = STRICT  # type: ignore[attr-defined]
        self._done[cls] = strict
        return strict

    def _union(self, members: list[Any]) -> Any:
        members = _flattened(members)
        none = [m for m in members if m is type(None)]
        # the SDK also accepts its response models (a Message's content passed back); on the wire they are the
        # same JSON as the params, and pydantic models would let extra keys through
        rest = [m for m in members if m is not type(None) and not _is_model(m)] or \
            [m for m in members if m is not type(None)]
        dicts = [m for m in rest if te.is_typeddict(m)]
        key = _discriminator_of(dicts) if len(dicts) > 1 else None
        converted: list[Any]
        if key is not None:
            tagged = [te.Annotated[self.convert(m), Tag(f"{TAG_MARK}{_literal_of(m, key)}")] for m in dicts]
            # duplicate literals (two versions of a tool with one `type`) can't share a tag: keep the first
            seen: set[str] = set()
            unique = []
            for member, cls in zip(tagged, dicts, strict=True):
                tag = f"{TAG_MARK}{_literal_of(cls, key)}"
                if tag not in seen:
                    seen.add(tag)
                    unique.append(member)
            discriminated = te.Annotated[typing.Union[tuple(unique)], Discriminator(_TAG_READERS[key])]  # noqa: UP007
            converted = [discriminated, *(self.convert(m) for m in rest if m not in dicts)]
        else:
            converted = [self.convert(m) for m in rest]
        converted += none
        return converted[0] if len(converted) == 1 else typing.Union[tuple(converted)]  # noqa: UP007


def _type_tag(value: Any) -> str | None:
    found = value.get("type") if isinstance(value, dict) else None
    return f"{TAG_MARK}{found}" if isinstance(found, str) else None


def _role_tag(value: Any) -> str | None:
    found = value.get("role") if isinstance(value, dict) else None
    return f"{TAG_MARK}{found}" if isinstance(found, str) else None


_TAG_READERS = {"type": _type_tag, "role": _role_tag}
"""Module-level functions, so a built schema can be pickled into the cache."""


def _flattened(members: list[Any]) -> list[Any]:
    """Union members with the SDK's Annotated aliases (`ContentBlock`) opened up, so each is seen on its own."""
    out: list[Any] = []
    for member in members:
        while te.get_origin(member) is te.Annotated:
            member = te.get_args(member)[0]
        if te.get_origin(member) in (typing.Union, types.UnionType):
            out += _flattened(list(te.get_args(member)))
        elif member not in out:
            out.append(member)
    return out


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_json_type(tp: Any) -> bool:
    """False for the SDK's file-like upload inputs (IO, PathLike), which a JSON body never holds."""
    origin = te.get_origin(tp) or tp
    return not (isinstance(origin, type) and (issubclass(origin, (typing.IO, os.PathLike))))  # type: ignore[arg-type]


def _is_sequence_not_str(tp: Any) -> bool:
    origin = te.get_origin(tp)
    return getattr(origin, "__name__", "") == "SequenceNotStr"


def _literal_values(cls: type, key: str) -> tuple[Any, ...] | None:
    hint = typing.get_type_hints(cls, include_extras=True).get(key)
    if hint is None:
        return None
    while te.get_origin(hint) in (te.Required, te.NotRequired, te.Annotated):
        hint = te.get_args(hint)[0]
    return te.get_args(hint) if te.get_origin(hint) is te.Literal else None


def _literal_of(cls: type, key: str) -> str:
    values = _literal_values(cls, key)
    assert values
    return str(values[0])


def _discriminator_of(dicts: list[type]) -> str | None:
    for key in DISCRIMINATORS:
        values = [_literal_values(cls, key) for cls in dicts]
        if all(v is not None and len(v) == 1 for v in values):
            return key
    return None


SAMPLING = {
    "temperature": te.NotRequired[te.Annotated[float, Field(ge=0.0, le=1.0)]],
    "top_p": te.NotRequired[te.Annotated[float, Field(ge=0.0, le=1.0)]],
    "top_k": te.NotRequired[te.Annotated[int, Field(ge=0)]],
}
"""Sampling parameters the installed SDK (2.16) no longer types but the API still reads on older models
(the catalogue's `sampling_params`); the only fields here not taken from the SDK."""


def _messages_params() -> Any:
    """`MessageCreateParamsNonStreaming` with `stream: bool` (the streaming variant differs only there: one
    TypedDict gives one error per problem where a union of the two gives each twice) and `SAMPLING`."""
    from anthropic.types.message_create_params import MessageCreateParamsNonStreaming

    rebuilt = _Rebuilder({"MessageCreateParamsNonStreaming": SAMPLING}).convert(MessageCreateParamsNonStreaming)
    fields = {**rebuilt.__annotations__, "stream": te.NotRequired[bool]}
    merged = te.TypedDict("MessageCreateParams", fields, total=False)  # type: ignore[operator]
    merged.__pydantic_config__ = STRICT  # type: ignore[attr-defined]
    return merged


def _count_tokens_params() -> Any:
    from anthropic.types.message_count_tokens_params import MessageCountTokensParams

    return _Rebuilder().convert(MessageCountTokensParams)


def _batch_create_params() -> Any:
    from anthropic.types.messages.batch_create_params import BatchCreateParams

    return _Rebuilder({"MessageCreateParamsNonStreaming": SAMPLING}).convert(BatchCreateParams)


def _beta_messages_params() -> Any:
    """The beta endpoint's params (`/v1/messages?beta=true`, what `client.beta.messages` and the tool runner send)."""
    from anthropic.types.beta.message_create_params import MessageCreateParamsNonStreaming

    rebuilt = _Rebuilder({"MessageCreateParamsNonStreaming": SAMPLING}).convert(MessageCreateParamsNonStreaming)
    fields = {**rebuilt.__annotations__, "stream": te.NotRequired[bool]}
    merged = te.TypedDict("BetaMessageCreateParams", fields, total=False)  # type: ignore[operator]
    merged.__pydantic_config__ = STRICT  # type: ignore[attr-defined]
    return merged


BODIES = {"messages": _messages_params, "beta_messages": _beta_messages_params,
          "count_tokens": _count_tokens_params, "batch_create": _batch_create_params}


def validator(body: str) -> SchemaValidator:
    """The validator for one kind of request body ("messages", "count_tokens", "batch_create")."""
    return _validators()[body]


@cache
def _validators() -> dict[str, SchemaValidator]:
    """Built from the SDK once per SDK version and kept beside this module's bytecode (or, where that folder is
    read-only, in the user data folder): building imports the whole SDK and runs pydantic's schema generation
    (seconds), loading the kept schemas takes milliseconds. A missing, stale or broken copy is rebuilt quietly."""
    files = _cache_files()
    for file in files:
        try:
            with file.open("rb") as handle:
                schemas = pickle.load(handle)
            return {name: SchemaValidator(schemas[name]) for name in BODIES}
        except Exception:  # any unreadable copy: try the next, then rebuild
            continue
    schemas = {name: _without_classes(TypeAdapter(build()).core_schema) for name, build in BODIES.items()}
    for file in files:
        try:
            file.parent.mkdir(parents=True, exist_ok=True)
            partial = file.with_suffix(f".{os.getpid()}.tmp")
            partial.write_bytes(pickle.dumps(schemas))
            partial.replace(file)
            break
        except OSError:
            continue
    return {name: SchemaValidator(schema) for name, schema in schemas.items()}


def _cache_files() -> list[Path]:
    source = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    key = f"anthropic-{metadata.version('anthropic')}-pydantic-core-{pydantic_core.__version__}-{source}"
    name = f"stub-request-schemas-{key}.pickle"
    return [Path(__file__).resolve().parent / "__pycache__" / name, paths.user_data_dir() / "cache" / name]


def _without_classes(schema: Any) -> Any:
    """The core schema without the rebuilt TypedDict classes it names (made on the fly, so not picklable;
    validation never reads them: it returns plain dicts)."""
    if isinstance(schema, dict):
        return {k: _without_classes(v) for k, v in schema.items() if k != "cls"}
    if isinstance(schema, list):
        return [_without_classes(item) for item in schema]
    if isinstance(schema, tuple):
        return tuple(_without_classes(item) for item in schema)
    return schema


FALLBACKS = {"messages": "beta_messages"}
"""The SDK 2.16 sends `client.beta.messages` (and its tool runner) to the same `/v1/messages` with beta fields
(`thread`, ...) and no marker in the URL, so a body the GA params refuse is tried against the beta params."""


def parse_body(raw: bytes, body: str) -> dict[str, Any]:
    """The body as plain JSON values, or `Rejected` with the API's wording and the path of the first problem."""
    try:
        return validator(body).validate_json(raw)  # type: ignore[no-any-return]
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_input=False)
        if errors and errors[0]["type"] == "json_invalid":
            raise invalid(f"There was an error parsing the body of your request: {errors[0]['msg']}") from None
        if body in FALLBACKS:
            try:
                return validator(FALLBACKS[body]).validate_json(raw)  # type: ignore[no-any-return]
            except ValidationError:
                pass
        raise invalid(describe(errors, json.loads(raw))) from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise invalid(f"There was an error parsing the body of your request: {exc}") from None


def describe(errors: list[Any], body: Any) -> str:
    """The API's one-line message for the most specific error: `messages.0.content.1.foo: Extra inputs ...`.

    Of the errors a union gives (one per branch), the deepest says most; at equal depth a type's error
    ("Input should be a valid string") says more than a list of every literal the SDK names, and a wrong
    value says more than a missing or extra key, which the union's other branches give for any input (a
    server tool with `max_uses: "many"` is one custom tool without `input_schema` to the custom branch).
    """
    rendered = [(*_render(error, body), error["type"] not in ("missing", "extra_forbidden")) for error in errors]
    path, message, _, _ = max(rendered, key=lambda r: (len(r[0]), r[2], r[3]))
    return f"{'.'.join(path)}: {message}" if path else message


def _render(error: Any, body: Any) -> tuple[list[str], str, bool]:
    node, path = body, []
    loc = error["loc"]
    for i, part in enumerate(loc):
        if isinstance(node, dict) and isinstance(part, str) and part in node:
            path.append(part)
            node = node[part]
        elif isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            path.append(str(part))
            node = node[part]
        elif i == len(loc) - 1 and error["type"] == "missing" and isinstance(part, str):
            path.append(part)
        # anything else is a union branch's label or a discriminator tag: not part of the body's path
    message = error["msg"]
    context = error.get("ctx") or {}
    key = "role" if "role" in str(context.get("discriminator", "")) else "type"
    if error["type"] == "union_tag_invalid":
        tags = ", ".join(f"'{t.strip().strip(chr(39))[len(TAG_MARK):]}'"
                         for t in str(context.get("expected_tags", "")).split(","))
        message = (f"Input tag '{str(context.get('tag', ''))[len(TAG_MARK):]}' found using '{key}' "
                   f"does not match any of the expected tags: {tags}")
    elif error["type"] == "union_tag_not_found":
        message = "Input should be an object" if not isinstance(node, dict) else \
            f"Unable to extract tag using discriminator '{key}'"
    return path, message, error["type"] != "literal_error"


def reject_content_type(content_type: str) -> Rejected | None:
    """The API reads only JSON bodies; anything else is a 400 before the body is read."""
    if content_type == "application/json" or content_type.endswith("+json"):
        return None
    shown = content_type or "(none)"
    return invalid(f"Unsupported content type: {shown}. Send the body as JSON with "
                   "'content-type: application/json'.")
