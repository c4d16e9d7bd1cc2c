"""pytest plugin (``pytest11`` entry point): stand-ins with one known user, one or as many as a test needs."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pytest

from .server import FakeThoughtSpot

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

DEFAULT_USER = "tsadmin"
DEFAULT_PASSWORD = "ts-Secret-Pass-123"


@pytest.fixture
def make_fake_thoughtspot() -> Iterator[Callable[..., FakeThoughtSpot]]:
    """Return a factory of started stand-ins that all stop after the test.

    It takes `FakeThoughtSpot`'s keyword arguments; `users` defaults to DEFAULT_USER/DEFAULT_PASSWORD.
    """
    made: list[FakeThoughtSpot] = []

    def make(**kwargs: Any) -> FakeThoughtSpot:
        kwargs.setdefault("users", {DEFAULT_USER: DEFAULT_PASSWORD})
        made.append(FakeThoughtSpot(**kwargs).start())
        return made[-1]

    yield make
    for fake in made:
        fake.stop()


@pytest.fixture
def fake_thoughtspot(make_fake_thoughtspot: Callable[..., FakeThoughtSpot]) -> FakeThoughtSpot:
    """Return a started stand-in (ephemeral port, user DEFAULT_USER/DEFAULT_PASSWORD); it stops afterwards."""
    return make_fake_thoughtspot()
