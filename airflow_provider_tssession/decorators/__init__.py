"""TaskFlow decorators: ``@task.thoughtspot``."""

from __future__ import annotations
