"""TML documents of catalog objects: written for export and Git commits, read back for import and deploy.

The shapes follow ThoughtSpot's TML (top-level ``guid`` and one of ``liveboard``, ``answer``, ``table``,
``model``, ``sql_view``, ``worksheet``, ``connection``, ``user``, ``group``), trimmed to what the stand-in
models: names, descriptions, table references (``fqn`` = GUID), columns, visualizations. JSON or YAML.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import yamlish
from .datasets import NUMBER_HINTS

if TYPE_CHECKING:
    from .catalog import Catalog, MetadataObject

TABLE_KEYS = {"ONE_TO_ONE_LOGICAL": "table", "WORKSHEET": "model", "SQL_VIEW": "sql_view"}
OBJECT_KEYS = {
    "LIVEBOARD": "liveboard",
    "ANSWER": "answer",
    "CONNECTION": "connection",
    "USER": "user",
    "USER_GROUP": "group",
}
KEY_TYPES = {
    "liveboard": ("LIVEBOARD", None),
    "pinboard": ("LIVEBOARD", None),
    "answer": ("ANSWER", None),
    "table": ("LOGICAL_TABLE", "ONE_TO_ONE_LOGICAL"),
    "model": ("LOGICAL_TABLE", "WORKSHEET"),
    "worksheet": ("LOGICAL_TABLE", "WORKSHEET"),
    "sql_view": ("LOGICAL_TABLE", "SQL_VIEW"),
    "connection": ("CONNECTION", None),
    "user": ("USER", None),
    "group": ("USER_GROUP", None),
}
V1_TYPES = {
    "LIVEBOARD": "PINBOARD_ANSWER_BOOK",
    "ANSWER": "QUESTION_ANSWER_BOOK",
    "LOGICAL_TABLE": "LOGICAL_TABLE",
    "CONNECTION": "DATA_SOURCE",
    "USER": "USER",
    "USER_GROUP": "USER_GROUP",
    "TAG": "TAG",
}


def type_key(obj: MetadataObject) -> str | None:
    """Return the top-level TML key of ``obj``, or None when it has no TML (tags)."""
    if obj.type == "LOGICAL_TABLE":
        return TABLE_KEYS.get(obj.subtype or "", "worksheet")
    return OBJECT_KEYS.get(obj.type)


def file_name(obj: MetadataObject) -> str:
    """Name the file ThoughtSpot gives an exported object: ``<name>.<type key>.tml``."""
    return f"{obj.name}.{type_key(obj) or obj.type.lower()}.tml"


def search_query(columns: tuple[str, ...]) -> str:
    """Write the search tokens of a column list, e.g. ``[Region] [Sales]``."""
    return " ".join(f"[{name}]" for name in columns)


def query_columns(query: str) -> list[str]:
    """Read the column names in a search query's ``[tokens]``."""
    return re.findall(r"\[([^\[\]]+)\]", query)


def _column_type(name: str) -> str:
    return "MEASURE" if any(hint in name.lower() for hint in NUMBER_HINTS) else "ATTRIBUTE"


def document(
    obj: MetadataObject, catalog: Catalog, *, fqn: bool = True, guid: bool = True
) -> dict[str, object]:
    """Build the TML document of ``obj`` as a dict (``fqn``: reference tables by GUID too)."""
    key = type_key(obj)
    if key is None:
        raise ValueError(f"objects of type {obj.type} have no TML")

    def ref(target: str) -> dict[str, object]:
        found = catalog.get(target)
        name = found.name if found is not None else target
        return {"id": name, "name": name, **({"fqn": target} if fqn else {})}

    body: dict[str, object] = {"name": obj.name}
    if obj.description:
        body["description"] = obj.description
    if obj.type == "LIVEBOARD":
        body["visualizations"] = [
            {
                "id": f"Viz_{index}",
                "viz_guid": viz.guid,
                "answer": {
                    "name": viz.name,
                    "tables": [ref(t) for t in obj.tables],
                    "search_query": search_query(viz.data.columns if viz.data else ()),
                },
            }
            for index, viz in enumerate(obj.visualizations, 1)
        ]
    elif obj.type == "ANSWER":
        body["tables"] = [ref(t) for t in obj.tables]
        body["search_query"] = search_query(obj.columns)
    elif obj.type == "LOGICAL_TABLE":
        columns = [{"name": c, "properties": {"column_type": _column_type(c)}} for c in obj.columns]
        if key == "table":
            body.update(db="RETAIL", schema="PUBLIC", db_table=obj.name)
            for column in columns:
                column["db_column_name"] = column["name"]
        if obj.connection:
            body["connection"] = ref(obj.connection)
        if obj.tables:
            body["model_tables"] = [ref(t) for t in obj.tables]
        if key == "sql_view":
            body["sql_query"] = str(obj.properties.get("sql_query", f"SELECT * FROM {obj.name}"))
        body["columns"] = columns
    elif obj.type == "CONNECTION":
        props = dict(obj.properties)
        body["type"] = str(props.pop("type", "RDBMS_SNOWFLAKE"))
        body["authentication_type"] = "SERVICE_ACCOUNT"
        body["properties"] = [{"key": k, "value": v} for k, v in props.items()]
    elif obj.type == "USER":
        body.update({k: v for k, v in obj.properties.items() if k != "password"})
        body.setdefault("account_type", "LOCAL_USER")
        body.setdefault("visibility", "SHARABLE")
    else:  # USER_GROUP
        body["display_name"] = obj.properties.get("display_name", obj.name)
        body.update({k: v for k, v in obj.properties.items() if k != "display_name"})
    return {**({"guid": obj.guid} if guid else {}), key: body}


def render(doc: dict[str, object], edoc_format: str) -> str:
    """Write a TML document as text: JSON (compact-ish, like clusters) or YAML."""
    if edoc_format == "YAML":
        return yamlish.dump(doc)
    return json.dumps(doc, indent=2)


@dataclass(frozen=True)
class Parsed:
    """A TML document read back: its type, subtype, GUID (if any) and body."""

    type: str
    subtype: str | None
    guid: str | None
    body: dict[str, object]


def parse(text: str) -> Parsed:
    """Read a TML document (JSON or YAML); a ValueError says what is wrong with it."""
    stripped = text.strip()
    if not stripped:
        raise ValueError("the TML is empty")
    doc: object
    if stripped.startswith("{"):
        try:
            doc = json.loads(stripped)
        except ValueError as exc:
            raise ValueError(f"the TML is not valid JSON: {exc}") from None
    else:
        doc = yamlish.load(stripped)
    if not isinstance(doc, dict):
        raise ValueError("the TML is not a mapping")
    keys = [k for k in doc if k in KEY_TYPES]
    if len(keys) != 1:
        unknown = sorted(str(k) for k in doc if k not in ("guid", "obj_id"))
        raise ValueError(f"unsupported TML: expected one object key of {sorted(KEY_TYPES)}, found {unknown}")
    body = doc[keys[0]]
    if not isinstance(body, dict):
        raise ValueError(f"the TML's {keys[0]} is not a mapping")
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise ValueError(f"the TML's {keys[0]} has no name")
    guid = doc.get("guid")
    if guid is not None and not isinstance(guid, str):
        raise ValueError("the TML's guid is not a string")
    type_, subtype = KEY_TYPES[keys[0]]
    return Parsed(type_, subtype, guid or None, body)
