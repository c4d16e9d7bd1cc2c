"""Every Airflow import of the provider, in one place: the same names on Airflow 2.11, 3.0, 3.1 and 3.2+.

Each name is looked up at its newest home first, so a current Airflow 3 never reaches an older, deprecated
path (and never warns); the later homes serve Airflow 3.0 and 2.11. A small table of our own rather than
``airflow.providers.common.compat.sdk``: a few names do not justify a runtime dependency on another
provider's recent release, which a user's Airflow constraints file may pin lower.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

# name -> modules to try, newest Airflow first.
HOMES: dict[str, tuple[str, ...]] = {
    "BaseHook": ("airflow.sdk", "airflow.hooks.base"),  # 3.1+ | 3.0, 2.11
    "BaseOperator": ("airflow.sdk", "airflow.models.baseoperator"),  # 3.0+ | 2.11
    "Connection": ("airflow.sdk", "airflow.models.connection"),  # 3.0+ | 2.11
    "Context": ("airflow.sdk", "airflow.utils.context"),  # 3.0+ | 2.11
    "AirflowException": ("airflow.sdk.exceptions", "airflow.exceptions"),  # 3.1+ | 3.0, 2.11
    "AirflowFailException": ("airflow.sdk.exceptions", "airflow.exceptions"),  # 3.1+ | 3.0, 2.11
    # Resolved on first use only: it imports fsspec, which DAG parsing must not pay for.
    "ObjectStoragePath": ("airflow.sdk", "airflow.io.path"),  # 3.0+ | 2.11
    "mask_secret": (  # 3.0+ | any 3.x without airflow.sdk.log | 2.11
        "airflow.sdk.log",
        "airflow.sdk.execution_time.secrets_masker",
        "airflow.utils.log.secrets_masker",
    ),
    "BaseOperatorLink": ("airflow.sdk", "airflow.models.baseoperatorlink"),  # 3.0+ | 2.11
    # Resolved on first use: only a running task, or a DAG that uses them, needs these.
    "XCom": ("airflow.sdk.execution_time.xcom", "airflow.models.xcom"),  # 3.0+ | 2.11
    "Asset": ("airflow.sdk", "airflow.datasets:Dataset"),  # 3.0+ | 2.11 (a Dataset)
    "DecoratedOperator": ("airflow.sdk.bases.decorator", "airflow.decorators.base"),  # 3.0+ | 2.11
    "task_decorator_factory": ("airflow.sdk.bases.decorator", "airflow.decorators.base"),  # 3.0+ | 2.11
    "PythonOperator": ("airflow.providers.standard.operators.python", "airflow.operators.python"),  # 3 | 2.11
    # Resolved on first use: airflow.sdk.configuration leaves some values as unexpanded templates.
    "conf": ("airflow.configuration",),  # 2.11, 3.x
    "BaseTrigger": ("airflow.triggers.base",),  # every version
    "TriggerEvent": ("airflow.triggers.base",),
    # For tests and tools, resolved on first use (DagBag loads the scheduler's models):
    "DagBag": ("airflow.dag_processing.dagbag", "airflow.models.dagbag"),  # 3.2+ | 3.1, 3.0, 2.11
}
HOMES["redact"] = HOMES["mask_secret"]  # what Airflow applies to logs, where mask_secret registers


def resolve(name: str) -> Any:
    """Return ``name`` from the first of its homes that has it; ImportError naming every home tried.

    A home ``module:other`` holds it under another name (Airflow 2's ``Dataset`` is 3's ``Asset``).
    """
    for home in HOMES[name]:
        module_name, _, attribute = home.partition(":")
        try:
            module = import_module(module_name)
        except ModuleNotFoundError as error:
            if not f"{module_name}.".startswith(f"{error.name}."):
                raise  # the module exists but a dependency of it is missing: a broken install, say so
            continue
        try:
            return getattr(module, attribute or name)
        except AttributeError:
            continue
    raise ImportError(f"{name} is in none of {', '.join(HOMES[name])}: is apache-airflow>=2.11 installed?")


if TYPE_CHECKING:
    from airflow.configuration import conf
    from airflow.dag_processing.dagbag import DagBag
    from airflow.providers.standard.operators.python import PythonOperator
    from airflow.sdk import (
        Asset,
        BaseHook,
        BaseOperator,
        BaseOperatorLink,
        Connection,
        Context,
        ObjectStoragePath,
    )
    from airflow.sdk._shared.secrets_masker import redact  # what airflow.sdk.log re-exports
    from airflow.sdk.bases.decorator import DecoratedOperator, task_decorator_factory
    from airflow.sdk.exceptions import AirflowException, AirflowFailException
    from airflow.sdk.execution_time.xcom import XCom
    from airflow.sdk.log import mask_secret
    from airflow.triggers.base import BaseTrigger, TriggerEvent
else:
    BaseHook = resolve("BaseHook")
    BaseOperator = resolve("BaseOperator")
    Connection = resolve("Connection")
    Context = resolve("Context")
    AirflowException = resolve("AirflowException")
    AirflowFailException = resolve("AirflowFailException")
    mask_secret = resolve("mask_secret")
    BaseOperatorLink = resolve("BaseOperatorLink")

    def __getattr__(name: str) -> Any:
        if name in HOMES:
            return resolve(name)
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "AirflowException",
    "AirflowFailException",
    "Asset",
    "BaseHook",
    "BaseOperator",
    "BaseOperatorLink",
    "BaseTrigger",
    "Connection",
    "Context",
    "DagBag",
    "DecoratedOperator",
    "ObjectStoragePath",
    "PythonOperator",
    "TriggerEvent",
    "XCom",
    "conf",
    "mask_secret",
    "redact",
    "task_decorator_factory",
]
