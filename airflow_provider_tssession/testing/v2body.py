"""Read a REST v2 JSON body: each bad field is a 400 naming it, in the configured v2 error nesting."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TypeVar

from .registry import fail
from .wire import CODE_BAD_REQUEST, JSON_TYPE

if TYPE_CHECKING:
    from collections.abc import Collection

    from .catalog import MetadataObject, Visualization
    from .state import FakeState
    from .wire import Request

_D = TypeVar("_D")


def json_object(state: FakeState, request: Request, *, optional: bool = False) -> dict[str, object]:
    """Decode a JSON object body; another content type is 415, as on a real cluster."""
    if optional and not request.body.strip():
        return {}
    mime = request.headers.get("content-type", "").partition(";")[0].strip().lower()
    if mime != JSON_TYPE:
        raise fail(state, 415, CODE_BAD_REQUEST, f"Unsupported content type; expected {JSON_TYPE}")
    try:
        body = json.loads(request.body)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        raise fail(state, 400, CODE_BAD_REQUEST, "The request body is not a JSON object")
    return body


class Body:
    """Typed access to a decoded body (or a nested object of it); absent and null fields take the default."""

    def __init__(self, state: FakeState, data: dict[str, object], where: str = "") -> None:
        self._state, self.data, self._where = state, data, where

    @classmethod
    def of(cls, state: FakeState, request: Request, *, optional: bool = True) -> Body:
        """Read the request's JSON object body (an empty body is ``{}`` when ``optional``)."""
        return cls(state, json_object(state, request, optional=optional))

    def bad(self, name: str, expected: str) -> Exception:
        """Return (for ``raise``) a 400 naming the field and what it should be."""
        message = f"Invalid value for {self._where}{name}: expected {expected}"
        return fail(self._state, 400, CODE_BAD_REQUEST, message)

    def _get(self, name: str, required: bool) -> object:
        value = self.data.get(name)
        if value is None and required:
            raise fail(self._state, 400, CODE_BAD_REQUEST, f"Missing required field {self._where}{name}")
        return value

    def text(self, name: str, default: str = "", *, required: bool = False) -> str:
        """Read a string field."""
        value = self._get(name, required)
        if value is None:
            return default
        if not isinstance(value, str) or (required and not value):
            raise self.bad(name, "a non-empty string" if required else "a string")
        return value

    def flag(self, name: str, default: bool) -> bool:
        """Read a boolean field; its text "true"/"false" too (some clients send it)."""
        value = self._get(name, False)
        if value is None:
            return default
        if isinstance(value, str) and value.lower() in ("true", "false"):
            return value.lower() == "true"
        if not isinstance(value, bool):
            raise self.bad(name, "true or false")
        return value

    def integer(self, name: str, default: int, *, minimum: int = 0, maximum: int | None = None) -> int:
        """Read an integer field within [minimum, maximum]."""
        value = self._get(name, False)
        if value is None:
            return default
        high = "" if maximum is None else f" and <= {maximum}"
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise self.bad(name, f"an integer >= {minimum}{high}")
        if maximum is not None and value > maximum:
            raise self.bad(name, f"an integer >= {minimum}{high}")
        return value

    def choice(self, name: str, choices: Collection[str], default: _D) -> str | _D:
        """Read one of ``choices`` (strings)."""
        value = self._get(name, False)
        if value is None:
            return default
        for choice in choices:
            if value == choice:
                return choice
        raise self.bad(name, "one of " + ", ".join(sorted(map(str, choices))))

    def strings(self, name: str, *, required: bool = False) -> list[str]:
        """Read a list of strings."""
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.bad(name, "a list of strings")
        if required and not value:
            raise self.bad(name, "a non-empty list of strings")
        return value

    def objects(self, name: str, *, required: bool = False) -> list[Body]:
        """Read a list of JSON objects, each as a Body."""
        value = self._get(name, required)
        if value is None:
            return []
        if not isinstance(value, list) or not all(isinstance(item, dict) for item in value):
            raise self.bad(name, "a list of objects")
        if required and not value:
            raise self.bad(name, "a non-empty list of objects")
        return [Body(self._state, item, f"{self._where}{name}[{index}].") for index, item in enumerate(value)]

    def mapping(self, name: str) -> Body:
        """Read a nested object (``{}`` when absent)."""
        value = self._get(name, False)
        if value is None:
            return Body(self._state, {}, f"{self._where}{name}.")
        if not isinstance(value, dict):
            raise self.bad(name, "an object")
        return Body(self._state, value, f"{self._where}{name}.")


def find_object(
    state: FakeState, body: Body, field: str, type_: str, *, required: bool = True
) -> MetadataObject:
    """Read ``field`` and find the ``type_`` object it names (GUID or name); else a 400 naming both."""
    identifier = body.text(field, required=required)
    obj = state.catalog.get(identifier, type_)
    if obj is None:
        message = f"Invalid value for {field}: no {type_} {identifier!r} found or accessible"
        raise fail(state, 400, CODE_BAD_REQUEST, message)
    return obj


def find_visualizations(state: FakeState, body: Body, liveboard: MetadataObject) -> list[Visualization]:
    """Read ``visualization_identifiers`` (GUIDs or names; none: all); an unknown one is a 400 naming it."""
    try:
        return liveboard.pick_visualizations(body.strings("visualization_identifiers"))
    except KeyError as exc:
        message = f"Visualization {exc.args[0]} is not on Liveboard {liveboard.name}"
        raise fail(state, 400, CODE_BAD_REQUEST, message) from None
