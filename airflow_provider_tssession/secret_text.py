"""Keep secrets out of text a server sends back: every form in which a server may echo a request.

A gateway or server that echoes the request into its error body would otherwise put the password,
`secret_key`, session cookie or bearer token into an exception message, where Airflow's log masker does
not reach (a failure callback, a notifier, an e-mail). `scrub` replaces each known secret in each of its
encodings; `encoded_forms` lists the encodings so that the log masker can be given them as well.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote, quote_plus

if TYPE_CHECKING:
    from collections.abc import Iterable

MIN_SECRET_LENGTH = 4
"""Shorter values are not scrubbed: they would garble every message and protect nothing."""
REPLACEMENT = "***"
_PERCENT = re.compile(r"%[0-9A-F]{2}")


def encoded_forms(secret: str) -> set[str]:
    """List the secret raw, URL-encoded (path, query, form; either hex case), JSON- and HTML-escaped."""
    if len(secret) < MIN_SECRET_LENGTH:
        return set()
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),
        quote_plus(secret),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        html.escape(secret),
    }
    forms |= {_PERCENT.sub(lambda m: m.group(0).lower(), form) for form in forms}
    return {form for form in forms if len(form) >= MIN_SECRET_LENGTH}


def scrub(text: str, secrets: Iterable[str | None]) -> str:
    """Return `text` with every encoded form of every secret replaced by ``***`` (longest forms first)."""
    forms = {form for secret in secrets if secret for form in encoded_forms(secret)}
    for form in sorted(forms, key=len, reverse=True):
        text = text.replace(form, REPLACEMENT)
    return text


def mask_encoded(secret: str | None) -> None:
    """Register every encoded form of `secret` with Airflow's log masker (it knows the raw form only)."""
    from airflow_provider_tssession._compat import mask_secret

    for form in encoded_forms(secret or ""):
        mask_secret(form)
