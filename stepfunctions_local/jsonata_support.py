"""JSONata for ASL (``QueryLanguage: JSONata``) through jsonata-python.

Expressions are ``{% ... %}`` strings; they see ``$states`` (input, result, errorOutput,
context) and the workflow variables. Compiled once, at create time.
"""
from __future__ import annotations

import hashlib
import json
import random
import re
import uuid
from typing import Any, Callable

import jsonata
from jsonata.jexception import JException
from jsonata.utils import Utils

from .exceptions import DefinitionError, Problem, StateDataError

_ERROR_OUTPUT = re.compile(r"\$states\.errorOutput\b")
_PLACEHOLDER = re.compile(r"\{\{\w+\}\}")
UNDEFINED = object()
_UNSUPPORTED = "UNSUPPORTED_JSONATA_EXPRESSION"
# jsonata-python reads a binding of None as "undefined"; a variable holding JSON null is bound to this.
JSON_NULL = Utils.NULL_VALUE
Bindings = dict
Template = Callable[[Bindings], Any]


def is_expression(value: Any) -> bool:
    return isinstance(value, str) and value.startswith("{%") and value.endswith("%}")


def _hash(value: Any, algorithm: str) -> str:
    names = {"MD5": "md5", "SHA-1": "sha1", "SHA-256": "sha256", "SHA-384": "sha384", "SHA-512": "sha512"}
    if algorithm not in names:
        raise JException(f"Unsupported hash algorithm '{algorithm}'", 0)
    return hashlib.new(names[algorithm], str(value).encode()).hexdigest()


def _partition(items: list, size: int) -> list:
    size = int(size)
    return [list(items[i : i + size]) for i in range(0, len(items), size)]


def _range(start: float, end: float, step: float) -> Any:
    values, current = [], start
    while (step > 0 and current <= end) or (step < 0 and current >= end):
        values.append(current)
        current += step
    # AWS-recorded: a range of one number is that number (a JSONata sequence of one), not a one-item array.
    return values[0] if len(values) == 1 else values


# Step Functions' own JSONata functions ($eval is not available there).
_FUNCTIONS: dict[str, Callable] = {
    "partition": _partition,
    "range": _range,
    "hash": _hash,
    "random": lambda seed=None: random.Random(seed).random() if seed is not None else random.random(),
    "uuid": lambda: str(uuid.uuid4()),
    "parse": lambda text: json.loads(text),
}


def field_name(where: str) -> str:
    """``/States/Foo/Output/a[0]`` -> ``Output/a[0]``: AWS names a field relative to its state."""
    relative = where.rsplit("/States/", 1)[-1]
    return relative.split("/", 1)[1] if "/" in relative else relative


class Expression:
    """One compiled ``{% %}`` expression."""

    def __init__(self, text: str, where: str) -> None:
        self.text = text
        self.where = where
        self.field = field_name(where)
        body = text[2:-2].strip()
        try:
            if not body:
                raise JException("S0207", 0, "(end)")
            self._jsonata = jsonata.Jsonata(body)
        except JException as error:
            raise DefinitionError(Problem("INVALID_JSONATA_EXPRESSION", _parser_message(error), where)) from None
        if _ERROR_OUTPUT.search(body) and "/Catch[" not in where:  # only a catcher has an error to read
            raise DefinitionError(Problem(_UNSUPPORTED, "Field '$states.errorOutput' does not exist.", where))
        names = _top_level_references(self._jsonata.ast)
        if names:  # one diagnostic per name, each at the field
            raise DefinitionError(*(Problem(_UNSUPPORTED, "Reference to '$$' is not supported." if name == "$$" else
                                            f"Reference to '{name}' at the top level is not supported.", where)
                                    for name in names))
        self._jsonata.set_output_convert_nulls(False)
        for name, function in _FUNCTIONS.items():
            self._jsonata.register_lambda(name, function)

    def evaluate(self, bindings: Bindings) -> Any:
        """The value, or ``UNDEFINED`` when the expression returns nothing."""
        try:
            value = self._jsonata.evaluate(None, bindings)
        except (JException, RuntimeError, TypeError, ValueError, ArithmeticError) as error:
            # AWS: "... threw an error during evaluation. T0410: Argument 1 of function ..."
            detail = f"{error.error}: {error}" if isinstance(error, JException) else str(error)
            raise StateDataError(
                "States.QueryEvaluationError",
                f"The JSONata expression '{self.text[2:-2].strip()}' specified for the field '{self.field}' "
                f"threw an error during evaluation. {detail}",
                self.field,
            ) from None
        if value is None:
            return UNDEFINED
        return Utils.convert_nulls(value)


# Children that are evaluated against something other than the expression's input: a step's
# predicates and groupings see the step's value, a lambda body its own arguments.
_RELATIVE_CHILDREN = {"stages", "predicate", "group", "body", "_outer_instance", "position", "id", "value", "type"}


def _top_level_references(node: Any) -> list[str]:
    """Names read from the expression's input (``phone``, ``$.phone``): in ASL there is none, only $states."""
    found: list[str] = []

    def visit(item: Any) -> None:
        if isinstance(item, (list, tuple)):
            for element in item:
                visit(element)
            return
        if not hasattr(item, "type"):
            return
        if item.type == "lambda":
            return
        if item.type == "path" and item.steps:
            visit(item.steps[0])  # the later steps read the value before them
            return
        if item.type == "variable" and item.value in ("", "$"):
            name = "$" + item.value  # JSONata's context item, or its root, $$
        elif item.type == "name":
            name = item.value
        else:
            for key, child in vars(item).items():
                if key not in _RELATIVE_CHILDREN:
                    visit(child)
            return
        if name not in found:
            found.append(name)

    visit(node)
    return found


def _parser_message(error: JException) -> str:
    """JSONata's own wording, which AWS reports without the code: tokens JSON-quoted (``Expected "]", got ","``)."""
    template = JException.error_codes.get(error.error)
    if template is None:
        return str(error)
    values = iter((error.current, error.expected, error.extra))
    return _PLACEHOLDER.sub(lambda match: json.dumps(next(values, None)), template)


def compile_template(value: Any, where: str) -> Template:
    """A JSON value with ``{% %}`` strings anywhere (Arguments, Output, Assign, Items...)."""
    if is_expression(value):
        expression = Expression(value, where)

        def evaluate(bindings: Bindings) -> Any:
            result = expression.evaluate(bindings)
            if result is UNDEFINED:
                raise StateDataError(
                    "States.QueryEvaluationError",
                    f"The JSONata expression '{value[2:-2].strip()}' specified for the field "
                    f"'{expression.field}' returned nothing (undefined).",
                    expression.field,
                )
            return result

        return evaluate
    if isinstance(value, dict):
        fields = [(key, compile_template(item, f"{where}/{key}")) for key, item in value.items()]
        return lambda bindings: {key: item(bindings) for key, item in fields}
    if isinstance(value, list):
        items = [compile_template(item, f"{where}[{i}]") for i, item in enumerate(value)]
        return lambda bindings: [item(bindings) for item in items]
    return lambda bindings: value
