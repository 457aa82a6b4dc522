"""``python -m stepfunctions_local serve --host H --port P [--app-dir DIR --stage local]``."""
from __future__ import annotations

import argparse
import importlib.util
import logging
import signal
import sys
import threading
from pathlib import Path

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
    args = parser.parse_args(argv)

    runtime = Runtime()
    if args.app_dir is not None:
        runtime.register_chalice_app(_load_chalice_app(args.app_dir), stage=args.stage)
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


def _load_chalice_app(app_dir: Path):
    sys.path.insert(0, str(app_dir.resolve()))
    spec = importlib.util.spec_from_file_location("app", app_dir / "app.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["app"] = module
    spec.loader.exec_module(module)
    return module.app


if __name__ == "__main__":
    sys.exit(main())
