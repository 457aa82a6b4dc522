"""python -m localdev run|tickets|emails — the commands behind `make run`, `make tickets`, `make emails`."""
from __future__ import annotations

import argparse
import os
import signal
import sys
from pathlib import Path

# Heavy imports (boto3, moto, chalice) wait inside the commands, so a Ctrl-C or SIGTERM while they
# load stops the program as quietly as one later on.
_PROJECT_DIR = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "run":
        return _run(args)
    return _report(args)


def _run(args: argparse.Namespace) -> int:
    import gc

    from localdev import logs, stack
    from localdev.appimport import AppImportFailed
    from localdev.chalice_local import ChaliceLocalFailed
    from localdev.ports import PortUnavailable

    logs.configure()
    try:
        return stack.run(
            stack.Ports(api=args.api_port, sfn=args.sfn_port, aws=args.aws_port),
            stack.Options(
                project_dir=args.project_dir.resolve(),
                state_dir=args.state_dir.resolve(),
                fresh=args.fresh,
                deliveries=args.deliveries,
            ),
        )
    except PortUnavailable as error:
        print(error, file=sys.stderr)
        return 2
    except AppImportFailed as error:
        print(f"app.py failed to import; fix it and start again:\n{error}", file=sys.stderr)
        return 1
    except ChaliceLocalFailed as error:
        print(f"{error}; its own message is above.", file=sys.stderr)
        return 1
    finally:
        # Everything is stopped; collecting moto's and botocore's objects at exit would only add ~1 s.
        gc.freeze()


def _report(args: argparse.Namespace) -> int:
    import urllib.error

    from botocore.exceptions import EndpointConnectionError

    from localdev import report

    try:
        if args.command == "tickets":
            print(report.format_tickets(report.tickets(args.aws_port)))
        else:
            print(report.format_emails(report.emails(args.aws_port)))
    except (EndpointConnectionError, urllib.error.URLError):
        print(f"Nothing answers on AWS_PORT={args.aws_port}; is `make run` running?", file=sys.stderr)
        return 1
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m localdev", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    run = commands.add_parser("run", help="run the whole product offline until Ctrl-C")
    run.add_argument("--api-port", type=int, default=8000, help="the API (make variable API_PORT)")
    run.add_argument("--sfn-port", type=int, default=8083, help="local Step Functions (SFN_PORT)")
    run.add_argument("--aws-port", type=int, default=5000, help="moto server (AWS_PORT)")
    run.add_argument(
        "--deliveries", type=int, choices=(1, 2), default=1,
        help="times each SQS message / EventBridge event reaches the app; 2 shows at-least-once delivery",
    )
    run.add_argument(
        "--project-dir", type=Path, default=_PROJECT_DIR,
        help="the project whose app.py, chalicelib/ and statemachine/ run and are watched (default: this one)",
    )
    run.add_argument(
        "--state-dir", type=Path, default=_PROJECT_DIR / ".localdev" / "state",
        help="where the embedded AWS services' data is kept between runs (default: .localdev/state)",
    )
    run.add_argument("--fresh", action="store_true", help="start with empty services (make run FRESH=1)")
    for name, what in (("tickets", "the tickets in DynamoDB"), ("emails", "the emails sent through SES")):
        command = commands.add_parser(name, help=f"print {what}")
        command.add_argument("--aws-port", type=int, default=5000, help="moto server (AWS_PORT)")
    return parser


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


if __name__ == "__main__":
    for _signal in (signal.SIGINT, signal.SIGTERM):
        signal.signal(_signal, _interrupt)
    try:
        status = main()
    except KeyboardInterrupt:
        # Interrupted before the stack started (while loading); nothing is running yet.
        print("Stopped.", flush=True)
        status = 0
    sys.stdout.flush()
    sys.stderr.flush()
    # Everything is stopped by now; interpreter shutdown could still wait on server request
    # threads that idle keep-alive clients hold open, so the process would not end.
    os._exit(status)
