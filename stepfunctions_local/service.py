"""The Runtime: one offline Step Functions account and region, composed of its API areas.

Every operation takes boto3's keyword arguments and returns boto3's response shape (dates as
``datetime``); ``client.py`` and ``server.py`` are thin transports over ``invoke``. Each AWS
operation is listed once, in ``api_errors.OPERATIONS``, naming the area (``api/*.py``) that
answers it; ``runtime.start_execution(...)`` and friends resolve through the same table.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from stepfunctions_local.api.activities import ActivitiesApi
from stepfunctions_local.api.callbacks import CallbacksApi
from stepfunctions_local.api.executions import ExecutionsApi
from stepfunctions_local.api.state_machines import StateMachinesApi
from stepfunctions_local.api.tags import TagsApi
from stepfunctions_local.api.versions_aliases import VersionsAliasesApi
from stepfunctions_local.api_errors import OPERATIONS, ApiError
from stepfunctions_local.clock import RealClock
from stepfunctions_local.integrations import TaskDispatcher
from stepfunctions_local.integrations.lambda_ import LambdaRegistry
from stepfunctions_local.observers import ExecutionObserver, Observers
from stepfunctions_local.records import Arns, Store

if TYPE_CHECKING:
    from stepfunctions_local.client import Client
    from stepfunctions_local.integrations.sentiment import SentimentProvider
    from stepfunctions_local.interception import TaskInterceptor
    from stepfunctions_local.types import Clock

__all__ = ["ACCOUNT_ID", "ApiError", "OPERATIONS", "Runtime"]

ACCOUNT_ID = "000000000000"
_METHODS = {method: area for area, method in OPERATIONS.values()}


class Runtime:
    """An offline Step Functions: one account, one region, everything in memory."""

    def __init__(
        self,
        clock: Clock | None = None,
        sentiment: SentimentProvider | None = None,
        *,
        region_name: str = "us-east-1",
        account_id: str = ACCOUNT_ID,
    ) -> None:
        self.clock: Clock = clock or RealClock()
        self.region = region_name
        self.account_id = account_id
        self.lambdas = LambdaRegistry(region_name, account_id)
        self.tasks = TaskDispatcher(self, sentiment)
        self.observers = Observers()
        self.arns = Arns(region_name, account_id)
        store = Store()
        self.state_machines = StateMachinesApi(store, self.clock, self.arns)
        self.executions = ExecutionsApi(store, self.clock, self.arns, self.tasks, self.observers)
        self.callbacks = CallbacksApi(self.tasks.tokens)
        self.tags = TagsApi(store)
        self.activities = ActivitiesApi(store, self.clock, self.arns, self.tasks.activities)
        self.versions_aliases = VersionsAliasesApi(store, self.clock)

    # -- registration ---------------------------------------------------------------------
    def register_lambda(
        self, name_or_arn: str, handler: Callable[[Any, Any], Any], *, timeout: int = 60, memory_size: int = 128
    ) -> str:
        """Make ``handler(event, context)`` answer for a Lambda function; returns its ARN."""
        return self.lambdas.register(name_or_arn, handler, timeout=timeout, memory_size=memory_size)

    def register_chalice_app(self, app: Any, stage: str = "local") -> list[str]:
        """Register every Lambda of a Chalice app under its deployed name ``<app>-<stage>-<fn>``."""
        prefix = f"{app.app_name}-{stage}"
        arns = [self.register_lambda(prefix, app)] if app.routes else []
        for item in [*app.pure_lambda_functions, *app.event_sources]:
            arns.append(self.register_lambda(f"{prefix}-{item.name}", app.handler_map[item.name]))
        return arns

    def add_observer(self, observer: ExecutionObserver) -> None:
        """Tell ``observer`` about every execution from now on (see ``observers.py``)."""
        self.observers.add(observer)

    def set_task_interceptor(self, interceptor: TaskInterceptor | None) -> None:
        """Let ``interceptor`` answer Task states instead of their resources (None: remove it)."""
        self.tasks.interceptor = interceptor

    def client(self) -> Client:
        from stepfunctions_local.client import Client

        return Client(self)

    # -- dispatch -------------------------------------------------------------------------
    def invoke(self, operation: str, params: dict) -> dict:
        """Run an API operation by its AWS name (``StartSyncExecution``) with boto3 arguments."""
        route = OPERATIONS.get(operation)
        if route is None:
            raise ApiError("UnknownOperationException", f"Unknown operation {operation}")
        area, method = route
        return getattr(getattr(self, area), method)(**params)

    def __getattr__(self, name: str) -> Any:
        # runtime.create_state_machine(...) etc.: the operation's method on its area
        area = _METHODS.get(name)
        if area is None:
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")
        return getattr(self.__dict__[area], name)

    def wait_for(self, execution_arn: str, timeout: float | None = None) -> bool:
        """Block until a Standard execution is done (for nested ``.sync`` tasks and tests)."""
        return self.executions.wait_for(execution_arn, timeout)

    def state_machine_arn(self, name: str) -> str:
        return self.arns.state_machine(name)
