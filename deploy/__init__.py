"""CloudFormation for the deployed stack: `python -m deploy.package` (see deploy/package.py)."""
