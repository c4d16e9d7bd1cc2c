"""DAGs for the link and lineage tests: the API operator told which object it acts on, or not."""

from __future__ import annotations

from datetime import datetime

try:  # Airflow 3
    from airflow.sdk import DAG
except ImportError:  # Airflow 2.11
    from airflow.models.dag import DAG

from airflow_provider_tssession.operators.thoughtspot import ThoughtSpotApiOperator

START = datetime(2026, 1, 1)
LIVEBOARD_GUID = "8f3c2a9e-5b1d-4c7e-9a60-2d4b8e1f7c35"
ANSWER_GUID = "1b7d4e2a-9c3f-4a8b-b6e1-5f0c2d9a7e44"

with DAG("ts_object_link", schedule=None, start_date=START, catchup=False):
    ThoughtSpotApiOperator(
        task_id="tag_liveboard",
        method="POST",
        endpoint="/tspublic/v1/metadata/assigntag",
        data={"id": LIVEBOARD_GUID, "tag": "refreshed"},
        thoughtspot_object={"type": "LIVEBOARD", "guid": LIVEBOARD_GUID},
    )
    ThoughtSpotApiOperator(
        task_id="tag_answer",
        method="POST",
        endpoint="/tspublic/v1/metadata/assigntag",
        data={"id": "{{ params.answer }}", "tag": "refreshed"},
        thoughtspot_object={"type": "QUESTION_ANSWER_BOOK", "guid": "{{ params.answer }}"},
        params={"answer": ANSWER_GUID},
    )
    ThoughtSpotApiOperator(task_id="no_object", endpoint="/tspublic/v1/session/info")

with DAG("ts_object_by_name", schedule=None, start_date=START, catchup=False):
    ThoughtSpotApiOperator(
        task_id="by_name",
        endpoint="/tspublic/v1/session/info",
        thoughtspot_object={"type": "LIVEBOARD", "guid": "Sales Liveboard"},
    )
