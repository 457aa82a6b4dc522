"""Embedded AWS services (moto server) and clients pointed at them."""
from __future__ import annotations

import functools
import logging
import os
from typing import Any

import boto3
from moto.server import ThreadedMotoServer

ACCOUNT_ID = "000000000000"
REGION = "us-east-1"
DUMMY_CREDENTIALS = {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
# Settings from the user's shell that would send a local client to a real account or elsewhere.
_FOREIGN_VARIABLES = ("AWS_PROFILE", "AWS_DEFAULT_PROFILE", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN")


def endpoint(port: int, host: str = "127.0.0.1") -> str:
    return f"http://{host}:{port}"


def local_environment(aws_port: int, sfn_port: int) -> dict[str, str]:
    """What every process of the stack needs to reach the local services with dummy credentials."""
    return {
        **DUMMY_CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        "AWS_ENDPOINT_URL": endpoint(aws_port),
        "AWS_ENDPOINT_URL_SFN": endpoint(sfn_port),
        "AWS_DISABLE_HOST_PREFIX_INJECTION": "true",
        # moto answers for the local account whatever access key a client signs with.
        "MOTO_ACCOUNT_ID": ACCOUNT_ID,
    }


def apply_environment(env: dict[str, str]) -> None:
    for name in _FOREIGN_VARIABLES:
        os.environ.pop(name, None)
    os.environ.update(env)


def start_moto(port: int) -> ThreadedMotoServer:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    return server


def client(service: str, aws_port: int) -> Any:
    """A new boto3 client for the embedded services, independent of the caller's environment."""
    return _session().client(service, endpoint_url=endpoint(aws_port))


@functools.cache
def _session() -> boto3.session.Session:
    # One session: loading botocore's service models again for every client costs ~0.1 s each.
    return boto3.session.Session(
        aws_access_key_id=DUMMY_CREDENTIALS["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=DUMMY_CREDENTIALS["AWS_SECRET_ACCESS_KEY"],
        region_name=REGION,
    )


def queue_arn(name: str) -> str:
    return f"arn:aws:sqs:{REGION}:{ACCOUNT_ID}:{name}"
