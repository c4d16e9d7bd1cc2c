"""pytest plugin (``pytest11`` entry point): a ``fake_thoughtspot`` fixture with one known user."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .server import FakeThoughtSpot

if TYPE_CHECKING:
    from collections.abc import Iterator

DEFAULT_USER = "tsadmin"
DEFAULT_PASSWORD = "ts-Secret-Pass-123"


@pytest.fixture
def fake_thoughtspot() -> Iterator[FakeThoughtSpot]:
    """Yield a started stand-in (ephemeral port, user DEFAULT_USER/DEFAULT_PASSWORD); stop it afterwards."""
    with FakeThoughtSpot(users={DEFAULT_USER: DEFAULT_PASSWORD}) as fake:
        yield fake
