"""ThoughtSpotHook: one authenticated ThoughtSpot session, logged in on enter and out on exit."""

from __future__ import annotations

import threading
from dataclasses import replace
from functools import cached_property
from typing import TYPE_CHECKING, Any, TypeVar

from airflow_provider_tssession._compat import BaseHook
from airflow_provider_tssession.exceptions import ThoughtSpotApiError
from airflow_provider_tssession.secret_text import mask_encoded

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from types import TracebackType

    import requests

    from airflow_provider_tssession.auth import Authenticator
    from airflow_provider_tssession.client import ThoughtSpotClient
    from airflow_provider_tssession.paging import Page
    from airflow_provider_tssession.retry import RetryPolicy
    from airflow_provider_tssession.settings import ThoughtSpotSettings

T = TypeVar("T")

TEST_CONNECTION_TIMEOUT = 10.0
"""The UI's Test button runs on a worker with a 60 s budget: one short attempt, no retry loop."""


class ThoughtSpotHook(BaseHook):
    """Talk to ThoughtSpot's REST API as the connection's user, over one session.

    Use it as a context manager: entering logs in, leaving logs out (also when the block raises).
    With a `session_handle` from `ThoughtSpotLoginOperator` it adopts that session instead of logging
    in, and leaves it for the logout task. Threads may share one hook: logging in, again after expiry,
    and out happen under a lock, so they share one session and a 401 costs one re-login, not one each.

    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A handle returned by ``ThoughtSpotLoginOperator``, to reuse its session.
    """

    conn_name_attr = "thoughtspot_conn_id"
    default_conn_name = "thoughtspot_default"
    conn_type = "thoughtspot"
    hook_name = "ThoughtSpot"

    @classmethod
    def get_connection_form_widgets(cls) -> dict[str, Any]:
        """Return the connection form's extra fields (Airflow < 3.2; newer ones read the provider info)."""
        from airflow_provider_tssession.connection_form import form_widgets

        return form_widgets()

    @classmethod
    def get_ui_field_behaviour(cls) -> dict[str, Any]:
        """Return which standard form fields are hidden, relabelled and hinted (Airflow < 3.2)."""
        from airflow_provider_tssession.connection_form import field_behaviour

        return field_behaviour()

    def __init__(
        self, thoughtspot_conn_id: str = default_conn_name, *, session_handle: Any | None = None
    ) -> None:
        super().__init__()
        self.thoughtspot_conn_id = thoughtspot_conn_id
        self.session_handle = session_handle
        self._client: ThoughtSpotClient | None = None
        self._lock = threading.RLock()

    def __getstate__(self) -> dict[str, Any]:
        """Copy without the session and the lock (Airflow deep-copies tasks); a copy logs in for itself."""
        state = {**self.__dict__, "_client": None}
        del state["_lock"]
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()

    @cached_property
    def settings(self) -> ThoughtSpotSettings:
        """The connection's validated settings, read once per hook; warnings about them are logged once."""
        # Imported here: every DAG parse imports this module, and only a running task reads settings.
        from airflow_provider_tssession.settings import ThoughtSpotSettings

        settings = ThoughtSpotSettings.from_connection(self.get_connection(self.thoughtspot_conn_id))
        if settings.ignored_extras:
            self.log.warning(
                "Connection %s: ignoring unknown extras %s", self.thoughtspot_conn_id, settings.ignored_extras
            )
        for secret in (settings.password, settings.secret_key):
            mask_encoded(secret)  # Airflow masks the raw password; a server may echo it encoded
        if settings.verify is False:
            self.log.warning(
                "TLS certificate verification is off for %s (extra 'verify' is false): a man in the middle "
                "can read the password and the session",
                settings.host,
            )
        if settings.base_url.startswith("http://"):
            self.log.warning(
                "%s uses plain http://: credentials and session cookies travel unencrypted", settings.host
            )
        return settings

    @cached_property
    def _authenticator(self) -> Authenticator:
        from airflow_provider_tssession.auth import authenticator_for

        return authenticator_for(self.settings)

    @property
    def owns_session(self) -> bool:
        """True when this hook logged in (or minted its current token) itself, and so logs out on exit."""
        return self._client is not None and self._client.state.owned

    def login(self) -> requests.Session:
        """Return the authenticated session, logging in (or adopting the handle's session) the first time."""
        return self._current_client().session

    def _current_client(self) -> ThoughtSpotClient:
        with self._lock:
            if self._client is None:
                if self.session_handle is not None:
                    self._client = self._adopt(self.session_handle)
                else:
                    self._client = self._new_session(self.settings)
            return self._client

    def get_conn(self) -> requests.Session:
        """Return the authenticated session for plain `requests` calls; a token due for renewal is renewed."""
        client = self._current_client()
        client.renew_if_due()
        return client.session

    def logout(self, *, strict: bool = False) -> None:
        """End the current session on the server; idempotent and best effort.

        A failed logout is logged, never raised over the task's own error; an already-ended session is
        success. With ``strict=True`` (the logout task) any other failure is raised after the cleanup.
        """
        with self._lock:
            client, self._client = self._client, None
            if client is None:
                return
            host = self.settings.host
            try:
                client.logout()
                self.log.info("Logged out of %s", host)
            except ThoughtSpotApiError as error:
                if error.status_code != 401:
                    self._logout_failed(error, strict)
                else:
                    self.log.info("The session at %s had already ended; nothing to log out", host)
            except Exception as error:
                self._logout_failed(error, strict)
            finally:
                client.close()

    def _logout_failed(self, error: Exception, strict: bool) -> None:
        self.log.warning(
            "Logout from %s failed (%s); the session ends when it times out", self.settings.host, error
        )
        if strict:
            raise error

    def request(
        self,
        method: str,
        endpoint: str,
        *,
        idempotent: bool | None = None,
        retry: bool | RetryPolicy = True,
        **requests_kwargs: Any,
    ) -> requests.Response:
        """Call ThoughtSpot and return the 2xx response; raise `ThoughtSpotApiError` on any other status.

        :param method: HTTP method, e.g. ``"GET"``.
        :param endpoint: A path as ThoughtSpot documents it (``/tspublic/v1/...`` or ``/api/rest/2.0/...``),
            or a full URL on the connection's host.
        :param idempotent: Whether replaying the call is safe. By default GET, HEAD, OPTIONS, PUT and DELETE
            are; a POST is retried only when the server certainly did not act, unless this is True.
        :param retry: False sends the call exactly once: no retry after any failure, and no replay after a
            401 (the session's expiry is raised; the next call logs in again). For calls that must never
            reach ThoughtSpot twice, such as a TML import. A ``RetryPolicy`` (retry.py) replaces the
            connection's policy for this call.
        :param requests_kwargs: Passed to ``requests`` (``params``, ``data``, ``json``, ``timeout``...);
            ``deadline`` (seconds) overrides the connection's total time per attempt.
        """
        client = self._current_client()
        try:
            return client.send(method, endpoint, idempotent=idempotent, retry=retry, **requests_kwargs)
        except ThoughtSpotApiError as error:
            if error.status_code != 401 or retry is False:
                raise
        # A 401 means the session ended and the server did not act: log in again once, then replay.
        client = self._replace_ended(client)
        return client.send(method, endpoint, idempotent=idempotent, retry=retry, **requests_kwargs)

    def paginate(
        self,
        endpoint: str,
        body: dict[str, Any] | None = None,
        *,
        page_size: int,
        offset_field: str = "record_offset",
        size_field: str = "record_size",
        method: str = "POST",
        items: Callable[[Any], list[Any]] | None = None,
    ) -> Iterator[Any]:
        """Yield every item of an offset/size route, fetching one page at a time until a short page.

        Each page is a read-only call (``idempotent=True``), so a transient failure retries that page, not
        the ones before it. ``record_size: -1`` is never sent.

        :param endpoint: The route, e.g. ``/api/rest/2.0/metadata/search``.
        :param body: The request body without the paging fields.
        :param page_size: Items per request (>= 1).
        :param offset_field: The body field holding the offset.
        :param size_field: The body field holding the page size.
        :param method: The HTTP method (``GET`` sends the fields as query parameters).
        :param items: Takes the list out of a page's JSON body; by default the body is the list.
        """
        for page in self.pages(
            endpoint, body, page_size=page_size, offset_field=offset_field, size_field=size_field,
            method=method, items=items,
        ):  # fmt: skip
            yield from page.items

    def pages(
        self,
        endpoint: str,
        body: dict[str, Any] | None = None,
        *,
        page_size: int,
        offset_field: str = "record_offset",
        size_field: str = "record_size",
        method: str = "POST",
        items: Callable[[Any], list[Any]] | None = None,
        last: Callable[[Page], bool] | None = None,
    ) -> Iterator[Page]:
        """Yield the pages `paginate` reads, each with its JSON body (for totals and column names).

        :param last: Says a full page is the last one, saving the request that would come back empty.
        """
        from airflow_provider_tssession.paging import offset_pages

        def fetch(offset: int, size: int) -> Any:
            fields = {**(body or {}), offset_field: offset, size_field: size}
            where: dict[str, Any] = {"params": fields} if method.upper() == "GET" else {"json": fields}
            return self.request(method, endpoint, idempotent=True, **where).json()

        return offset_pages(fetch, page_size=page_size, items=items, last=last)

    def download(
        self,
        endpoint: str,
        sink: Callable[[Iterator[bytes]], T],
        *,
        method: str = "POST",
        **requests_kwargs: Any,
    ) -> T:
        """Stream a read-only call's body into ``sink`` (chunks as they arrive) and return what it returns.

        A body cut off mid-way is fetched again from its first byte by the retry policy, so ``sink`` must
        start over each time it is called (``storage.write_chunks`` does).
        """
        from airflow_provider_tssession.download import download

        return download(self, method, endpoint, sink, **requests_kwargs)

    def hand_off_session(self) -> dict[str, Any]:
        """Log in if needed and return a sealed handle of the session; the handle's holder now logs it out."""
        from airflow_provider_tssession.session_handle import seal_handle

        with self._lock:
            client = self._current_client()
            return seal_handle(client.state.hand_off(), self.settings)

    def test_connection(self) -> tuple[bool, str]:
        """Log in, make one authenticated call, log out; short timeout, no retries (the UI's Test button)."""
        try:
            settings = replace(
                self.settings, timeout=min(self.settings.timeout, TEST_CONNECTION_TIMEOUT), retry_limit=1
            )
            client = self._new_session(settings)
            try:
                client.send("GET", self._authenticator.check_endpoint)
            finally:
                try:
                    client.logout()
                finally:
                    client.close()
        except Exception as error:
            return False, str(error)
        return True, "Connection successfully tested"

    def __enter__(self) -> ThoughtSpotHook:
        self.login()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        with self._lock:
            if self.owns_session:
                self.logout()
            elif self._client is not None:
                self._client.close()
                self._client = None

    def _new_session(self, settings: ThoughtSpotSettings) -> ThoughtSpotClient:
        # Imported here: requests is heavy, and Airflow imports hook modules just to read provider metadata.
        from airflow_provider_tssession.client import ThoughtSpotClient

        client = ThoughtSpotClient(settings, self.log, self._authenticator)
        try:
            client.login()
        except BaseException:
            client.close()
            raise
        for secret in client.state.secrets():
            mask_encoded(secret)
        self.log.info(
            "Logged in to %s as %s (%s)", settings.host, settings.login, self._authenticator.description
        )
        return client

    def _replace_ended(self, ended: ThoughtSpotClient) -> ThoughtSpotClient:
        """Log in again unless another thread already replaced the ended session; return the live one."""
        with self._lock:
            if self._client is not ended and self._client is not None:  # None: another re-login failed
                return self._client
            adopted = not self.owns_session
            if self._client is not None:
                self._client.close()
            self._client = None
            self.log.warning(
                "The ThoughtSpot session at %s has ended (401); logging in again%s",
                self.settings.host,
                " for this task, which will log the new session out when it finishes" if adopted else "",
            )
            self._client = self._new_session(self.settings)
            return self._client

    def _adopt(self, handle: Any) -> ThoughtSpotClient:
        from airflow_provider_tssession.client import ThoughtSpotClient
        from airflow_provider_tssession.session_handle import open_handle

        client = ThoughtSpotClient(self.settings, self.log, self._authenticator)
        client.state.adopt(open_handle(handle, self.settings))
        for secret in client.state.secrets():
            mask_encoded(secret)
        self.log.info("Reusing the ThoughtSpot session of the login task at %s", self.settings.host)
        return client
