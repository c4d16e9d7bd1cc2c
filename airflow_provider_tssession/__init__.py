"""Apache Airflow provider for ThoughtSpot: authenticated REST sessions for DAG tasks."""

from __future__ import annotations

__version__ = "0.1.0"
