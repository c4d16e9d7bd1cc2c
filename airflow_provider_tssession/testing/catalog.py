"""The stand-in's content: Liveboards, Answers, Models/tables, connections, users, groups and tags.

Every object has a GUID, a name, an owner and (through ``tml``) a TML document. A fresh stand-in holds the
small default catalog below; its GUIDs are constants tests can use. Add objects from a test with
``FakeThoughtSpot.add_object`` (or ``POST /_fake/objects``), e.g.::

    from airflow_provider_tssession.testing.catalog import MetadataObject, Visualization
    from airflow_provider_tssession.testing.datasets import DataSet

    big = DataSet.generated(["Region", "Sales"], 1_000_000)  # rows computed page by page
    ts.add_object(MetadataObject("ANSWER", "Big answer", data=big, tables=(DEFAULT_TABLE_ID,)))
    ts.add_object(MetadataObject("LIVEBOARD", "Two charts", visualizations=(
        Visualization("Chart A", DataSet.generated(["Month", "Sales"], 12)),
        Visualization("Chart B", big),
    )))
    ts.add_object(MetadataObject("LOGICAL_TABLE", "ORDERS", subtype="ONE_TO_ONE_LOGICAL",
                                 data=DataSet.generated(["Order", "Amount"], 5000),
                                 connection=DEFAULT_CONNECTION_ID))
    ts.add_object(MetadataObject("LOGICAL_TABLE", "Orders model", subtype="WORKSHEET",  # a Model
                                 tables=(stable_guid("LOGICAL_TABLE", "ORDERS"),),
                                 data=DataSet.generated(["Order", "Amount"], 5000)))
    ts.add_object(MetadataObject("CONNECTION", "Warehouse", properties={"type": "RDBMS_SNOWFLAKE"}))
    ts.add_object(MetadataObject("USER_GROUP", "Finance"))
    ts.add_object(MetadataObject("TAG", "Quarterly"))
    ts.add_object(MetadataObject("USER", "ann", properties={"display_name": "Ann", "email": "a@b.c"}))

``guid`` defaults to a GUID derived from the type and name (stable across runs); set ``export_error`` to make
TML export answer that object with a per-object ERROR. ``ts.catalog`` reads them back (``get(guid or name,
type)``, ``objects(type)``, ``remove(guid)``); TML imports and Git deploys change them as ThoughtSpot would.
Users added with ``ts.add_user`` (or imported with a password) are USER objects too, and can log in.
"""

from __future__ import annotations

import dataclasses
import re
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .datasets import DataSet

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

_GUID_NAMESPACE = uuid.UUID("5b0c2f9e-7c1a-4a53-9d6e-3f1f8c0b7a21")

OBJECT_TYPES = ("LIVEBOARD", "ANSWER", "LOGICAL_TABLE", "CONNECTION", "TAG", "USER", "USER_GROUP")
TABLE_SUBTYPES = ("ONE_TO_ONE_LOGICAL", "WORKSHEET", "SQL_VIEW", "AGGR_WORKSHEET", "PRIVATE_WORKSHEET")
SYSTEM_USERS = frozenset({"tsadmin", "guest", "system", "su"})
"""Users ``/users/import`` never deletes (``delete_unspecified_users``), as documented."""
SYSTEM_GROUPS = frozenset({"Administrator", "All"})
"""Groups ``/groups/import`` never deletes (``delete_unspecified_groups``) [I]."""


def stable_guid(kind: str, name: str) -> str:
    """Give an object a GUID that depends only on its kind and name, so repeated runs compare equal."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{name}"))


def viz_guid(liveboard_guid: str, name: str) -> str:
    """Give a visualization a GUID stable for its Liveboard and name."""
    return stable_guid("viz", f"{liveboard_guid}/{name}")


def user_guid(name: str) -> str:
    """Give each user a stable GUID so repeated runs compare equal."""
    return stable_guid("user", name)


@dataclass(frozen=True)
class Visualization:
    """One visualization of a Liveboard, with the data it shows.

    ``guid`` defaults to one derived from the Liveboard's GUID and the visualization's name.
    """

    name: str
    data: DataSet | None = None
    guid: str = ""


@dataclass(frozen=True)
class MetadataObject:
    """One catalog object.

    ``type`` is one of OBJECT_TYPES; Models/worksheets/tables are LOGICAL_TABLE with ``subtype`` WORKSHEET
    (a Model), ONE_TO_ONE_LOGICAL (a table) or SQL_VIEW.

    ``tables``: GUIDs of the LOGICAL_TABLEs an Answer, a Model or a Liveboard reads; ``connection``: GUID
    of a table's connection; ``data``: what data routes and reports answer (Answers and tables);
    ``tags``: tag names; ``properties``: extra TML fields (a user's ``display_name``/``email``/``groups``,
    a group's ``users``...); ``owner``: the author's user name.
    """

    type: str
    name: str
    guid: str = ""
    owner: str = "tsadmin"
    subtype: str | None = None
    description: str = ""
    visualizations: tuple[Visualization, ...] = ()
    data: DataSet | None = None
    tables: tuple[str, ...] = ()
    connection: str | None = None
    tags: tuple[str, ...] = ()
    properties: Mapping[str, object] = field(default_factory=dict)
    hidden: bool = False
    export_error: str | None = None
    created_ms: int = 0
    modified_ms: int = 0

    def __post_init__(self) -> None:
        """Check the type, fill in the stable GUID, the subtype of tables and the times."""
        if self.type not in OBJECT_TYPES:
            raise ValueError(f"type must be one of {OBJECT_TYPES}, got {self.type!r}")
        if not self.name:
            raise ValueError("an object needs a non-empty name")
        if self.type == "LOGICAL_TABLE" and self.subtype is None:
            object.__setattr__(self, "subtype", "ONE_TO_ONE_LOGICAL")
        if self.subtype is not None and self.subtype not in TABLE_SUBTYPES:
            raise ValueError(f"subtype must be one of {TABLE_SUBTYPES}, got {self.subtype!r}")
        if not self.guid:
            kind = "user" if self.type == "USER" else self.type
            object.__setattr__(self, "guid", stable_guid(kind, self.name))
        if any(not viz.guid for viz in self.visualizations):
            vizzes = tuple(
                viz if viz.guid else dataclasses.replace(viz, guid=viz_guid(self.guid, viz.name))
                for viz in self.visualizations
            )
            object.__setattr__(self, "visualizations", vizzes)
        if not self.created_ms:
            object.__setattr__(self, "created_ms", int(time.time() * 1000))
        if not self.modified_ms:
            object.__setattr__(self, "modified_ms", self.created_ms)

    @property
    def columns(self) -> tuple[str, ...]:
        """The columns of the object's data (a Liveboard's: none)."""
        return self.data.columns if self.data is not None else ()

    def pick_visualizations(self, identifiers: Iterable[str]) -> list[Visualization]:
        """Select visualizations by GUID or name (all when none given); KeyError names an unknown one."""
        wanted = list(identifiers)
        if not wanted:
            return list(self.visualizations)
        picked = []
        for identifier in wanted:
            viz = next((v for v in self.visualizations if identifier in (v.guid, v.name)), None)
            if viz is None:
                raise KeyError(identifier)
            picked.append(viz)
        return picked

    def replace(self, **changes: object) -> MetadataObject:
        """Copy with ``changes`` (and a new modification time)."""
        changes.setdefault("modified_ms", int(time.time() * 1000))
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


def name_matches(pattern: str, name: str) -> bool:
    """Match ThoughtSpot's ``name_pattern``: ``%`` is any run of characters, case-insensitive."""
    regex = ".*".join(re.escape(part) for part in pattern.split("%"))
    return re.fullmatch(regex, name, flags=re.IGNORECASE | re.DOTALL) is not None


class Catalog:
    """Thread-safe store of MetadataObjects by GUID, in insertion order."""

    def __init__(self, objects: Iterable[MetadataObject] = ()) -> None:
        self._lock = threading.Lock()
        self._objects: dict[str, MetadataObject] = {obj.guid: obj for obj in objects}

    def add(self, obj: MetadataObject) -> MetadataObject:
        """Add ``obj``, or replace the object with its GUID."""
        with self._lock:
            self._objects[obj.guid] = obj
        return obj

    def remove(self, guid: str) -> MetadataObject | None:
        """Delete an object; return it, or None when there was none."""
        with self._lock:
            return self._objects.pop(guid, None)

    def get(self, identifier: str, type_: str | None = None) -> MetadataObject | None:
        """Find an object by GUID, else by name (of ``type_`` when given; the first added wins)."""
        with self._lock:
            obj = self._objects.get(identifier)
            if obj is not None and type_ in (None, obj.type):
                return obj
            return next(
                (o for o in self._objects.values() if o.name == identifier and type_ in (None, o.type)), None
            )

    def objects(self, type_: str | None = None) -> list[MetadataObject]:
        """Copy every object (of ``type_`` when given), in insertion order."""
        with self._lock:
            return [o for o in self._objects.values() if type_ in (None, o.type)]

    def dependents(self, guid: str) -> list[MetadataObject]:
        """List the objects that read ``guid`` (its tables, a table's connection)."""
        with self._lock:
            return [o for o in self._objects.values() if guid in o.tables or o.connection == guid]


# The default catalog ------------------------------------------------------------------------------------
DEFAULT_CONNECTION_ID = stable_guid("CONNECTION", "Retail Snowflake")
DEFAULT_TABLE_ID = stable_guid("LOGICAL_TABLE", "FACT_SALES")
DEFAULT_STORE_TABLE_ID = stable_guid("LOGICAL_TABLE", "DIM_STORE")
DEFAULT_MODEL_ID = stable_guid("LOGICAL_TABLE", "Retail Sales")
DEFAULT_ANSWER_ID = stable_guid("ANSWER", "Sales by Region")
DEFAULT_PRODUCTS_ANSWER_ID = stable_guid("ANSWER", "Top Products")
DEFAULT_LIVEBOARD_ID = stable_guid("LIVEBOARD", "Retail Overview")
"""A Liveboard of two visualizations (DEFAULT_VIZ_IDS): its CSV report is a ZIP."""
DEFAULT_SINGLE_VIZ_LIVEBOARD_ID = stable_guid("LIVEBOARD", "Store Performance")
"""A Liveboard of one visualization: its CSV report is one CSV."""
DEFAULT_VIZ_IDS = (
    viz_guid(DEFAULT_LIVEBOARD_ID, "Sales by Region"),
    viz_guid(DEFAULT_LIVEBOARD_ID, "Monthly Sales"),
)
DEFAULT_TAG_ID = stable_guid("TAG", "Certified")
DEFAULT_GROUP_ID = stable_guid("USER_GROUP", "Analysts")
DEFAULT_CREATED_MS = 1_704_067_200_000  # 2024-01-01T00:00:00Z, so the default catalog is the same every run

SALES_COLUMNS = ("Date", "Region", "Store", "Product", "Sales", "Quantity")
DEFAULT_TABLE_ROWS = 1000


def default_objects() -> list[MetadataObject]:
    """Build the small realistic catalog a fresh stand-in holds (same GUIDs every run)."""
    sales = DataSet.generated(SALES_COLUMNS, DEFAULT_TABLE_ROWS)
    by_region = DataSet.generated(["Region", "Sales"], 5)
    monthly = DataSet.generated(["Month", "Sales"], 12)
    t0 = DEFAULT_CREATED_MS
    snowflake = {"type": "RDBMS_SNOWFLAKE", "account": "retail-demo"}
    items = [
        MetadataObject("CONNECTION", "Retail Snowflake", properties=snowflake, created_ms=t0),
        MetadataObject(
            "LOGICAL_TABLE", "FACT_SALES", data=sales, connection=DEFAULT_CONNECTION_ID, created_ms=t0
        ),
        MetadataObject(
            "LOGICAL_TABLE",
            "DIM_STORE",
            data=DataSet.generated(["Store", "Region", "Manager"], 50),
            connection=DEFAULT_CONNECTION_ID,
            created_ms=t0,
        ),
        MetadataObject(
            "LOGICAL_TABLE",
            "Retail Sales",
            subtype="WORKSHEET",
            description="Sales by store and product (a Model)",
            data=sales.project(["Region", "Store", "Product", "Sales", "Quantity"]),
            tables=(DEFAULT_TABLE_ID, DEFAULT_STORE_TABLE_ID),
            tags=("Certified",),
            created_ms=t0,
        ),
        MetadataObject(
            "ANSWER",
            "Sales by Region",
            data=by_region,
            tables=(DEFAULT_MODEL_ID,),
            tags=("Finance",),
            created_ms=t0,
        ),
        MetadataObject(
            "ANSWER",
            "Top Products",
            owner="analyst",
            data=DataSet.generated(["Product", "Quantity"], 20),
            tables=(DEFAULT_MODEL_ID,),
            created_ms=t0,
        ),
        MetadataObject(
            "LIVEBOARD",
            "Retail Overview",
            description="Regional and monthly sales",
            visualizations=(
                Visualization("Sales by Region", by_region),
                Visualization("Monthly Sales", monthly),
            ),
            tables=(DEFAULT_MODEL_ID,),
            tags=("Certified",),
            created_ms=t0,
        ),
        MetadataObject(
            "LIVEBOARD",
            "Store Performance",
            owner="analyst",
            visualizations=(Visualization("Sales by Store", DataSet.generated(["Store", "Sales"], 50)),),
            tables=(DEFAULT_MODEL_ID,),
            created_ms=t0,
        ),
        MetadataObject("TAG", "Certified", created_ms=t0),
        MetadataObject("TAG", "Finance", created_ms=t0),
        MetadataObject("USER_GROUP", "Administrator", properties={"users": ["tsadmin"]}, created_ms=t0),
        MetadataObject("USER_GROUP", "Analysts", properties={"users": ["analyst"]}, created_ms=t0),
        user_object("analyst", created_ms=t0, groups=("Analysts",)),
    ]
    return items


def user_object(name: str, *, created_ms: int = 0, groups: Iterable[str] = ()) -> MetadataObject:
    """Build the USER object a login user gets (display name from the name)."""
    props = {"display_name": name.title(), "email": f"{name}@example.com", "groups": list(groups)}
    return MetadataObject("USER", name, properties=props, created_ms=created_ms)
