"""A state's data flow, compiled for its query language.

JSONPath: InputPath -> Parameters -> work -> Assign (on the raw result) -> ResultSelector ->
ResultPath -> OutputPath. JSONata: Arguments -> work -> Assign / Output over ``$states``.
The compiler picks one class per state; handlers call the same methods whichever it is.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from . import paths
from .exceptions import StateDataError
from .jsonata_support import JSON_NULL

if TYPE_CHECKING:
    from .specs import Catcher, ChoiceRule, Template, Value


class Scope(paths.Env):
    """What a state's fields can see while it runs.

    For JSONPath it is the paths' ``Env`` itself (``input`` is the input after InputPath); for
    JSONata, ``bindings`` holds ``$states`` and the variables. ``raw`` is the state's input.
    One object per state: it is made on every state entered.
    """

    __slots__ = ("raw", "bindings")

    def __init__(self, input: Any, context: dict, variables: dict, raw: Any, bindings: dict | None = None) -> None:
        self.input = input
        self.context = context
        self.variables = variables
        self.raw = raw
        self.bindings = bindings


def jsonata_bindings(raw: Any, context: dict, variables: dict, **states: Any) -> dict:
    bindings = {name: JSON_NULL if value is None else value for name, value in variables.items()}
    bindings["states"] = {"input": raw, "context": context, **states}
    return bindings


class DataFlow(Protocol):
    def enter(self, raw: Any, context: dict, variables: dict) -> Scope:
        """The scope the state's fields are evaluated in."""

    def effective_input(self, scope: Scope) -> Any:
        """What the state works on: InputPath + Parameters, or Arguments (the raw input without)."""

    def finish(self, scope: Scope, result: Any) -> tuple[Any, dict | None]:
        """A result (Task, Parallel, Map) to (output, assigned variables)."""

    def leave(self, scope: Scope, rule: ChoiceRule | None = None) -> tuple[Any, dict | None]:
        """A state without a result (Choice, Wait, Succeed): (output, assigned); a Choice rule's own."""

    def pass_result(self, scope: Scope, result: Template | None) -> tuple[Any, dict | None]:
        """A Pass state's (output, assigned)."""

    def item_input(self, scope: Scope, selector: Template, effective: Any, item_context: dict) -> Any:
        """A Map iteration's input through ItemSelector."""

    def template(self, template: Template, scope: Scope) -> Any:
        """Evaluate any other template of the state (e.g. BatchInput)."""

    def catch(self, catcher: Catcher, raw: Any, context: dict, variables: dict,
              error_output: dict) -> tuple[Any, dict | None]:
        """A matched catcher's (output, assigned)."""

    def not_an_array(self, items: Any, source: Value | None, kind: str) -> StateDataError:
        """The failure when a Map's items are not a JSON array."""


@dataclass(frozen=True)
class JsonPathFlow:
    input_path: paths.Path | None = None
    parameters: Template | None = None
    result_selector: Template | None = None
    result_path: paths.Path | None = None
    output_path: paths.Path | None = None
    assign: Template | None = None
    # Settled once (every state entered asks): InputPath "$" keeps the input as it is; with no Assign,
    # ResultSelector, ResultPath "$" and OutputPath "$", the output is the result itself.
    _input_kept: bool = field(init=False, repr=False, compare=False)
    _result_kept: bool = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_input_kept", _is_dollar(self.input_path))
        object.__setattr__(self, "_result_kept", self.assign is None and self.result_selector is None
                           and _is_dollar(self.result_path) and _is_dollar(self.output_path))

    def enter(self, raw: Any, context: dict, variables: dict) -> Scope:
        scope = Scope(raw, context, variables, raw)
        if not self._input_kept:
            scope.input = paths.select(self.input_path, scope, "InputPath")
        return scope

    def effective_input(self, scope: Scope) -> Any:
        return scope.input if self.parameters is None else self.parameters(scope)

    def finish(self, scope: Scope, result: Any) -> tuple[Any, dict | None]:
        if self._result_kept:
            return result, None
        context, variables = scope.context, scope.variables
        assigned = self.assign(paths.Env(result, context, variables)) if self.assign is not None else None
        if self.result_selector is not None:
            result = self.result_selector(paths.Env(result, context, variables))
        output = paths.apply_result_path(self.result_path, scope.raw, result)
        if not _is_dollar(self.output_path):  # "$" keeps the output as it is
            output = paths.select(self.output_path, paths.Env(output, context, variables), "OutputPath")
        if assigned:
            variables.update(assigned)
        return output, assigned

    def leave(self, scope: Scope, rule: ChoiceRule | None = None) -> tuple[Any, dict | None]:
        assign = self.assign if rule is None else rule.assign
        assigned = assign(scope) if assign is not None else None
        output = paths.select(self.output_path, scope, "OutputPath")
        if assigned:
            scope.variables.update(assigned)
        return output, assigned

    def pass_result(self, scope: Scope, result: Template | None) -> tuple[Any, dict | None]:
        if result is not None:
            return self.finish(scope, result(None))
        return self.finish(scope, scope.input if self.parameters is None else self.parameters(scope))

    def item_input(self, scope: Scope, selector: Template, effective: Any, item_context: dict) -> Any:
        return selector(paths.Env(effective, item_context, scope.variables))

    def template(self, template: Template, scope: Scope) -> Any:
        return template(scope)

    def catch(self, catcher: Catcher, raw: Any, context: dict, variables: dict,
              error_output: dict) -> tuple[Any, dict | None]:
        assigned = catcher.assign(paths.Env(error_output, context, variables)) if catcher.assign else None
        output = paths.apply_result_path(catcher.result_path, raw, error_output)
        if assigned:
            variables.update(assigned)
        return output, assigned

    def not_an_array(self, items: Any, source: Value | None, kind: str) -> StateDataError:
        return StateDataError("States.Runtime", f"Items of the Map state must be a JSON array, but was '{kind}' "
                                                f"for value: {paths.to_json(items)}")


def _is_dollar(path: paths.Path | None) -> bool:
    """The path "$" (the whole input); None stands for JSON null, which selects nothing."""
    return path is not None and path.steps == () and path.root == "input"


@dataclass(frozen=True)
class JsonataFlow:
    arguments: Template | None = None
    output: Template | None = None
    assign: Template | None = None

    def enter(self, raw: Any, context: dict, variables: dict) -> Scope:
        return Scope(raw, context, variables, raw, jsonata_bindings(raw, context, variables))

    def effective_input(self, scope: Scope) -> Any:
        return scope.raw if self.arguments is None else self.arguments(scope.bindings)

    def finish(self, scope: Scope, result: Any) -> tuple[Any, dict | None]:
        assert scope.bindings is not None  # made by enter(), as every scope of a JSONata state
        scope.bindings["states"]["result"] = result
        return self._out(scope, self.assign, self.output, result)

    def leave(self, scope: Scope, rule: ChoiceRule | None = None) -> tuple[Any, dict | None]:
        if rule is None:
            return self._out(scope, self.assign, self.output, scope.raw)
        return self._out(scope, rule.assign, rule.output, scope.raw)

    def pass_result(self, scope: Scope, result: Template | None) -> tuple[Any, dict | None]:
        return self.leave(scope)

    def item_input(self, scope: Scope, selector: Template, effective: Any, item_context: dict) -> Any:
        return selector(jsonata_bindings(scope.raw, item_context, scope.variables))

    def template(self, template: Template, scope: Scope) -> Any:
        return template(scope.bindings)

    def catch(self, catcher: Catcher, raw: Any, context: dict, variables: dict,
              error_output: dict) -> tuple[Any, dict | None]:
        bindings = jsonata_bindings(raw, context, variables, errorOutput=error_output)
        assigned = catcher.assign(bindings) if catcher.assign else None
        output = catcher.output(bindings) if catcher.output else error_output
        if assigned:
            variables.update(assigned)
        return output, assigned

    def not_an_array(self, items: Any, source: Value | None, kind: str) -> StateDataError:
        if source is None:
            return StateDataError("States.QueryEvaluationError",
                                  f"Map state input must be an array but was: {paths.to_json(items)}")
        return StateDataError("States.QueryEvaluationError",
                              f"The JSONata expression '{source.source}' specified for the field "
                              f"'Items' returned an unexpected result type. Expected 'array', but was '{kind}' "
                              f"for value: {paths.to_json(items)}", "Items")

    @staticmethod
    def _out(scope: Scope, assign: Template | None, output: Template | None, default: Any) -> tuple[Any, dict | None]:
        bindings = scope.bindings
        assigned = assign(bindings) if assign is not None else None
        value = output(bindings) if output is not None else default
        if assigned:
            scope.variables.update(assigned)
        return value, assigned
