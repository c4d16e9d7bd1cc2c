"""Triggers: the deferred halves of long ThoughtSpot jobs, run by the triggerer."""

from __future__ import annotations
