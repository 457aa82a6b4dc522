"""Package one stage as CloudFormation (SAM): `python -m deploy.package --stage dev --out out`.

Runs `chalice package` in-process with deploy/resources.yaml merged in, after filling in what
only exists at package time: the state machine definitions, read from statemachine/*.asl.json,
the stage, the default of the AllowedOrigin parameter (the stage's ALLOWED_ORIGIN), and X-Ray on
the REST API and state machines (Chalice turns the stage's `xray` setting into Lambda tracing
only). Writes `<out>/<stage>/sam.json` and `deployment.zip`; needs no AWS account.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any, Iterator, Mapping, Sequence

import yaml
from chalice.cli.factory import CLIFactory

PROJECT_DIR = Path(__file__).resolve().parent.parent
MERGE_TEMPLATE = Path(__file__).resolve().with_name("resources.yaml")
TEMPLATE_NAME = "sam.json"
# Logical id -> definition file, relative to the project.
STATE_MACHINE_DEFINITIONS = {
    "ContactFormStateMachine": "statemachine/contact_form.asl.json",
    "ParentStateMachine": "statemachine/parent.asl.json",
}
# Distributions the Lambda Python runtime already provides; aws-xray-sdk pulls botocore (16 MB)
# into the zip otherwise. Top-level names in the zip, and the prefixes of their dist-info folders.
RUNTIME_PROVIDED = ("boto3", "botocore", "s3transfer", "jmespath", "dateutil", "python_dateutil", "urllib3", "six")
# Top-level keys of resources.yaml that only hold YAML anchors.
_ANCHOR_PREFIX = "x-"


def merge_template(
    stage: str, tracing: bool, project_dir: Path = PROJECT_DIR, allowed_origin: str | None = None
) -> dict[str, Any]:
    """deploy/resources.yaml completed for one stage, ready for Chalice's --merge-template."""
    template = yaml.safe_load(MERGE_TEMPLATE.read_text(encoding="utf-8"))
    for key in [key for key in template if key.startswith(_ANCHOR_PREFIX)]:
        del template[key]
    template["Parameters"]["Stage"].update(Default=stage, AllowedValues=[stage])
    if allowed_origin:
        # The stage's configured origin is only the default: each stack chooses its own.
        template["Parameters"]["AllowedOrigin"]["Default"] = allowed_origin
    resources = template["Resources"]
    for logical_id, path in STATE_MACHINE_DEFINITIONS.items():
        properties = resources[logical_id]["Properties"]
        properties["Definition"] = json.loads((project_dir / path).read_text(encoding="utf-8"))
        properties["TracingConfiguration"] = {"Enabled": tracing}
    resources.setdefault("RestAPI", {}).setdefault("Properties", {})["TracingEnabled"] = tracing
    return template


def package(stage: str, out: Path, project_dir: Path = PROJECT_DIR) -> Path:
    """Write `<out>/<stage>/` and return the path of its template."""
    factory = CLIFactory(project_dir=str(project_dir))
    config = factory.create_config_obj(chalice_stage_name=stage)
    stage_dir = out / stage
    # The app reads settings while Chalice builds the API (e.g. the CORS origin of the
    # preflight answer), so it sees its stage's environment, as under `chalice local`.
    with _environment(config.environment_variables), tempfile.TemporaryDirectory() as scratch:
        merge_file = Path(scratch) / "merge.json"
        merge_file.write_text(
            json.dumps(merge_template(
                stage, bool(config.xray_enabled), project_dir, config.environment_variables.get("ALLOWED_ORIGIN")
            )),
            encoding="utf-8",
        )
        packager = factory.create_app_packager(
            config,
            factory.create_package_options(),
            package_format="cloudformation",
            template_format="json",
            merge_template=str(merge_file),
        )
        packager.package_app(config, str(stage_dir), stage)
    strip_runtime_provided(stage_dir / "deployment.zip")
    return stage_dir / TEMPLATE_NAME


def strip_runtime_provided(zip_path: Path) -> None:
    """Rewrite the Lambda zip without the distributions the Lambda runtime has already."""
    def provided(name: str) -> bool:
        top = name.split("/", 1)[0].removesuffix(".py")
        return top in RUNTIME_PROVIDED or (
            top.endswith((".dist-info", ".data")) and top.split("-", 1)[0] in RUNTIME_PROVIDED
        )

    stripped = zip_path.with_suffix(".tmp")
    with zipfile.ZipFile(zip_path) as source, zipfile.ZipFile(stripped, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if not provided(info.filename):
                target.writestr(info, source.read(info))
    stripped.replace(zip_path)


@contextlib.contextmanager
def _environment(variables: Mapping[str, str]) -> Iterator[None]:
    saved = dict(os.environ)
    os.environ.update(variables)
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(saved)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m deploy.package", description=__doc__)
    parser.add_argument("--stage", default="dev", help="Chalice stage (default: dev)")
    parser.add_argument("--out", type=Path, default=Path("out"), help="output root (default: out)")
    args = parser.parse_args(argv)
    # Chalice asks botocore for the region's partition and service principals: no call is made.
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = package(args.stage, args.out)
    print(template)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
