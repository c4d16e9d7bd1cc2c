"""Every Airflow import of the provider, in one place, so supporting another Airflow line is one edit."""

from __future__ import annotations

from airflow.sdk import BaseHook, BaseOperator, Connection, Context
from airflow.sdk.exceptions import AirflowException
from airflow.sdk.log import mask_secret

__all__ = ["AirflowException", "BaseHook", "BaseOperator", "Connection", "Context", "mask_secret"]
