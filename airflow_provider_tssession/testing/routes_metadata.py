"""``/metadata/search`` and ``/metadata/tml/export`` over the catalog.

Search: each ``metadata`` item ANDs its fields (``identifier`` GUID or name, ``obj_identifier``,
``name_pattern`` with ``%``, ``type``, ``subtypes``); the items OR together; then the filters, the sort and
``record_offset``/``record_size`` (default 10, -1 all). No total, no next marker: a client pages until a page
comes back short (as cs_tools does). Export: one item per object, and a per-object ``ERROR`` inside the 200
for an object that is missing or cannot be exported (``info.status.status_code``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from . import tml
from .catalog import OBJECT_TYPES, TABLE_SUBTYPES, MetadataObject, name_matches, user_guid
from .paths import METADATA_SEARCH_PATH, TML_EXPORT_PATH
from .registry import Route, add_routes, authenticate
from .v2body import Body
from .wire import json_response

if TYPE_CHECKING:
    from collections.abc import Callable

    from .catalog import Catalog
    from .state import FakeState
    from .wire import Request, Response

SORT_FIELDS = ("NAME", "DISPLAY_NAME", "AUTHOR", "CREATED", "MODIFIED", "VIEWS", "FAVORITES", "LAST_ACCESSED")
EXPORT_TYPES = ("LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CONNECTION", "CUSTOM_ACTION", "USER", "USER_GROUP")
EXPORT_TYPES_ALL = (*EXPORT_TYPES, "ROLE", "FEEDBACK", "COLLECTION")
SEARCH_TYPES = (*OBJECT_TYPES, "LOGICAL_COLUMN", "LOGICAL_RELATIONSHIP", "INSIGHT_SPEC", "COLLECTION")


def header(obj: MetadataObject, catalog: Catalog) -> dict[str, object]:
    """Build the ``metadata_header`` of an object (a subset of what clusters send, same names)."""
    tags = [catalog.get(name, "TAG") for name in obj.tags]
    return {
        "id": obj.guid,
        "name": obj.name,
        "description": obj.description,
        "type": obj.subtype or tml.V1_TYPES[obj.type],
        "author": user_guid(obj.owner),
        "authorName": obj.owner,
        "authorDisplayName": obj.owner.title(),
        "owner": user_guid(obj.owner),
        "modifiedBy": user_guid(obj.owner),
        "created": obj.created_ms,
        "modified": obj.modified_ms,
        "isHidden": obj.hidden,
        "isDeleted": False,
        "tags": [{"id": tag.guid, "name": tag.name} for tag in tags if tag is not None],
    }


def _matches(obj: MetadataObject, item: Body) -> bool:
    wanted_type = item.choice("type", SEARCH_TYPES, None)
    subtypes = item.strings("subtypes")
    identifier, obj_identifier = item.text("identifier"), item.text("obj_identifier")
    pattern = item.text("name_pattern")
    return (
        (wanted_type is None or obj.type == wanted_type)
        and (not subtypes or obj.subtype in subtypes)
        and (not identifier or identifier in (obj.guid, obj.name))
        and (not obj_identifier or obj_identifier == obj.name.lower().replace(" ", "-"))
        and (not pattern or name_matches(pattern, obj.name))
    )


def _sort_key(field: str) -> Callable[[MetadataObject], tuple[object, str]]:
    def key(obj: MetadataObject) -> tuple[object, str]:
        if field in ("CREATED", "MODIFIED"):
            return (obj.created_ms if field == "CREATED" else obj.modified_ms), obj.guid
        return (obj.owner if field == "AUTHOR" else obj.name.lower()), obj.guid

    return key


def _search(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request)
    catalog = state.catalog
    items = body.objects("metadata")
    for item in items:
        for subtype in item.strings("subtypes"):
            if subtype not in TABLE_SUBTYPES:
                raise item.bad("subtypes", "values of " + ", ".join(TABLE_SUBTYPES))
    offset = body.integer("record_offset", 0)
    size = body.integer("record_size", 10, minimum=-1)
    created_by = set(body.strings("created_by_user_identifiers"))
    modified_by = set(body.strings("modified_by_user_identifiers"))
    tags = set(body.strings("tag_identifiers"))
    excluded = {(e.text("identifier"), e.text("type")) for e in body.objects("exclude_objects")}
    hidden = body.flag("include_hidden_objects", False)
    sort = body.mapping("sort_options")
    field = sort.choice("field_name", SORT_FIELDS, "NAME")
    descending = sort.choice("order", ("ASC", "DESC"), "ASC") == "DESC"
    include = {
        name: body.flag(f"include_{name}", default)
        for name, default in (
            ("headers", True),
            ("details", False),
            ("visualization_headers", False),
            ("dependent_objects", False),
            ("stats", False),
        )
    }
    body.flag("include_auto_created_objects", False)  # accepted; the stand-in has none

    def wanted(obj: MetadataObject) -> bool:
        if items and not any(_matches(obj, item) for item in items):
            return False
        if obj.hidden and not hidden:
            return False
        who = {obj.owner, user_guid(obj.owner)}
        if (created_by and not who & created_by) or (modified_by and not who & modified_by):
            return False
        if tags and not tags & {*obj.tags, *(t.guid for n in obj.tags if (t := catalog.get(n, "TAG")))}:
            return False
        return not any(ident in (obj.guid, obj.name) and kind in ("", obj.type) for ident, kind in excluded)

    found = sorted(filter(wanted, catalog.objects()), key=_sort_key(field), reverse=descending)
    page = found[offset:] if size == -1 else found[offset : offset + size]
    return json_response(200, [_result(obj, catalog, include) for obj in page])


def _result(obj: MetadataObject, catalog: Catalog, include: dict[str, bool]) -> dict[str, object]:
    result: dict[str, object] = {
        "metadata_id": obj.guid,
        "metadata_name": obj.name,
        "metadata_type": obj.type,
        "metadata_obj_id": None,
        "metadata_header": header(obj, catalog) if include["headers"] else None,
        "metadata_detail": None,
        "dependent_objects": None,
        "incomplete_objects": None,
        "visualization_headers": None,
        "stats": None,
    }
    if include["details"] and tml.type_key(obj) is not None:
        result["metadata_detail"] = tml.document(obj, catalog)
    if include["visualization_headers"] and obj.type == "LIVEBOARD":
        result["visualization_headers"] = [{"id": v.guid, "name": v.name} for v in obj.visualizations]
    if include["dependent_objects"]:
        dependents = catalog.dependents(obj.guid)
        result["dependent_objects"] = {
            obj.guid: {
                kind: [{"id": d.guid, "name": d.name} for d in dependents if d.type == kind]
                for kind in sorted({d.type for d in dependents})
            }
        }
    if include["stats"]:
        result["stats"] = {"views": 0, "favorites": 0, "last_accessed": obj.modified_ms}
    return result


# TML export --------------------------------------------------------------------------------------------
def _export(state: FakeState, request: Request) -> Response:
    authenticate(state, request, v2=True)
    body = Body.of(state, request, optional=False)
    catalog = state.catalog
    wanted = body.objects("metadata", required=True)
    associated = body.flag("export_associated", False)
    fqn = body.flag("export_fqn", False)
    edoc_format = body.choice("edoc_format", ("JSON", "YAML"), "JSON")
    body.choice("export_schema_version", ("DEFAULT", "V1", "V2"), "DEFAULT")
    options = body.mapping("export_options")
    include_guid = options.flag("include_guid", True)
    answer: list[dict[str, object]] = []
    seen: set[str] = set()
    for item in wanted:
        identifier = item.text("identifier")
        type_ = item.choice("type", EXPORT_TYPES_ALL, None)
        if not identifier:
            answer.append(
                _error_item(
                    item.text("session_identifier") or "",
                    type_,
                    "Only saved objects can be exported: give identifier",
                )
            )
            continue
        obj = catalog.get(identifier, type_)
        if obj is None:
            answer.append(_error_item(identifier, type_, f"Object {identifier} not found or not accessible"))
            continue
        for target in [obj, *(_associated(obj, catalog) if associated else [])]:
            if target.guid not in seen:
                seen.add(target.guid)
                answer.append(_export_item(target, catalog, edoc_format, fqn=fqn, guid=include_guid))
    return json_response(200, answer)


def _associated(obj: MetadataObject, catalog: Catalog) -> list[MetadataObject]:
    """List what ``export_associated`` adds: the tables an object reads, their tables and connections."""
    found: list[MetadataObject] = []
    pending = [*obj.tables, *([obj.connection] if obj.connection else [])]
    while pending:
        target = catalog.get(pending.pop(0))
        if target is not None and target not in found and target.guid != obj.guid:
            found.append(target)
            pending += [*target.tables, *([target.connection] if target.connection else [])]
    return found


def _export_item(
    obj: MetadataObject, catalog: Catalog, edoc_format: str, *, fqn: bool, guid: bool
) -> dict[str, object]:
    info: dict[str, object] = {
        "id": obj.guid,
        "name": obj.name,
        "type": tml.type_key(obj) or obj.type.lower(),
    }
    if obj.export_error is not None or tml.type_key(obj) is None:
        message = obj.export_error or f"TML export is not supported for {obj.type}"
        return {"info": {**info, "status": {"status_code": "ERROR", "error_message": message}}}
    info["filename"] = tml.file_name(obj)
    info["status"] = {"status_code": "OK"}
    edoc = tml.render(tml.document(obj, catalog, fqn=fqn, guid=guid), edoc_format)
    return {"info": info, "edoc": edoc}


def _error_item(identifier: str, type_: str | None, message: str) -> dict[str, object]:
    status = {"status_code": "ERROR", "error_message": message}
    return {"info": {"id": identifier, "name": identifier, "type": (type_ or "").lower(), "status": status}}


add_routes(
    {
        METADATA_SEARCH_PATH: Route({"POST": _search}, v2=True),
        TML_EXPORT_PATH: Route({"POST": _export}, v2=True),
    }
)
