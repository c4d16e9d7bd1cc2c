"""Keep secrets out of text a server sends back: every form in which a server may echo a request.

An echoed password, `secret_key`, cookie or token in an error message escapes Airflow's log masker (failure
callbacks, notifiers, e-mails): `scrub` replaces every encoding of every secret; `encoded_forms` lists them.
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
    forms = {secret, quote(secret, safe=""), quote(secret), quote_plus(secret), html.escape(secret)}
    forms |= {json.dumps(secret, ensure_ascii=ascii_only)[1:-1] for ascii_only in (True, False)}
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
