"""ThoughtSpot objects as Airflow assets (datasets on Airflow 2.11): ``thoughtspot://<host>/<type>/<guid>``.

Registered in the provider info (``asset-uris`` / ``dataset-uris``), so Airflow normalises every such URI
the same way: ``thoughtspot://My.Cluster:443/Liveboard/<GUID>`` and
``thoughtspot://my.cluster/liveboard/<guid>`` are one asset, and a malformed one fails the DAG's parse.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from urllib.parse import SplitResult, urlsplit

from airflow_provider_tssession.objects import SCHEME, ThoughtSpotObject

if TYPE_CHECKING:
    from airflow_provider_tssession._compat import Asset


def thoughtspot_asset(host: str, type: str, guid: str, *, extra: dict[str, Any] | None = None) -> Asset:
    """Return the asset of one ThoughtSpot object, to put in a task's ``outlets`` or a DAG's ``schedule``.

    :param host: The cluster, as in the connection's Host (``my.thoughtspot.cloud``; a scheme is dropped).
    :param type: ``liveboard``, ``answer``, ``logical_table`` (models, worksheets, tables) or ``connection``.
    :param guid: The object's GUID.
    :param extra: Airflow's free-form asset extras.
    """
    from airflow_provider_tssession._compat import Asset

    return Asset(uri=ThoughtSpotObject.of(type, guid).uri(host), extra=extra or {})


def sanitize_uri(parts: SplitResult) -> SplitResult:
    """Normalise a ``thoughtspot://`` URI for Airflow; a ValueError (as Airflow expects) if malformed."""
    segments = parts.path.strip("/").split("/")
    if not parts.netloc or len(segments) != 2:
        raise ValueError(
            f"A {SCHEME}:// asset URI is {SCHEME}://<host>/<type>/<guid>, got {parts.geturl()!r}"
        )
    thoughtspot_object = ThoughtSpotObject.of(*segments)
    return urlsplit(thoughtspot_object.uri(parts.netloc))


def create_asset(*, host: str, type: str, guid: str, extra: dict[str, Any] | None = None) -> Asset:
    """Airflow's asset factory for the scheme (keyword arguments, as Airflow calls it)."""
    return thoughtspot_asset(host, type, guid, extra=extra)


def convert_asset_to_openlineage(asset: Any, lineage_context: Any = None) -> Any:
    """Translate a ThoughtSpot asset into the OpenLineage dataset the operators report for the same object."""
    from airflow_provider_tssession.lineage import openlineage_dataset, thoughtspot_dataset

    parts = urlsplit(asset.uri)
    type_, guid = parts.path.strip("/").split("/")
    return openlineage_dataset(thoughtspot_dataset(parts.netloc, ThoughtSpotObject.of(type_, guid)))
