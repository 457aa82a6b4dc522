"""An offline AWS Step Functions: real ASL, in-process Python Lambdas, boto3-shaped API.

```python
runtime = stepfunctions_local.Runtime()
runtime.register_chalice_app(app, stage="local")
sfn = runtime.client()          # or stepfunctions_local.client(runtime=runtime)
server = stepfunctions_local.serve(runtime, port=8083)   # AWS JSON 1.0 over HTTP
```
"""
from __future__ import annotations

from typing import Any

from stepfunctions_local.client import Client
from stepfunctions_local.clock import ManualClock, RealClock
from stepfunctions_local.interpreter import compile_definition
from stepfunctions_local.server import Server, serve
from stepfunctions_local.service import Runtime

__all__ = ["Client", "ManualClock", "RealClock", "Runtime", "Server", "client", "compile_definition", "serve"]


def client(service_name: str = "stepfunctions", region_name: str = "us-east-1",
           runtime: Runtime | None = None, **_boto3_kwargs: Any) -> Client:
    """Like ``boto3.client("stepfunctions", ...)``, answered in-process by ``runtime`` (a new one if None)."""
    return (runtime or Runtime(region_name=region_name)).client()
