"""Importing TML into the catalog under an import policy: one engine for sync, async and Git deploy.

Policies (DOCS ``tml.adoc``): ``PARTIAL`` writes every object that imported; a failed visualization fails
its Liveboard. ``PARTIAL_OBJECT`` writes the Liveboard "with a warning" and drops the failed visualization.
``ALL_OR_NONE`` writes nothing if any object failed; the others are then reported as ERROR too, saying why
[I]. ``VALIDATE_ONLY`` writes nothing. An object fails when its TML cannot be read, has no name, or
references a table or connection that is neither in the catalog nor in the same import (by ``fqn`` GUID, or
by name when that name is unique: same-named objects need ``fqn``, as documented). A TML ``guid`` updates
that object (``create_new`` makes a new one); without one a new object is created.
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from . import tml
from .catalog import MetadataObject, Visualization, viz_guid
from .datasets import DataSet

if TYPE_CHECKING:
    from collections.abc import Sequence

    from .catalog import Catalog

POLICIES = ("PARTIAL", "ALL_OR_NONE", "VALIDATE_ONLY", "PARTIAL_OBJECT")
IMPORTED_ROWS = 100
"""Rows of the data a newly imported Answer, visualization or table gets (existing data is kept)."""


class _Failed(Exception):
    """An object (or visualization) cannot be imported; the message says why."""


@dataclass(frozen=True)
class ObjectResult:
    """What happened to one TML of an import, in request order."""

    index: int
    status_code: str  # OK | WARNING | ERROR
    error_message: str = ""
    obj: MetadataObject | None = None

    def response(self) -> dict[str, object]:
        """Build the item of a sync import answer, ``{"response": {"status", "header"}}``."""
        status: dict[str, object] = {"status_code": self.status_code}
        if self.error_message:
            status["error_message"] = self.error_message
        answer: dict[str, object] = {"status": status}
        if self.obj is not None:
            answer["header"] = {
                "id_guid": self.obj.guid,
                "name": self.obj.name,
                "description": self.obj.description,
                "metadata_type": tml.V1_TYPES[self.obj.type],
                "type": self.obj.subtype or self.obj.type,
                "owner_guid": None,
            }
        return {"response": answer}


@dataclass
class _Pending:
    index: int
    parsed: tml.Parsed
    guid: str


def run_import(
    catalog: Catalog, tmls: Sequence[str], *, policy: str, create_new: bool = False, owner: str = "tsadmin"
) -> list[ObjectResult]:
    """Import ``tmls`` under ``policy``; the catalog changes unless the policy says otherwise."""
    results: dict[int, ObjectResult] = {}
    pending: list[_Pending] = []
    for index, text in enumerate(tmls):
        try:
            parsed = tml.parse(text)
        except ValueError as exc:
            results[index] = ObjectResult(index, "ERROR", f"Unable to parse the TML: {exc}")
            continue
        new = create_new or parsed.guid is None
        pending.append(_Pending(index, parsed, str(uuid.uuid4()) if new else str(parsed.guid)))
    built: dict[int, tuple[MetadataObject, _Builder]] = {}
    for item in pending:
        builder = _Builder(item, pending, catalog)
        try:
            built[item.index] = builder.build(owner), builder
        except _Failed as exc:
            results[item.index] = ObjectResult(item.index, "ERROR", str(exc))
    _fail_dependents(pending, built, results)
    for index, (obj, builder) in built.items():
        if index in results:
            continue
        why = "; ".join(message for _, message in builder.viz_errors)
        if why and policy != "PARTIAL_OBJECT":
            results[index] = ObjectResult(index, "ERROR", why, obj)
        elif why:
            dropped = {guid for guid, _ in builder.viz_errors}
            kept = tuple(v for v in obj.visualizations if v.guid not in dropped)
            message = f"Imported without its failed visualizations: {why}"
            results[index] = ObjectResult(index, "WARNING", message, obj.replace(visualizations=kept))
        else:
            results[index] = ObjectResult(index, "OK", "", obj)
    ordered = [results[index] for index in sorted(results)]
    failed = any(result.status_code == "ERROR" for result in ordered)
    if policy == "ALL_OR_NONE" and failed:
        note = "Not imported: another object of this ALL_OR_NONE import failed"
        return [
            r if r.status_code == "ERROR" else ObjectResult(r.index, "ERROR", note, r.obj) for r in ordered
        ]
    if policy != "VALIDATE_ONLY":
        for result in ordered:
            if result.obj is not None and result.status_code != "ERROR":
                catalog.add(result.obj)
    return ordered


def _failed(result: ObjectResult | None) -> bool:
    return result is not None and result.status_code == "ERROR"


def _fail_dependents(
    pending: list[_Pending],
    built: dict[int, tuple[MetadataObject, _Builder]],
    results: dict[int, ObjectResult],
) -> None:
    """Fail objects that read an object of the same import that failed, until nothing changes."""
    index_of = {item.guid: item.index for item in pending}
    changed = True
    while changed:
        changed = False
        for index, (obj, builder) in built.items():
            broken = [g for g in builder.uses if _failed(results.get(index_of.get(g, -1)))]
            if index not in results and broken:
                message = f"Depends on an object of this import that failed ({broken[0]})"
                results[index] = ObjectResult(index, "ERROR", message, obj)
                changed = True


def _mappings(body: dict[str, object], key: str) -> list[dict[str, object]]:
    value = body.get(key)
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


class _Builder:
    """Turns one parsed TML into the object to write; remembers the batch GUIDs it reads."""

    def __init__(self, item: _Pending, pending: list[_Pending], catalog: Catalog) -> None:
        self.item, self.pending, self.catalog = item, pending, catalog
        self.batch = {p.guid: p for p in pending}
        self.uses: set[str] = set()
        self.viz_errors: list[tuple[str, str]] = []  # (visualization GUID, why)

    def resolve(self, ref: object, kind: str) -> str:
        """Find the GUID a table or connection reference points to, in this import or the catalog."""
        if not isinstance(ref, dict):
            raise _Failed(f"a {kind} reference must be a mapping with name or fqn")
        fqn, name = ref.get("fqn"), ref.get("name") or ref.get("id")
        if isinstance(fqn, str) and fqn:
            if fqn in self.batch and self.batch[fqn].parsed.type == kind:
                self.uses.add(fqn)
                return fqn
            if self.catalog.get(fqn, kind) is None:
                raise _Failed(f"{kind} with fqn {fqn} not found")
            return fqn
        if not isinstance(name, str) or not name:
            raise _Failed(f"a {kind} reference has neither name nor fqn")
        in_batch = [
            p.guid for p in self.pending if p.parsed.type == kind and p.parsed.body.get("name") == name
        ]
        found = in_batch + [
            o.guid for o in self.catalog.objects(kind) if o.name == name and o.guid not in in_batch
        ]
        if not found:
            raise _Failed(f"{kind} {name!r} not found")
        if len(found) > 1:
            raise _Failed(f"{kind} name {name!r} is not unique: add its fqn (GUID)")
        self.uses.update(g for g in found if g in self.batch)
        return found[0]

    def tables(self, source: dict[str, object], key: str) -> tuple[str, ...]:
        """Resolve a list of table references."""
        value = source.get(key) or []
        if not isinstance(value, list):
            raise _Failed(f"{key} must be a list")
        return tuple(self.resolve(ref, "LOGICAL_TABLE") for ref in value)

    @staticmethod
    def data(columns: list[str], old: DataSet | None) -> DataSet | None:
        """Keep the old data when the columns did not change, else make up IMPORTED_ROWS rows."""
        if not columns or (old is not None and list(old.columns) == columns):
            return old
        return DataSet.generated(columns, IMPORTED_ROWS)

    def build(self, owner: str) -> MetadataObject:
        """Build the object (ValueError-free: a problem raises _Failed)."""
        parsed, body, guid = self.item.parsed, self.item.parsed.body, self.item.guid
        existing = self.catalog.get(guid)
        if existing is not None and existing.type != parsed.type:
            raise _Failed(f"GUID {guid} belongs to a {existing.type}, not a {parsed.type}")
        old_data = existing.data if existing is not None else None
        name = str(body["name"])
        fields: dict[str, object] = {"description": str(body.get("description") or "")}
        if parsed.type == "LIVEBOARD":
            fields["visualizations"], fields["tables"] = self.visualizations(body, existing)
        elif parsed.type == "ANSWER":
            tables = self.tables(body, "tables")
            if not tables:
                raise _Failed(f"Answer {name!r} reads no table")
            columns = tml.query_columns(str(body.get("search_query") or ""))
            fields.update(tables=tables, data=self.data(columns, old_data))
        elif parsed.type == "LOGICAL_TABLE":
            raw = body.get("columns")
            columns = (
                [str(c.get("name")) for c in raw if isinstance(c, dict)] if isinstance(raw, list) else []
            )
            if not columns:
                raise _Failed(f"{name!r} has no columns")
            connection = body.get("connection")
            fields.update(
                subtype=parsed.subtype,
                tables=self.tables(body, "model_tables"),
                connection=self.resolve(connection, "CONNECTION") if connection is not None else None,
                data=self.data(columns, old_data),
            )
            if parsed.subtype == "SQL_VIEW":
                fields["properties"] = {"sql_query": str(body.get("sql_query") or "")}
        elif parsed.type == "CONNECTION":
            raw = body.get("properties")
            pairs = (
                {str(p.get("key")): p.get("value") for p in raw if isinstance(p, dict)}
                if isinstance(raw, list)
                else {}
            )
            fields["properties"] = {"type": str(body.get("type") or "RDBMS_SNOWFLAKE"), **pairs}
        else:  # USER, USER_GROUP
            fields["properties"] = {k: v for k, v in body.items() if k not in ("name", "description")}
        if existing is not None:
            return existing.replace(name=name, **fields)
        return dataclasses.replace(MetadataObject(parsed.type, name, guid=guid, owner=owner), **fields)  # type: ignore[arg-type]

    def visualizations(
        self, body: dict[str, object], existing: MetadataObject | None
    ) -> tuple[tuple[Visualization, ...], tuple[str, ...]]:
        """Read a Liveboard's visualizations; a failing one goes to ``viz_errors``."""
        raw = body.get("visualizations") or []
        if not isinstance(raw, list):
            raise _Failed("visualizations must be a list")
        old = {v.name: v for v in existing.visualizations} if existing else {}
        vizzes: list[Visualization] = []
        tables: list[str] = []
        for position, viz in enumerate(raw, 1):
            answer = viz.get("answer") if isinstance(viz, dict) else None
            viz_name = answer.get("name") if isinstance(answer, dict) else None
            label = viz_name if isinstance(viz_name, str) and viz_name else f"Viz_{position}"
            guid = viz_guid(self.item.guid, label)
            try:
                if not isinstance(answer, dict) or not isinstance(viz_name, str) or not viz_name:
                    raise _Failed("it has no answer name")
                viz_tables = self.tables(answer, "tables")
                columns = tml.query_columns(str(answer.get("search_query") or ""))
                previous = old.get(viz_name)
                vizzes.append(
                    Visualization(viz_name, self.data(columns, previous.data if previous else None), guid)
                )
                tables += [t for t in viz_tables if t not in tables]
            except _Failed as exc:
                vizzes.append(Visualization(label, None, guid))
                self.viz_errors.append((guid, f"visualization {label}: {exc}"))
        return tuple(vizzes), tuple(tables)
