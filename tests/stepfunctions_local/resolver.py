"""A small Resolver for the intrinsic and Choice tests: ``$`` input, ``$$`` context, ``$name`` variables."""
from __future__ import annotations

from typing import Any

from jsonpath_ng import parse

from stepfunctions_local.exceptions import PathNotFound
from stepfunctions_local.types import Resolver


def make_resolver(data: Any, context: Any = None, variables: dict[str, Any] | None = None) -> Resolver:
    variables = variables or {}

    def resolve(path: str) -> Any:
        if path.startswith("$$"):
            document, expression = context, path[1:]
        elif path == "$" or path[1] in ".[":
            document, expression = data, path
        else:
            name, _, rest = path[1:].partition(".")
            if name not in variables:
                raise PathNotFound(path)
            document, expression = variables[name], "$" + ("." + rest if rest else "")
        matches = parse(expression).find(document)
        if not matches:
            raise PathNotFound(path)
        return matches[0].value

    return resolve
