"""``@task.thoughtspot``: the shortest way in from TaskFlow, a function that gets a logged-in hook as ``ts``.

Airflow imports this module only when a DAG uses ``task.thoughtspot``; like the rest of the provider it
imports no HTTP library until a task runs.
"""

from __future__ import annotations

import functools
import inspect
from typing import TYPE_CHECKING, Any, ClassVar, Concatenate, ParamSpec, TypeVar, overload

from airflow_provider_tssession._compat import DecoratedOperator, PythonOperator, task_decorator_factory
from airflow_provider_tssession.hooks.thoughtspot import ThoughtSpotHook

if TYPE_CHECKING:
    from collections.abc import Callable, Collection, Mapping, Sequence

    from airflow.sdk.bases.decorator import Task

P = ParamSpec("P")
R = TypeVar("R")

HOOK_PARAMETER = "ts"
"""The parameter that receives the hook. It shadows Airflow's context value ``ts`` (the logical date as
text), which is why Airflow never asks the DAG author to pass it and never stores it with the task."""


class _ThoughtSpotDecoratedOperator(DecoratedOperator, PythonOperator):
    """Run the decorated function with ``ts``, a ThoughtSpotHook logged in for the call and out after it.

    :param thoughtspot_conn_id: The Airflow connection of type ``thoughtspot`` to use.
    :param session_handle: A login task's output, to adopt its session (which the function then leaves
        to the logout task) instead of logging in and out.
    """

    template_fields: Sequence[str] = (
        *DecoratedOperator.template_fields,
        "thoughtspot_conn_id",
        "session_handle",
    )
    template_fields_renderers: ClassVar[dict[str, str]] = {"op_args": "py", "op_kwargs": "py"}
    custom_operator_name = "@task.thoughtspot"
    ui_color = "#2770EF"

    def __init__(
        self,
        *,
        python_callable: Callable[..., Any],
        op_args: Collection[Any] | None = None,
        op_kwargs: Mapping[str, Any] | None = None,
        thoughtspot_conn_id: str = ThoughtSpotHook.default_conn_name,
        session_handle: Any = None,
        **kwargs: Any,
    ) -> None:
        python_callable = hook_last(python_callable)
        super().__init__(
            kwargs_to_upstream={
                "python_callable": python_callable,
                "op_args": op_args,
                "op_kwargs": op_kwargs,
            },
            python_callable=python_callable,
            op_args=op_args,
            op_kwargs=op_kwargs,
            **kwargs,
        )
        self.thoughtspot_conn_id = thoughtspot_conn_id
        self.session_handle = session_handle

    def execute_callable(self) -> Any:
        """Call the function with the hook as ``ts``; the session ends when it returns or raises.

        The hook is handed over for the call only (``op_kwargs`` were rendered and stored before), so it
        never reaches rendered templates or XCom; errors, a rejected login among them, pass through as
        they are, so Airflow decides about retries from the error itself.
        """
        kwargs = self.op_kwargs
        with ThoughtSpotHook(self.thoughtspot_conn_id, session_handle=self.session_handle) as hook:
            self.op_kwargs = {**kwargs, HOOK_PARAMETER: hook}
            try:
                return super().execute_callable()
            finally:
                self.op_kwargs = kwargs


def hook_last(python_callable: Callable[..., Any]) -> Callable[..., Any]:
    """Wrap the function so Airflow sees ``ts`` as its last, keyword-only parameter.

    Then positional arguments go to the parameters after ``ts`` (``tag("guid")`` for ``def tag(ts, guid)``),
    and Airflow 2.11, which gives a context parameter such as ``ts`` a default, accepts a ``ts`` first.
    """
    if getattr(python_callable, "_thoughtspot_hook_last", False):
        return python_callable  # unmapping a mapped task builds the operator again from the wrapper
    name = getattr(python_callable, "__name__", repr(python_callable))
    signature = inspect.signature(python_callable)
    hook = signature.parameters.get(HOOK_PARAMETER)
    if hook is None or hook.kind is inspect.Parameter.POSITIONAL_ONLY:
        raise TypeError(
            f"@task.thoughtspot function {name!r} has no parameter {HOOK_PARAMETER!r}: add one "
            "(def my_task(ts, ...), not positional-only); it receives the logged-in ThoughtSpotHook"
        )
    if any(parameter.kind is inspect.Parameter.VAR_POSITIONAL for parameter in signature.parameters.values()):
        raise TypeError(f"@task.thoughtspot function {name!r} takes *args: name its parameters instead")
    others = [parameter for parameter in signature.parameters.values() if parameter.name != HOOK_PARAMETER]
    at = next((i for i, p in enumerate(others) if p.kind is inspect.Parameter.VAR_KEYWORD), len(others))
    others.insert(at, hook.replace(kind=inspect.Parameter.KEYWORD_ONLY))
    seen_by_airflow = signature.replace(parameters=others)
    by_position = [p.name for p in others if p.kind is inspect.Parameter.POSITIONAL_ONLY]
    var_keyword = next((p.name for p in others if p.kind is inspect.Parameter.VAR_KEYWORD), None)

    @functools.wraps(python_callable)
    def with_hook(*args: Any, **kwargs: Any) -> Any:
        arguments = dict(seen_by_airflow.bind(*args, **kwargs).arguments)
        extra = arguments.pop(var_keyword, {}) if var_keyword else {}
        positional = [arguments.pop(name) for name in by_position if name in arguments]
        return python_callable(*positional, **arguments, **extra)

    with_hook.__signature__ = seen_by_airflow  # type: ignore[attr-defined]
    with_hook._thoughtspot_hook_last = True  # type: ignore[attr-defined]
    return with_hook


@overload
def thoughtspot_task(python_callable: Callable[Concatenate[ThoughtSpotHook, P], R]) -> Task[P, R]: ...


@overload
def thoughtspot_task(
    *, multiple_outputs: bool | None = None, **kwargs: Any
) -> Callable[[Callable[Concatenate[ThoughtSpotHook, P], R]], Task[P, R]]: ...


def thoughtspot_task(
    python_callable: Callable[..., Any] | None = None, multiple_outputs: bool | None = None, **kwargs: Any
) -> Any:
    """Turn a function with a ``ts`` parameter into a task that hands it a logged-in ThoughtSpotHook.

    ``@task.thoughtspot(thoughtspot_conn_id="thoughtspot_default", session_handle=None)``; other keyword
    arguments go to the operator as with ``@task`` (``retries``, ``task_id``...). Imported under this
    name, its type tells mypy that ``ts`` (the first parameter) is filled in by the task.

    :param python_callable: The function (given when the decorator is used without parentheses).
    :param multiple_outputs: Unroll a returned dict into one XCom per key, as ``@task`` does.
    """
    return task_decorator_factory(
        python_callable=python_callable,
        multiple_outputs=multiple_outputs,
        decorated_operator_class=_ThoughtSpotDecoratedOperator,
        **kwargs,
    )
