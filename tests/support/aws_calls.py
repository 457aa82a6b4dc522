"""Find the AWS API calls each Lambda function of the Chalice app can make, by reading its source.

A static scan (ast). A client is a call ``<anything>.client("service")`` or ``client("service")``
(``boto3.client``, ``session.client``, ``chalicelib.aws.client``), also as ``injected or
client("service")``; a call is a method called on such an expression, on a local name bound to
one, or on ``self.<attr>`` where a method of the class binds that attribute to one. powertools'
``DynamoDBPersistenceLayer`` counts as the DynamoDB item calls it makes.

Calls are attributed to the Lambda handlers that can reach the code making them: app.py's
handlers, then every project function they reference, transitively (a class reaches all its
methods; a function reaches its module's top-level code).
"""
from __future__ import annotations

import ast
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, Union

import botocore.session
from botocore import xform_name

# Objects that call AWS on the code's behalf: constructor name -> (service, methods).
INDIRECT_CALLERS = {
    "DynamoDBPersistenceLayer": ("dynamodb", ("get_item", "put_item", "update_item", "delete_item")),
}
_CHALICE_HANDLER_DECORATORS = {"route", "lambda_function", "on_sqs_message", "on_cw_event", "schedule"}
_API_HANDLER = "api_handler"
_MODULE_BODY = "<module>"
_FunctionNode = Union[ast.FunctionDef, ast.AsyncFunctionDef]


@dataclass(frozen=True)
class AwsCall:
    service: str
    method: str
    location: str

    @property
    def iam_action(self) -> str:
        """``prefix:Operation`` from botocore's service model; KeyError for an unknown method."""
        model = _service_model(self.service)
        operations = {xform_name(name): name for name in model.operation_names}
        prefix = model.metadata.get("signingName") or model.endpoint_prefix
        return f"{prefix}:{operations[self.method]}"


@dataclass
class HandlerScan:
    """What one Lambda function's reachable code does with AWS."""

    calls: list[AwsCall] = field(default_factory=list)
    # Services a client is created for, whether or not a call on it was found.
    client_services: set[str] = field(default_factory=set)


@dataclass
class _Code:
    scan: HandlerScan = field(default_factory=HandlerScan)
    references: set[str] = field(default_factory=set)


@cache
def _service_model(service: str) -> Any:
    return botocore.session.get_session().get_service_model(service)


def scan_handlers(project_dir: Path) -> dict[str, HandlerScan]:
    """Chalice function name (``api_handler`` for the REST API) -> what its code calls."""
    code: dict[str, _Code] = {}
    modules = {"app": project_dir / "app.py"}
    for path in sorted((project_dir / "chalicelib").glob("*.py")):
        modules[f"chalicelib.{path.stem}"] = path
    roots: dict[str, set[str]] = {}
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        _index_module(module, tree, set(modules), code)
        if module == "app":
            for node in tree.body:
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    name = _handler_name(node)
                    if name:
                        roots.setdefault(name, set()).add(f"app.{node.name}")
    return {name: _reachable(names, code) for name, names in roots.items()}


def _reachable(roots: set[str], code: dict[str, _Code]) -> HandlerScan:
    seen: set[str] = set()
    pending = list(roots)
    result = HandlerScan()
    while pending:
        name = pending.pop()
        if name in seen or name not in code:
            continue
        seen.add(name)
        result.calls.extend(code[name].scan.calls)
        result.client_services |= code[name].scan.client_services
        pending.extend(code[name].references)
    return result


def _handler_name(node: _FunctionNode) -> str | None:
    for decorator in node.decorator_list:
        if not (isinstance(decorator, ast.Call) and isinstance(decorator.func, ast.Attribute)):
            continue
        kind = decorator.func.attr
        if kind == "route":
            return _API_HANDLER
        if kind in _CHALICE_HANDLER_DECORATORS:
            names = [k.value for k in decorator.keywords if k.arg == "name"]
            if names and isinstance(names[0], ast.Constant):
                return str(names[0].value)
            return node.name
    return None


def _index_module(
    module: str, tree: ast.Module, known_modules: set[str], code: dict[str, _Code]
) -> None:
    aliases = _imported_names(tree, known_modules)
    body = code.setdefault(f"{module}.{_MODULE_BODY}", _Code())
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            _index_code(f"{module}.{node.name}", node, module, aliases, code)
        elif isinstance(node, ast.ClassDef):
            cls = code.setdefault(f"{module}.{node.name}", _Code())
            attributes = _client_attributes(node)
            for method in node.body:
                if isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    qualified = f"{module}.{node.name}.{method.name}"
                    cls.references.add(qualified)
                    _index_code(qualified, method, module, aliases, code, attributes)
        else:
            _scan(node, f"{module}:{getattr(node, 'lineno', 0)}", body.scan)
            body.references |= _references(node, module, aliases)


def _index_code(
    qualified: str,
    node: ast.AST,
    module: str,
    aliases: dict[str, str],
    code: dict[str, _Code],
    attributes: dict[str, str] | None = None,
) -> None:
    entry = code.setdefault(qualified, _Code())
    _scan(node, qualified, entry.scan, attributes or {})
    entry.references |= _references(node, module, aliases)
    entry.references.add(f"{module}.{_MODULE_BODY}")


def _imported_names(tree: ast.Module, known_modules: set[str]) -> dict[str, str]:
    """Local name -> qualified name, for names bound to the project's modules and functions.

    Imports anywhere in the module count: a handler may import its modules on first use (app.py
    does, to keep every function's cold start short).
    """
    aliases: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module:
            for alias in node.names:
                qualified = f"{node.module}.{alias.name}"
                if qualified in known_modules or node.module in known_modules:
                    aliases[alias.asname or alias.name] = qualified
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name in known_modules:
                    aliases[alias.asname or alias.name] = alias.name
    return aliases


def _references(node: ast.AST, module: str, aliases: dict[str, str]) -> set[str]:
    """Qualified names some code may call: local names, imported names, ``module.attr``."""
    found: set[str] = set()
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            found.add(aliases.get(child.id, f"{module}.{child.id}"))
        elif isinstance(child, ast.Attribute):
            head, _, rest = (_dotted(child) or "").partition(".")
            if head in aliases and rest:
                found.add(f"{aliases[head]}.{rest}")
                # module.Class.method also reaches the class, and so all its methods.
                found.add(f"{aliases[head]}.{rest.split('.')[0]}")
    return found


def _dotted(node: ast.AST) -> str | None:
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    parts.append(node.id)
    return ".".join(reversed(parts))


def _called_name(call: ast.Call) -> str | None:
    func = call.func
    if isinstance(func, ast.Attribute):
        return func.attr
    return func.id if isinstance(func, ast.Name) else None


def _client_service(node: ast.AST) -> str | None:
    """The service of a ``...client("svc")`` expression, also as ``injected or client("svc")``."""
    if isinstance(node, ast.Call) and node.args and _called_name(node) == "client":
        first = node.args[0]
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return first.value
    if isinstance(node, ast.BoolOp):
        return next(filter(None, map(_client_service, node.values)), None)
    if isinstance(node, ast.IfExp):
        return _client_service(node.body) or _client_service(node.orelse)
    return None


def _client_attributes(cls: ast.ClassDef) -> dict[str, str]:
    """``self.<attr>`` -> service, for attributes a method binds to a client expression."""
    found: dict[str, str] = {}
    for child in ast.walk(cls):
        if isinstance(child, ast.Assign):
            service = _client_service(child.value)
            for target in child.targets:
                if service and isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name):
                    if target.value.id == "self":
                        found[target.attr] = service
    return found


def _scan(node: ast.AST, location: str, scan: HandlerScan, attributes: dict[str, str] | None = None) -> None:
    clients: dict[str, str] = {}
    for child in ast.walk(node):
        if isinstance(child, ast.Assign):
            service = _client_service(child.value)
            for target in child.targets:
                if service and isinstance(target, ast.Name):
                    clients[target.id] = service
    for child in ast.walk(node):
        if not isinstance(child, ast.Call):
            continue
        created = _client_service(child)
        if created:
            scan.client_services.add(created)
        if isinstance(child.func, ast.Attribute):
            receiver = child.func.value
            if isinstance(receiver, ast.Name):
                service = clients.get(receiver.id)
            elif isinstance(receiver, ast.Attribute) and _dotted(receiver) == f"self.{receiver.attr}":
                service = (attributes or {}).get(receiver.attr)
            else:
                service = _client_service(receiver)
            if service:
                scan.calls.append(AwsCall(service, child.func.attr, location))
        indirect = INDIRECT_CALLERS.get(_called_name(child) or "")
        if indirect:
            service, methods = indirect
            scan.calls.extend(AwsCall(service, method, location) for method in methods)
