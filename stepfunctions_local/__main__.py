"""``python -m stepfunctions_local serve --host H --port P [--app-dir DIR --stage local]
[--lambda NAME=MODULE:FUNCTION ...] [--mock-config PATH]``."""
from __future__ import annotations

import argparse
import importlib
import importlib.util
import logging
import os
import signal
import sys
import threading
from pathlib import Path
from typing import Any, Callable

from stepfunctions_local.mocking import ENVIRONMENT_VARIABLE, MockConfigError, mock_config_source, use_mock_config
from stepfunctions_local.observability import TerminalSummary, exporters_from_environment
from stepfunctions_local.server import serve
from stepfunctions_local.service import Runtime


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stepfunctions_local")
    commands = parser.add_subparsers(dest="command", required=True)
    serve_command = commands.add_parser("serve", help="serve the Step Functions API (AWS JSON 1.0)")
    serve_command.add_argument("--host", default="127.0.0.1")
    serve_command.add_argument("--port", type=int, default=8083)
    serve_command.add_argument("--app-dir", type=Path, help="a Chalice project whose Lambdas to register")
    serve_command.add_argument("--stage", default="local")
    serve_command.add_argument("--lambda", dest="lambdas", action="append", default=[], metavar="NAME=MODULE:FUNCTION",
                               help="register a plain Python handler as Lambda function NAME (repeatable); "
                                    "MODULE is imported from the current directory")
    serve_command.add_argument("--mock-config", type=Path, default=os.environ.get(ENVIRONMENT_VARIABLE) or None,
                               help=f"Step Functions Local MockConfigFile for '<stateMachineArn>#<TestCase>' "
                                    f"executions, re-read when edited (default: ${ENVIRONMENT_VARIABLE})")
    args = parser.parse_args(argv)

    runtime = Runtime()
    if args.app_dir is not None:
        runtime.register_chalice_app(_load_chalice_app(args.app_dir), stage=args.stage)
    for spec in args.lambdas:
        name, handler = _handler(parser, spec)
        runtime.register_lambda(name, handler)
    if args.mock_config is not None:
        source = mock_config_source(args.mock_config)
        use_mock_config(runtime, source)
        try:
            source.load()
        except MockConfigError as error:
            # Not fatal: the file is read again at each test case start, so it can be fixed while serving.
            print(f"stepfunctions_local: mock configuration not usable yet: {error}", file=sys.stderr, flush=True)
    server = serve(runtime, args.host, args.port)
    # Metrics and logs only when boto3 is given an endpoint (AWS_ENDPOINT_URL...): never a real account by surprise.
    server.recorder.add(TerminalSummary(), *exporters_from_environment(runtime.region))
    lines = logging.getLogger("stepfunctions_local.executions")  # one line per execution, nothing else
    lines.setLevel(logging.INFO)
    lines.addHandler(logging.StreamHandler(sys.stdout))
    stopped = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopped.set())
    print(f"stepfunctions_local listening on {server.url} (console: GET {server.url}/)", flush=True)
    try:
        stopped.wait()
    except KeyboardInterrupt:
        pass
    server.shutdown()
    return 0


def _handler(parser: argparse.ArgumentParser, spec: str) -> tuple[str, Callable[[Any, Any], Any]]:
    name, equals, target = spec.partition("=")
    module_name, colon, attribute = target.partition(":")
    if not (name and equals and module_name and colon and attribute):
        parser.error(f"--lambda {spec!r}: expected NAME=MODULE:FUNCTION, e.g. make-id=handlers:make_id")
    sys.path.insert(0, os.getcwd())
    try:
        handler = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError) as error:
        parser.error(f"--lambda {spec!r}: {error}")
    return name, handler


def _load_chalice_app(app_dir: Path):
    sys.path.insert(0, str(app_dir.resolve()))
    spec = importlib.util.spec_from_file_location("app", app_dir / "app.py")
    if spec is None or spec.loader is None:  # only for a file name no loader knows; app.py always has one
        raise ImportError(f"cannot load {app_dir / 'app.py'}")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module.app


if __name__ == "__main__":
    sys.exit(main())
