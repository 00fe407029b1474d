"""Resource fields from environment variables, the Dagster way (one home for every resource).

A resource declares which variable sets which of its fields (``ENV``); :meth:`EnvConfigured.from_env`
builds it with a ``dg.EnvVar`` for each text field and ``dg.EnvVar.int`` for each whole number whose
variable is set: Dagster reads those when a run launches (not when the code location loads) and the
UI's resource page shows the field as "from NAME" without its value. A field whose variable is unset
keeps its default, shown in the UI. Fields an ``EnvVar`` cannot carry (decimal numbers, comma lists)
take the variable's text, which the resource's own pydantic validation parses, naming the field.

Validation is the resource's (pydantic ``field_validator``s): a value behind an ``EnvVar`` is checked
when the run resolves it, a literal one when the definitions load.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar, Self, TypeVar

import dagster as dg
from dagster._config.field_utils import IntEnvVar


def is_env_var(value: object) -> bool:
    """An unresolved ``EnvVar``/``EnvVar.int`` (its value is read at launch): validators pass it through."""
    return isinstance(value, (dg.EnvVar, IntEnvVar))


def variable_text(variable: str) -> str:
    """A variable's text, for a field an ``EnvVar`` cannot carry (the resource validates it)."""
    return os.environ[variable]


def comma_list(value: Any) -> Any:
    """``"a,b"`` (a variable's text) -> ``["a", "b"]``; a list stays as it is."""
    return [part for part in value.split(",") if part] if isinstance(value, str) else value


class EnvConfigured:
    """Mixed into a ConfigurableResource: ``ENV`` maps its fields to the variables that set them."""

    ENV: ClassVar[dict[str, str]] = {}

    @classmethod
    def env_fields(cls) -> dict[str, Any]:
        fields: dict[str, Any] = {}
        for name, variable in cls.ENV.items():
            if not cls.has(variable):
                continue  # unset (or empty): the field's default
            kind = cls.model_fields[name].annotation  # type: ignore[attr-defined]
            if kind is str:
                fields[name] = dg.EnvVar(variable)
            elif kind is int:
                fields[name] = dg.EnvVar.int(variable)
            else:
                fields[name] = variable_text(variable)
        return fields

    @staticmethod
    def has(variable: str) -> bool:
        """The variable is set to something (an empty one counts as unset)."""
        return bool(os.environ.get(variable))

    @classmethod
    def from_env(cls, **fields: Any) -> Self:
        """The resource with its ``ENV`` fields (explicit ``fields`` win)."""
        return cls(**{**cls.env_fields(), **fields})


R = TypeVar("R", bound=dg.ConfigurableResource)


def resolved(resource: R) -> R:
    """The resource as a run gets it (EnvVars read, validated): for a command using it directly."""
    with dg.build_resources({"resource": resource}) as built:
        return built.resource
