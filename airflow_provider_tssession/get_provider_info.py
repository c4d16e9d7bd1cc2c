"""Provider metadata Airflow reads through the `apache_airflow_provider` entry point."""

from __future__ import annotations

from typing import Any

from airflow_provider_tssession import __version__
from airflow_provider_tssession.connection_form import conn_fields, ui_field_behaviour


def get_provider_info() -> dict[str, Any]:
    """Describe the provider, its hook and its connection type; cheap, since Airflow calls it often."""
    return {
        "package-name": "airflow-provider-thoughtspot",
        "name": "ThoughtSpot",
        "description": "`ThoughtSpot <https://www.thoughtspot.com/>`__ REST API sessions for Airflow tasks.",
        "versions": [__version__],
        "integrations": [
            {
                "integration-name": "ThoughtSpot",
                "external-doc-url": "https://developers.thoughtspot.com/docs/rest-apiv2-reference",
                "tags": ["software"],
            }
        ],
        "hooks": [
            {
                "integration-name": "ThoughtSpot",
                "python-modules": ["airflow_provider_tssession.hooks.thoughtspot"],
            }
        ],
        "operators": [
            {
                "integration-name": "ThoughtSpot",
                "python-modules": [
                    "airflow_provider_tssession.operators.thoughtspot",
                    "airflow_provider_tssession.operators.report",
                    "airflow_provider_tssession.operators.data",
                    "airflow_provider_tssession.operators.metadata",
                    "airflow_provider_tssession.operators.users",
                    "airflow_provider_tssession.operators.tml",
                    "airflow_provider_tssession.operators.git",
                ],
            }
        ],
        "triggers": [
            {
                "integration-name": "ThoughtSpot",
                "python-modules": ["airflow_provider_tssession.triggers.tml"],
            }
        ],
        "connection-types": [
            {
                "connection-type": "thoughtspot",
                "hook-class-name": "airflow_provider_tssession.hooks.thoughtspot.ThoughtSpotHook",
                "hook-name": "ThoughtSpot",
                "conn-fields": conn_fields(),
                "ui-field-behaviour": ui_field_behaviour(),
            }
        ],
    }
