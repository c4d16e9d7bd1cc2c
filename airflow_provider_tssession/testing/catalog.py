"""The stand-in's content model."""

from __future__ import annotations

import uuid

_GUID_NAMESPACE = uuid.UUID("5b0c2f9e-7c1a-4a53-9d6e-3f1f8c0b7a21")


def stable_guid(kind: str, name: str) -> str:
    """Give an object a GUID that depends only on its kind and name, so repeated runs compare equal."""
    return str(uuid.uuid5(_GUID_NAMESPACE, f"{kind}:{name}"))


def user_guid(name: str) -> str:
    """Give each user a stable GUID so repeated runs compare equal."""
    return stable_guid("user", name)
