"""JSONPath for ASL: paths, reference paths, ResultPath and payload templates (``.$`` keys).

Everything is compiled once; simple dotted/indexed paths walk the data directly, anything else
(wildcards, filters, slices, ``..``) goes through jsonpath-ng.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from jsonpath_ng.ext import parse as _jsonpath_parse

from .exceptions import ExpressionError, PathNotFound, StateDataError, StatesError, invalid

_ROOT = r"(\$\$|\$[A-Za-z_][A-Za-z0-9_]*|\$)"
_STEP = r"(?:\.[^.\[\]*?@()',\s]+|\[\d+\]|\['[^']*'\]|\[\"[^\"]*\"\])"
_SIMPLE = re.compile(rf"^{_ROOT}({_STEP}*)$")
_STEPS = re.compile(r"\.([^.\[\]*?@()',\s]+)|\[(\d+)\]|\['([^']*)'\]|\[\"([^\"]*)\"\]")
_COMPLEX_ROOT = re.compile(rf"^{_ROOT}(.*)$", re.S)
_INDEFINITE = re.compile(r"\*|\.\.|\?\(|:|,")


def to_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


class Env:
    """What a path can see while a state runs: its input, the context object, the variables."""

    __slots__ = ("input", "context", "variables")

    def __init__(self, input: Any, context: dict, variables: dict) -> None:
        self.input = input
        self.context = context
        self.variables = variables

    def with_input(self, input: Any) -> Env:
        return Env(input, self.context, self.variables)

    def resolve(self, text: str) -> Any:
        """A ``types.Resolver``: the value of a path string; raises PathNotFound."""
        return compile_path(text).get(self)


@dataclass(frozen=True)
class Path:
    """A compiled path; ``get`` returns the selected value or raises PathNotFound."""

    text: str
    root: str  # "input" | "context" | "variable"
    variable: str | None
    steps: tuple[str | int, ...] | None  # None when jsonpath-ng does the work
    matcher: Any = None
    definite: bool = True

    def get(self, env: Env, *, index_miss_is_null: bool = False) -> Any:
        """The selected value. AWS resolves an out-of-range index in a payload template to null."""
        if self.root == "input":
            data = env.input
        elif self.root == "context":
            data = env.context
        else:
            try:
                data = env.variables[self.variable]
            except KeyError:
                raise PathNotFound(self.text) from None
        if self.steps is None:
            found = [match.value for match in self.matcher.find(data)]
            if not self.definite:
                return found
            if not found:
                raise PathNotFound(self.text)
            return found[0]
        for step in self.steps:
            if isinstance(step, str):
                if type(data) is not dict or step not in data:
                    raise PathNotFound(self.text)
            elif type(data) is not list:
                raise PathNotFound(self.text)
            elif step >= len(data):
                if index_miss_is_null:
                    return None
                raise PathNotFound(self.text)
            data = data[step]
        return data


_cache: dict[str, Path] = {}


def compile_path(text: str) -> Path:
    """Compile a Path (``$``, ``$.a[0].b``, ``$$.Execution.Id``, ``$var.x``, ``$.items[?(@.n > 1)]``)."""
    cached = _cache.get(text)
    if cached is not None:
        return cached
    if not isinstance(text, str):
        raise ExpressionError(f"{text!r} is not a JSONPath")
    simple = _SIMPLE.match(text)
    if simple:
        root, variable = _root(simple.group(1))
        steps = tuple(_step(match) for match in _STEPS.finditer(simple.group(2)))
        path = Path(text, root, variable, steps)
    else:
        match = _COMPLEX_ROOT.match(text)
        if not match:
            raise ExpressionError(f"The value '{text}' is not a valid JSONPath")
        root, variable = _root(match.group(1))
        try:
            matcher = _jsonpath_parse("$" + match.group(2))
        except Exception as error:  # jsonpath-ng raises bare Exceptions for syntax errors
            raise ExpressionError(f"The value '{text}' is not a valid JSONPath: {error}") from None
        path = Path(text, root, variable, None, matcher, not _INDEFINITE.search(match.group(2)))
    _cache[text] = path
    return path


def _step(match: re.Match[str]) -> str | int:
    name, index, quoted, double_quoted = match.groups()
    if index is not None:
        return int(index)
    return next(part for part in (name, quoted, double_quoted) if part is not None)


def compile_reference_path(text: str) -> Path:
    """A Reference Path: one node, only names and indices (ResultPath, ItemsPath, Variable...)."""
    path = compile_path(text)
    if path.steps is None:
        raise ExpressionError(f"The value '{text}' is not a valid Reference Path")
    return path


def _root(token: str) -> tuple[str, str | None]:
    if token == "$":
        return "input", None
    if token == "$$":
        return "context", None
    return "variable", token[1:]


def select(path: Path | None, env: Env, field: str) -> Any:
    """InputPath/OutputPath: ``None`` (JSON null) gives ``{}``; a miss is States.Runtime."""
    if path is None:
        return {}
    if path.steps == ():
        return env.input if path.root == "input" else path.get(env)
    try:
        return path.get(env)
    except PathNotFound:
        raise StateDataError("States.Runtime", f"Invalid path '{path.text}' : {_miss(path, env)}") from None


def _miss(path: Path, env: Env) -> str:
    """Why ``path`` selected nothing, in AWS's (Jayway JsonPath's) words: an object without a property
    before the last step is "Missing property in path" up to it (AWS-recorded), else "No results for path"."""
    if path.steps is not None and path.root == "input":
        data = env.input
        for depth, step in enumerate(path.steps[:-1]):
            if isinstance(step, str):
                if type(data) is not dict:
                    break
                if step not in data:
                    return f"Missing property in path {_bracketed(path.steps[:depth + 1])}"
                data = data[step]
            elif type(data) is list and step < len(data):
                data = data[step]
            else:
                break
    return f"No results for path: {path.text if path.steps is None else _bracketed(path.steps)}"


def _bracketed(steps: tuple[str | int, ...]) -> str:
    return "$" + "".join(f"[{step}]" if isinstance(step, int) else f"['{step}']" for step in steps)


def apply_result_path(path: Path | None, input: Any, result: Any) -> Any:
    """ResultPath: put ``result`` into a copy of ``input`` (copying only along the path)."""
    if path is None:
        return input
    if not path.steps:
        return result
    try:
        return _put(input, path.steps, result)
    except (TypeError, IndexError):
        raise StateDataError(
            "States.ResultPathMatchFailure",
            f"Unable to apply ReferencePath {path.text} to input {to_json(input)}",
        ) from None


def _put(node: Any, steps: tuple[str | int, ...], value: Any) -> Any:
    step, rest = steps[0], steps[1:]
    if isinstance(step, str):
        if type(node) is not dict:
            raise TypeError(step)
        copy = dict(node)
        copy[step] = _put(node.get(step, {}), rest, value) if rest else value
        return copy
    if type(node) is not list:
        raise TypeError(step)
    items = list(node)
    items[step] = _put(node[step], rest, value) if rest else value
    return items


Template = Callable[[Env], Any]


def compile_template(value: Any, where: str, *, dynamic: bool = True) -> Template:
    """A payload template (Parameters, ResultSelector, ItemSelector, Assign...).

    Keys ending in ``.$`` take a path or an intrinsic function. Every container is rebuilt on
    each evaluation, so no two executions ever share mutable data.
    """
    if isinstance(value, dict):
        fields: list[tuple[str, Template]] = []
        for key, item in value.items():
            if dynamic and isinstance(key, str) and key.endswith(".$"):
                fields.append((key[:-2], compile_dynamic(key, item, where)))
            else:
                fields.append((key, compile_template(item, f"{where}/{key}", dynamic=dynamic)))
        def build(env: Env) -> dict:  # a loop, not a comprehension: one frame per object (Python 3.11)
            built = {}
            for key, field in fields:
                built[key] = field(env)
            return built

        return build
    if isinstance(value, list):
        items = [compile_template(item, f"{where}[{i}]", dynamic=dynamic) for i, item in enumerate(value)]
        return lambda env: [item(env) for item in items]
    return lambda env: value


def compile_dynamic(key: str, text: Any, where: str) -> Template:
    """A ``.$`` field; ``where`` is the object holding it, which is where AWS points its errors."""
    if not isinstance(text, str):
        raise invalid(f"The value for the field '{key}' must be a STRING that contains a JSONPath or an intrinsic "
                      "function", where)
    from . import intrinsics  # sibling module, imported late so paths stays importable on its own

    if intrinsics.is_intrinsic(text):
        try:
            function = intrinsics.compile_intrinsic(text)
        except ExpressionError as error:
            # the parser's detail belongs to the message; the location stays a path
            raise invalid(f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function "
                          f"call: {error.message}", where) from None

        def call(env: Env) -> Any:
            try:
                return function.evaluate(env.resolve)
            except PathNotFound as error:
                raise StateDataError(
                    "States.Runtime",
                    f"The function '{text}' had the following error: The JsonPath argument for the field "
                    f"'{error.path}' could not be found in the input '{to_json(_source(error.path, env))}'",
                ) from None
            except StateDataError:
                raise
            except StatesError as error:
                raise StateDataError(error.error, error.cause) from None

        return call
    if not text.startswith("$"):
        raise invalid(f"The value for the field '{key}' must be a valid JSONPath or a valid intrinsic function call",
                      where)
    path = compile_path(text)
    if path.steps == () and path.root == "input":  # "$": the input itself, which is always there
        return _whole_input

    def lookup(env: Env) -> Any:
        try:
            return path.get(env, index_miss_is_null=True)
        except PathNotFound:
            raise StateDataError(
                "States.Runtime",
                f"The JSONPath '{text}' specified for the field '{key}' could not be found in the input "
                f"'{to_json(_source(text, env))}'",
            ) from None

    return lookup


def _whole_input(env: Env) -> Any:
    return env.input


def _source(text: str, env: Env) -> Any:
    return env.context if text.startswith("$$") else env.input
