"""Promotion: export Liveboards from a dev ThoughtSpot, import them into prod without holding a worker slot.

Two connections: ``thoughtspot_dev`` (read) and ``thoughtspot_prod`` (written). The import is asynchronous
and deferrable: the triggerer polls its status, so no worker waits. It is sent once: a retry of the task
resumes the import it already sent (Airflow 3.3+), and an import whose POST timed out is not sent again.
"""

from __future__ import annotations

import os
from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import dag
except ImportError:  # Airflow 2.11
    from airflow.decorators import dag  # type: ignore[attr-defined,no-redef]

from airflow_provider_tssession.operators.tml import (
    ThoughtSpotTMLExportOperator,
    ThoughtSpotTMLImportOperator,
)

OUTPUT = os.environ.get("THOUGHTSPOT_EXPORT_PATH", "/tmp/thoughtspot-exports")
STAGING = "{{ params.output_path }}/tml-promotion/{{ run_id | replace(':', '-') | replace('+', '-') }}"
# ThoughtSpot asks for 30 s or more between status polls; `make demo` sets this lower for its stand-in.
POLL_INTERVAL = float(os.environ.get("THOUGHTSPOT_DEMO_POLL_INTERVAL", "30"))


@dag(
    schedule=None,
    start_date=datetime(2026, 1, 1),
    catchup=False,
    tags=["thoughtspot", "example"],
    params={"output_path": OUTPUT},
)
def thoughtspot_tml_promotion() -> None:
    """Export from dev, then import into prod (all or nothing), deferred."""
    export = ThoughtSpotTMLExportOperator(
        task_id="export_from_dev",
        thoughtspot_conn_id="thoughtspot_dev",
        metadata=[{"type": "LIVEBOARD"}],
        output_path=STAGING,
    )
    promote = ThoughtSpotTMLImportOperator(
        task_id="import_into_prod",
        thoughtspot_conn_id="thoughtspot_prod",
        input_path=STAGING,
        import_policy="ALL_OR_NONE",
        asynchronous=True,
        deferrable=True,
        poll_interval=POLL_INTERVAL,
        timeout=3600,
    )
    export >> promote


thoughtspot_tml_promotion()
