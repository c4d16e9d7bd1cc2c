"""Every path the stand-in serves under the REST v2 data-ops API, as constants tests and operators share."""

from __future__ import annotations

V1 = "/callosum/v1/tspublic/v1"
V2 = "/api/rest/2.0"

METADATA_SEARCH_PATH = f"{V2}/metadata/search"
TML_EXPORT_PATH = f"{V2}/metadata/tml/export"
TML_IMPORT_PATH = f"{V2}/metadata/tml/import"
TML_ASYNC_IMPORT_PATH = f"{V2}/metadata/tml/async/import"
TML_ASYNC_STATUS_PATH = f"{V2}/metadata/tml/async/status"
REPORT_LIVEBOARD_PATH = f"{V2}/report/liveboard"
REPORT_ANSWER_PATH = f"{V2}/report/answer"
SEARCH_DATA_PATH = f"{V2}/searchdata"
ANSWER_DATA_PATH = f"{V2}/metadata/answer/data"
LIVEBOARD_DATA_PATH = f"{V2}/metadata/liveboard/data"
USERS_IMPORT_PATH = f"{V2}/users/import"
GROUPS_IMPORT_PATH = f"{V2}/groups/import"
USERS_SEARCH_PATH = f"{V2}/users/search"
GIT_COMMIT_PATH = f"{V2}/vcs/git/branches/commit"
GIT_DEPLOY_PATH = f"{V2}/vcs/git/commits/deploy"
GIT_SEARCH_PATH = f"{V2}/vcs/git/commits/search"

DATAOPS_PATHS = (
    METADATA_SEARCH_PATH,
    TML_EXPORT_PATH,
    TML_IMPORT_PATH,
    TML_ASYNC_IMPORT_PATH,
    TML_ASYNC_STATUS_PATH,
    REPORT_LIVEBOARD_PATH,
    REPORT_ANSWER_PATH,
    SEARCH_DATA_PATH,
    ANSWER_DATA_PATH,
    LIVEBOARD_DATA_PATH,
    USERS_IMPORT_PATH,
    GROUPS_IMPORT_PATH,
    USERS_SEARCH_PATH,
    GIT_COMMIT_PATH,
    GIT_DEPLOY_PATH,
    GIT_SEARCH_PATH,
)
"""The data-ops routes, in the order the package docstring lists them."""
