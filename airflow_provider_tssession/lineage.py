"""OpenLineage for the operators: they record what they read and wrote, OpenLineage reads it at the end.

ThoughtSpot objects are datasets in namespace ``thoughtspot://<host>`` named ``<type>/<guid>`` (the path of
their asset URI); files are datasets of their storage, as Airflow's own file operators name them. The
OpenLineage provider is optional: it is imported only when its listener asks, never at DAG parse.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from airflow_provider_tssession.links import record_object
from airflow_provider_tssession.objects import SCHEME, ThoughtSpotObject, normalize_host

if TYPE_CHECKING:
    from collections.abc import Iterable

    from airflow_provider_tssession._compat import Context


@dataclass(frozen=True)
class LineageDataset:
    """One OpenLineage dataset, by namespace and name (a plain value; no OpenLineage import needed)."""

    namespace: str
    name: str


def thoughtspot_dataset(host: str, thoughtspot_object: ThoughtSpotObject) -> LineageDataset:
    """Name the dataset of a ThoughtSpot object on the cluster at ``host`` (a host or a base URL)."""
    return LineageDataset(
        f"{SCHEME}://{normalize_host(host)}", f"{thoughtspot_object.type.lower()}/{thoughtspot_object.guid}"
    )


def file_dataset(path: Any) -> LineageDataset:
    """Name the dataset of a written file: a local path, a ``scheme://`` URI or an ``ObjectStoragePath``."""
    text = str(path)  # an ObjectStoragePath prints as its URI
    parts = urlsplit(text)
    if parts.scheme and parts.scheme != "file" and "://" in text:
        return LineageDataset(f"{parts.scheme}://{parts.netloc}", unquote(parts.path).lstrip("/"))
    local = unquote(parts.path) if parts.scheme == "file" else text  # storage URIs are percent-encoded
    return LineageDataset("file", os.path.abspath(local))


@dataclass
class Lineage:
    """What one task instance read and wrote."""

    inputs: list[LineageDataset] = field(default_factory=list)
    outputs: list[LineageDataset] = field(default_factory=list)


class ThoughtSpotLineageMixin:
    """Give an operator ``get_openlineage_facets_on_complete``; its ``execute()`` calls ``record_lineage``.

    ``record_thoughtspot_object`` records an object for both the task's link and its lineage.
    """

    thoughtspot_lineage: Lineage | None = None

    def record_thoughtspot_object(
        self,
        context: Context,
        base_url: str,
        type: Any,
        identifier: Any,
        *,
        written: bool = False,
        link: bool = True,
    ) -> ThoughtSpotObject | None:
        """Record the object the task read (or ``written``) for its link and lineage; None for a name.

        Operators that accept a name as well as a GUID leave out an object given by name: a link or a
        lineage dataset needs the GUID, and looking it up would cost a call.
        """
        thoughtspot_object = ThoughtSpotObject.if_guid(str(type or ""), str(identifier or ""))
        if thoughtspot_object is None:
            return None
        if link:
            record_object(context, base_url, thoughtspot_object)
        dataset = thoughtspot_dataset(base_url, thoughtspot_object)
        self.record_lineage(inputs=[] if written else [dataset], outputs=[dataset] if written else [])
        return thoughtspot_object

    def record_thoughtspot_objects(
        self, context: Context, base_url: str, objects: Iterable[tuple[Any, Any]], *, written: bool = False
    ) -> None:
        """Record several ``(type, identifier)`` objects for lineage; the task's link goes to the first."""
        linked = False
        for type, identifier in objects:
            recorded = self.record_thoughtspot_object(
                context, base_url, type, identifier, written=written, link=not linked
            )
            linked = linked or recorded is not None

    def record_lineage(
        self, *, inputs: Iterable[LineageDataset] = (), outputs: Iterable[LineageDataset] = ()
    ) -> None:
        """Add datasets this task read (``inputs``) or wrote (``outputs``), as soon as they are known."""
        if self.thoughtspot_lineage is None:
            self.thoughtspot_lineage = Lineage()
        self.thoughtspot_lineage.inputs.extend(inputs)
        self.thoughtspot_lineage.outputs.extend(outputs)

    def get_openlineage_facets_on_complete(self, task_instance: Any) -> Any:
        """Return the recorded datasets as OpenLineage's ``OperatorLineage`` (called by its listener)."""
        from airflow.providers.openlineage.extractors import OperatorLineage

        recorded = self.thoughtspot_lineage or Lineage()
        return OperatorLineage(
            inputs=[openlineage_dataset(dataset) for dataset in recorded.inputs],
            outputs=[openlineage_dataset(dataset) for dataset in recorded.outputs],
        )


def openlineage_dataset(dataset: LineageDataset) -> Any:
    """Return the OpenLineage client's ``Dataset`` for a recorded one (an optional dependency: lazy)."""
    from openlineage.client.event_v2 import Dataset

    return Dataset(namespace=dataset.namespace, name=dataset.name)
