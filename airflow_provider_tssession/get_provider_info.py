"""Provider metadata Airflow reads through the `apache_airflow_provider` entry point."""

from __future__ import annotations

from typing import Any

from airflow_provider_tssession import __version__
from airflow_provider_tssession.connection_form import conn_fields, ui_field_behaviour

ASSET_URIS = {
    "schemes": ["thoughtspot"],
    "handler": "airflow_provider_tssession.assets.sanitize_uri",
    "factory": "airflow_provider_tssession.assets.create_asset",
    "to_openlineage_converter": "airflow_provider_tssession.assets.convert_asset_to_openlineage",
}


def get_provider_info() -> dict[str, Any]:
    """Describe the provider (hook, connection, decorator, link, asset URIs); cheap: called often."""
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
        "task-decorators": [
            {
                "name": "thoughtspot",
                "class-name": "airflow_provider_tssession.decorators.thoughtspot.thoughtspot_task",
            }
        ],
        "extra-links": ["airflow_provider_tssession.links.ThoughtSpotObjectLink"],
        "asset-uris": [ASSET_URIS],  # Airflow 3
        "dataset-uris": [ASSET_URIS],  # Airflow 2.11
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
