"""TML as tasks: export objects to files, and import TML (synchronously, asynchronously, or deferred)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

from airflow_provider_tssession._compat import conf
from airflow_provider_tssession.exceptions import (
    ThoughtSpotError,
    ThoughtSpotJobFailedError,
)
from airflow_provider_tssession.lineage import ThoughtSpotLineageMixin, file_dataset
from airflow_provider_tssession.links import ThoughtSpotObjectLink
from airflow_provider_tssession.operators.base import ThoughtSpotBaseOperator
from airflow_provider_tssession.polling import RECOMMENDED_INTERVAL, Poller, deadline_after

if TYPE_CHECKING:
    from collections.abc import Sequence

    from airflow_provider_tssession._compat import Context
    from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook
    from airflow_provider_tssession.resume import JobMemory

IMPORT_STATE_KEY = "thoughtspot_tml_import"
"""The task state store key of a sent import (Airflow 3.3+); renaming it breaks resuming running imports."""


class ThoughtSpotTMLExportOperator(ThoughtSpotLineageMixin, ThoughtSpotBaseOperator):
    """Export ThoughtSpot objects' TML to files: one file per object, named by its GUID, ending in ``.tml``.

    Objects come from ``identifiers`` or from ``/metadata/search`` filters (paged). Up to
    ``max_concurrency`` exports run at once; each file is written as soon as its export arrives. A
    per-object ERROR (ThoughtSpot answers 200 and reports it inside) fails the task after every other
    object is written, naming each failed object and ThoughtSpot's message. Returns
    ``{"output_path", "files", "exported", "failed": [{"identifier", "name", "error"}]}``, never TML.

    :param output_path: A local directory or an object storage URI (``file://``, ``s3://``...).
    :param identifiers: GUIDs of the objects to export.
    :param metadata: ``/metadata/search`` filters instead, e.g. ``[{"type": "LIVEBOARD"}]``.
    :param edoc_format: ``YAML`` or ``JSON``; always sent (ThoughtSpot's own default is JSON).
    :param export_fqn: Add fully qualified names of referenced objects (always sent; ThoughtSpot's
        default is False), so an import elsewhere finds the right ones.
    :param max_concurrency: Exports in flight at once (1 to 10); ThoughtSpot's own tools use 4.
    :param fail_on_error: Fail the task when an object could not be exported; False only warns.
    :param session_handle: A ``ThoughtSpotLoginOperator`` output, to reuse its session.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = (
        *ThoughtSpotBaseOperator.template_fields,
        "output_path",
        "identifiers",
        "metadata",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"metadata": "json", "identifiers": "json"}
    operator_extra_links = (ThoughtSpotObjectLink(),)

    def __init__(
        self,
        *,
        output_path: str,
        identifiers: list[str] | None = None,
        metadata: list[dict[str, Any]] | None = None,
        edoc_format: str = "YAML",
        export_fqn: bool = True,
        max_concurrency: int = 4,
        fail_on_error: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.output_path = output_path
        self.identifiers = identifiers
        self.metadata = metadata
        self.edoc_format = edoc_format
        self.export_fqn = export_fqn
        self.max_concurrency = max_concurrency
        self.fail_on_error = fail_on_error

    def execute(self, context: Context) -> dict[str, Any]:
        """Find the objects, export them a few at a time, write each file, then report what failed."""
        from airflow_provider_tssession import storage
        from airflow_provider_tssession.tml_export import TMLExport

        self._check_arguments()
        try:
            output = storage.uri_of(storage.resolve(self.output_path))
        except ValueError as error:
            raise self.bad_argument(
                "output_path", str(error), "give a directory or a URI such as s3://bucket/tml"
            ) from None
        with self.hook() as hook:
            export = TMLExport(
                hook,
                output_path=self.output_path,
                edoc_format=self.edoc_format,
                export_fqn=self.export_fqn,
                log=self.log,
            )
            objects = export.find(identifiers=self.identifiers, metadata=self.metadata)
            self.log.info(
                "Exporting %d object(s) to %s, %d at a time", len(objects), output, self.max_concurrency
            )
            files, failed = export.run(objects, max_concurrency=self.max_concurrency)
            exported = [_exported_object(file) for file in files]  # typed even when found by GUID alone
            self.record_thoughtspot_objects(context, hook.settings.base_url, exported)
        self.record_lineage(outputs=[file_dataset(file) for file in files])
        result = {"output_path": output, "files": files, "exported": len(files), "failed": failed}
        self.log.info("Exported %d object(s) to %s; %d failed", len(files), output, len(failed))
        if failed:
            listing = "; ".join(
                f"{item['name'] or item['identifier']} ({item['identifier']}): {item['error']}"
                for item in failed
            )
            message = f"{len(failed)} of {len(objects)} object(s) could not be exported: {listing}"
            if self.fail_on_error:
                raise ThoughtSpotJobFailedError(message)
            self.log.warning("%s (fail_on_error=False: not failing the task)", message)
        return result

    def _check_arguments(self) -> None:
        from airflow_provider_tssession.client import POOL_SIZE

        if (self.identifiers is None) == (self.metadata is None):
            raise self.bad_argument(
                "identifiers",
                "give exactly one of identifiers and metadata",
                'pass GUIDs as identifiers=[...], or search filters as metadata=[{"type": "LIVEBOARD"}]',
            )
        if self.identifiers is not None and (
            not isinstance(self.identifiers, list | tuple)
            or not all(isinstance(guid, str) and guid for guid in self.identifiers)
        ):
            raise self.bad_argument(
                "identifiers",
                f"{self.identifiers!r} is not a list of GUIDs",
                "pass a list of str",
            )
        if self.metadata is not None and (
            not isinstance(self.metadata, list | tuple) or not all(isinstance(m, dict) for m in self.metadata)
        ):
            raise self.bad_argument(
                "metadata",
                f"{self.metadata!r} is not a list of filters",
                'pass e.g. [{"type": "LIVEBOARD"}]',
            )
        if self.edoc_format not in ("YAML", "JSON"):
            raise self.bad_argument("edoc_format", repr(self.edoc_format), "use YAML or JSON")
        if (
            isinstance(self.max_concurrency, bool)
            or not isinstance(self.max_concurrency, int)
            or not 1 <= self.max_concurrency <= POOL_SIZE
        ):
            raise self.bad_argument(
                "max_concurrency",
                f"{self.max_concurrency!r} is not a whole number from 1 to {POOL_SIZE}",
                f"use 1 to {POOL_SIZE} (a hook keeps {POOL_SIZE} connections; ThoughtSpot's tools use 4)",
            )


class ThoughtSpotTMLImportOperator(ThoughtSpotLineageMixin, ThoughtSpotBaseOperator):
    """Import TML into ThoughtSpot, once: a retry resumes the import it sent instead of sending it again.

    The import POST is never re-sent after a timeout, a 5xx or a dropped connection (a second import can
    duplicate content): the error says it may have been received and how to check. The task fails when
    the import FAILED, when any object is in ERROR (unless ``fail_on_object_error=False``), and on
    ``timeout``; objects with a WARNING are logged.

    :param input_path: A local directory or an object storage URI (``file://``, ``s3://``...): every
        ``*.tml`` file under it is imported, in one call.
    :param tmls: TML documents as strings (templated); instead of, or besides, ``input_path``.
    :param import_policy: ``ALL_OR_NONE``, ``PARTIAL``, ``PARTIAL_OBJECT`` or ``VALIDATE_ONLY`` (a dry
        run). Always sent: ThoughtSpot's default differs between the sync and async routes.
    :param create_new: Create new objects instead of updating those with the same GUIDs (duplicates them).
    :param asynchronous: Use ``/metadata/tml/async/import`` and poll its status (for large imports);
        False sends one ``/metadata/tml/import`` and waits for its answer.
    :param deferrable: Wait in the triggerer instead of the worker (async imports only); defaults to
        ``[operators] default_deferrable``.
    :param poll_interval: Seconds between status polls; ThoughtSpot asks for 30 s or more, and no value
        goes below its rate limit (0.6 s, 100 requests a minute).
    :param timeout: Seconds to wait for the async import before failing the task (the import itself goes
        on: ThoughtSpot cannot cancel it); None waits until it ends.
    :param fail_on_object_error: Fail the task when an object is in ERROR; False only logs a warning.
    :param resubmit_on_retry: On a retry, send the import again when an earlier try may have sent it, or
        sent one that COMPLETED with errors (one still running is always resumed). See the README:
        Airflow before 3.3 cannot tell, and refuses to send on a retry without this.
    :param session_handle: A ``ThoughtSpotLoginOperator`` output, to reuse its session.
    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    """

    template_fields: Sequence[str] = (*ThoughtSpotBaseOperator.template_fields, "input_path", "tmls")
    template_fields_renderers: ClassVar[dict[str, str]] = {"tmls": "py"}
    operator_extra_links = (ThoughtSpotObjectLink(),)

    def __init__(
        self,
        *,
        input_path: str | None = None,
        tmls: list[str] | None = None,
        import_policy: str = "ALL_OR_NONE",
        create_new: bool = False,
        asynchronous: bool = True,
        deferrable: bool = conf.getboolean("operators", "default_deferrable", fallback=False),
        poll_interval: float = RECOMMENDED_INTERVAL,
        timeout: float | None = None,
        fail_on_object_error: bool = True,
        resubmit_on_retry: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.input_path = input_path
        self.tmls = tmls
        self.import_policy = import_policy
        self.create_new = create_new
        self.asynchronous = asynchronous
        self.deferrable = deferrable
        self.poll_interval = poll_interval
        self.timeout = timeout
        self.fail_on_object_error = fail_on_object_error
        self.resubmit_on_retry = resubmit_on_retry

    def execute(self, context: Context) -> dict[str, Any]:
        """Send the import (or resume the one an earlier try sent), wait for it, and judge every object."""
        from airflow_provider_tssession import tml_import

        self._check_arguments()
        tmls = self._read_tmls()
        memory = self._memory(context)
        deadline = deadline_after(self.timeout)
        with self.hook() as hook:
            result = self._resume(hook, memory)
            if result is None:
                result = self._send(hook, memory, tmls)
            if self.asynchronous and not tml_import.is_done(result):
                if self.deferrable:
                    self._defer(hook, result["task_id"], deadline)
                result = self._wait(hook, result["task_id"], deadline)
        tml_import.name_objects(result, lambda: tmls)
        self._record_imported(context, result)
        tml_import.judge(result, fail_on_object_error=self.fail_on_object_error, log=self.log)
        memory.forget()  # done and judged good: clearing the task later means "import again"
        return result

    def execute_complete(self, context: Context, event: dict[str, Any]) -> dict[str, Any]:
        """Judge the import the trigger waited for; a timeout or a polling error fails the task."""
        from airflow_provider_tssession import tml_import

        polls = event.get("polls")
        if event.get("status") != "done":
            raise ThoughtSpotError(
                f"Waiting for TML import task {event.get('import_task_id')} failed after {polls} poll(s): "
                f"{event.get('message')}. The import may still be running on ThoughtSpot; a retry of this "
                "task resumes waiting for it (Airflow 3.3+)"
            )
        self.log.info("TML import task %s ended after %s poll(s)", event["import_task_id"], polls)
        result: dict[str, Any] = tml_import.name_objects(event["result"], self._read_tmls)
        self._record_imported(context, result)
        tml_import.judge(result, fail_on_object_error=self.fail_on_object_error, log=self.log)
        self._memory(context).forget()
        return result

    def _record_imported(self, context: Context, result: dict[str, Any]) -> None:
        """Record the imported objects (those with a GUID) as the link's target and lineage outputs."""
        objects = [(obj.get("type"), obj.get("guid")) for obj in result.get("objects") or []]
        self.record_thoughtspot_objects(context, self.hook().settings.base_url, objects, written=True)

    def _memory(self, context: Context) -> JobMemory:
        from airflow_provider_tssession.resume import JobMemory
        from airflow_provider_tssession.tml_import import HOW_TO_CHECK

        return JobMemory(
            context,
            key=IMPORT_STATE_KEY,
            what="TML import",
            how_to_check=HOW_TO_CHECK,
            resubmit_on_retry=self.resubmit_on_retry,
        )

    def _check_arguments(self) -> None:
        from airflow_provider_tssession.polling import MIN_INTERVAL
        from airflow_provider_tssession.tml_import import IMPORT_POLICIES

        if self.import_policy not in IMPORT_POLICIES:
            raise self.bad_argument(
                "import_policy",
                f"{self.import_policy!r} is not a policy",
                _one_of(IMPORT_POLICIES),
            )
        if self.input_path is None and not self.tmls:
            raise self.bad_argument(
                "input_path",
                "nothing to import",
                "give input_path (a folder of .tml files) or tmls",
            )
        if self.tmls is not None and (
            not isinstance(self.tmls, list | tuple) or not all(isinstance(t, str) for t in self.tmls)
        ):
            raise self.bad_argument(
                "tmls",
                f"expected a list of TML strings, got {type(self.tmls).__name__}",
                "pass a list of str",
            )
        for name in ("poll_interval", "timeout"):
            value = getattr(self, name)
            if value is not None and (
                isinstance(value, bool) or not isinstance(value, int | float) or value <= 0
            ):
                raise self.bad_argument(name, f"{value!r} is not a number > 0", "give seconds")
        if self.poll_interval is None:
            raise self.bad_argument("poll_interval", "None", "give seconds")
        if self.poll_interval < RECOMMENDED_INTERVAL:
            self.log.warning(
                "poll_interval %.1fs is below ThoughtSpot's advice of %.0fs for async imports (used as is, "
                "but never below %.1fs, the status route's rate limit)",
                self.poll_interval,
                RECOMMENDED_INTERVAL,
                MIN_INTERVAL,
            )

    def _read_tmls(self) -> list[str]:
        from airflow_provider_tssession import storage

        tmls = list(self.tmls or [])
        if self.input_path is not None:
            try:
                found = [storage.read_text(path) for path in storage.list_files(self.input_path, "**/*.tml")]
            except (FileNotFoundError, ValueError) as error:
                raise self.bad_argument(
                    "input_path", str(error), "point it at a folder of exported .tml files"
                ) from None
            if not found:
                raise self.bad_argument(
                    "input_path",
                    f"no *.tml file under {self.input_path!r}",
                    "point it at the exported folder",
                )
            tmls += found
        self.log.info("Importing %d TML document(s) with policy %s", len(tmls), self.import_policy)
        return tmls

    def _resume(self, hook: ThoughtSpotHook, memory: JobMemory) -> dict[str, Any] | None:
        """Return the state of the import an earlier try sent, or None when this try must send it."""
        from airflow_provider_tssession.tml_import import fetch_status

        task_id = memory.recall()
        if task_id is None:
            return None
        result = fetch_status(hook, task_id)
        ended_resend = result["task_status"] == "COMPLETED" and self.resubmit_on_retry
        if result["task_status"] == "FAILED" or ended_resend:
            self.log.warning(
                "The import an earlier try sent (task %s) ended %s; sending it again%s",
                task_id,
                result["task_status"],
                " (resubmit_on_retry=True)" if ended_resend else "",
            )
            memory.forget()
            return None
        self.log.info(
            "Resuming TML import task %s sent by an earlier try (%s)", task_id, result["task_status"]
        )
        return result

    def _send(self, hook: ThoughtSpotHook, memory: JobMemory, tmls: list[str]) -> dict[str, Any]:
        from airflow_provider_tssession.exceptions import ThoughtSpotMaybeSentError
        from airflow_provider_tssession.tml_import import fetch_status, is_done, submit

        memory.sending()
        try:
            result = submit(
                hook,
                tmls,
                import_policy=self.import_policy,
                create_new=self.create_new,
                asynchronous=self.asynchronous,
            )
        except ThoughtSpotMaybeSentError:
            raise  # the "sending" mark stays: a retry must not guess
        except Exception:
            memory.forget()  # certainly not received (refused, 429, a 4xx): a retry may send it
            raise
        if self.asynchronous and result.get("task_id"):
            memory.sent(result["task_id"])
            self.log.info(
                "ThoughtSpot accepted TML import task %s (%s)", result["task_id"], result["task_status"]
            )
            if is_done(result):  # FAILED at once (a full queue): the reason comes only with the status
                result = fetch_status(hook, result["task_id"])
        else:
            memory.forget()
        return result

    def _wait(self, hook: ThoughtSpotHook, task_id: str, deadline: float | None) -> dict[str, Any]:
        from airflow_provider_tssession.tml_import import fetch_status, is_done

        poller: Poller[dict[str, Any]] = Poller(
            done=is_done,
            interval=self.poll_interval,
            deadline=deadline,
            what=f"TML import task {task_id}",
            log=self.log,
        )
        result = poller.run(lambda: fetch_status(hook, task_id))
        self.log.info("TML import task %s ended after %d poll(s)", task_id, poller.polls)
        return result

    def _defer(self, hook: ThoughtSpotHook, task_id: str, deadline: float | None) -> None:
        """Hand the wait (and this task's own session, if it logged in) to the triggerer."""
        from airflow_provider_tssession.triggers.tml import ThoughtSpotTMLImportTrigger

        owns = hook.owns_session
        handle = hook.hand_off_session() if owns else self.session_handle
        self.log.info(
            "Deferring: the triggerer polls TML import task %s every %.1fs", task_id, self.poll_interval
        )
        self.defer(
            trigger=ThoughtSpotTMLImportTrigger(
                thoughtspot_conn_id=self.thoughtspot_conn_id,
                import_task_id=task_id,
                session_handle=handle,
                owns_session=owns,
                poll_interval=self.poll_interval,
                deadline=deadline,
            ),
            method_name="execute_complete",
        )


def _exported_object(uri: str) -> tuple[str, str]:
    """Return ``(type, guid)`` of an exported file, named ``<guid>.<type>.tml`` (``tml_export.file_name``)."""
    guid, _, rest = uri.rsplit("/", 1)[-1].partition(".")
    return rest.removesuffix(".tml"), guid


def _one_of(values: Sequence[str]) -> str:
    return "use one of " + ", ".join(values)
