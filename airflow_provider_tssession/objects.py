"""ThoughtSpot objects as Airflow refers to them: a type and a GUID, their page in ThoughtSpot, their URI.

One vocabulary for the extra links, OpenLineage datasets and assets, so the three always agree. Pure
standard library: asset URIs are checked by Airflow while it parses DAGs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

SCHEME = "thoughtspot"
PAGES = {"LIVEBOARD": "pinboard", "ANSWER": "saved-answer", "LOGICAL_TABLE": "data/tables"}
"""Each type's page in ThoughtSpot's UI: ``<base URL>/#/<page>/<guid>``."""

TYPES = (*PAGES, "CONNECTION")
"""REST API v2 metadata types; models, worksheets, tables and views are all ``LOGICAL_TABLE``."""

ALIASES = {
    "PINBOARD_ANSWER_BOOK": "LIVEBOARD",  # REST v1 names
    "QUESTION_ANSWER_BOOK": "ANSWER",
    "DATA_SOURCE": "CONNECTION",
    "PINBOARD": "LIVEBOARD",  # the UI's and TML's names
    "MODEL": "LOGICAL_TABLE",
    "WORKSHEET": "LOGICAL_TABLE",
    "TABLE": "LOGICAL_TABLE",
    "VIEW": "LOGICAL_TABLE",
    "SQL_VIEW": "LOGICAL_TABLE",
}
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\Z")


@dataclass(frozen=True)
class ThoughtSpotObject:
    """A Liveboard, Answer, model/table or connection, by its canonical type and lower-case GUID."""

    type: str
    guid: str

    @classmethod
    def of(cls, type: str, guid: str) -> ThoughtSpotObject:
        """Validate and normalise; a ValueError says which part is wrong and what ThoughtSpot accepts."""
        canonical = str(type).strip().upper().replace("-", "_")
        canonical = ALIASES.get(canonical, canonical)
        if canonical not in TYPES:
            raise ValueError(
                f"{str(type)[:40]!r} is not a ThoughtSpot object type: use one of {', '.join(TYPES)} "
                "(models, worksheets and tables are LOGICAL_TABLE)"
            )
        normalized = str(guid).strip().lower()
        if not _GUID.match(normalized):
            raise ValueError(
                f"{str(guid)[:60]!r} is not a ThoughtSpot GUID (such as "
                "'a1b2c3d4-0000-4000-8000-0123456789ab'): use the object's GUID, not its name"
            )
        return cls(canonical, normalized)

    @classmethod
    def if_guid(cls, type: str, identifier: str) -> ThoughtSpotObject | None:
        """Return the object when ``identifier`` is a GUID of a known type; None for a name (no lookup)."""
        try:
            return cls.of(type, identifier)
        except ValueError:
            return None

    @classmethod
    def from_mapping(cls, value: Any) -> ThoughtSpotObject:
        """Read ``{"type": ..., "guid": ...}`` as an operator argument or an XCom gives it."""
        if not isinstance(value, dict) or not {"type", "guid"} <= value.keys():
            raise ValueError(f'expected {{"type": ..., "guid": ...}}, got {str(value)[:80]!r}')
        return cls.of(value["type"], value["guid"])

    def page_url(self, base_url: str) -> str | None:
        """Return the object's page on the cluster at ``base_url``; None for types without a page."""
        page = PAGES.get(self.type)
        return f"{base_url.rstrip('/')}/#/{page}/{self.guid}" if page else None

    def uri(self, host: str) -> str:
        """Return the object's asset URI, ``thoughtspot://<host>/<type>/<guid>``."""
        return f"{SCHEME}://{normalize_host(host)}/{self.type.lower()}/{self.guid}"

    def as_dict(self, base_url: str) -> dict[str, str]:
        """Return what operators record in XCom for the link: type, GUID and page URL."""
        return {"type": self.type, "guid": self.guid, "url": self.page_url(base_url) or ""}


def normalize_host(host: str) -> str:
    """``https://My.Cluster:443/`` and ``my.cluster`` name the same cluster: lower case, no default port."""
    text = str(host).strip()
    netloc = urlsplit(text if "://" in text else f"//{text}").netloc.lower()
    if not netloc or "@" in netloc:
        raise ValueError(f"{text[:80]!r} is not a ThoughtSpot host: give it as 'my.thoughtspot.cloud'")
    return netloc.removesuffix(":443")
