"""Check a response, as the SDK deserialized it, against the SDK's own models.

Every field the simulator sent must be a field of the model (of the subtype its
discriminator names), and every value must have the field's type (a time is a time, a
list a list of the element model, a number a number). The SDK itself is lenient (an
unknown field is kept, a value that does not parse is left raw), so this is what tells a
body that follows the spec from one the SDK merely accepts.
"""

from __future__ import annotations

import enum
import typing

from azure.mgmt.recoveryservicessiterecovery._utils.model_base import Model
import azure.mgmt.recoveryservicessiterecovery.models._models as models_module


def _resolve(annotation):
    if isinstance(annotation, typing.ForwardRef):
        annotation = annotation.__forward_arg__
    if isinstance(annotation, str):
        name = annotation.strip('"').rsplit(".", 1)[-1]
        return getattr(models_module, name, None)
    return annotation


def conforms(value, annotation) -> bool:
    """``value`` has the type ``annotation`` (of a model field)."""
    a = _resolve(annotation)
    if a is None or a is typing.Any:
        return True
    origin = typing.get_origin(a)
    if origin is typing.Union:
        return any(conforms(value, arm) for arm in typing.get_args(a))
    if a is type(None):
        return value is None
    if origin is list:
        (element,) = typing.get_args(a)
        return isinstance(value, list) and all(conforms(v, element) for v in value)
    if origin is dict:
        _, element = typing.get_args(a)
        return isinstance(value, dict) and all(conforms(v, element) for v in value.values())
    if origin is typing.Literal:
        return value in typing.get_args(a)
    if a is bool:
        return isinstance(value, bool)
    if a is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if a is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(a, type) and issubclass(a, enum.Enum):
        # An extensible enum: any string (a value the SDK does not know stays a string).
        return isinstance(value, str)
    if isinstance(a, type):
        return isinstance(value, a)
    return True


def _hints(cls) -> dict:
    hints = {}
    for c in reversed(cls.__mro__):
        for name, annotation in getattr(c, "__annotations__", {}).items():
            if isinstance(annotation, str):
                try:
                    annotation = eval(annotation, vars(models_module))  # noqa: S307 (the SDK's own annotations)
                except Exception:  # an annotation this check cannot read: not checked
                    annotation = None
            hints[name] = annotation
    return hints


def faults(obj, path: str = "", out: list | None = None) -> list:
    """The faults of ``obj`` (a model, or lists and dicts of them), one line each."""
    out = [] if out is None else out
    if isinstance(obj, list):
        for i, v in enumerate(obj):
            faults(v, f"{path}[{i}]", out)
        return out
    if isinstance(obj, dict):
        for k, v in obj.items():
            faults(v, f"{path}.{k}", out)
        return out
    if not isinstance(obj, Model):
        return out
    cls = type(obj)
    hints = _hints(cls)
    fields = {rf._rest_name: attr for attr, rf in cls._attr_to_rest_field.items()}
    for key in obj._data:
        if key not in fields:
            out.append(f"{path}.{key}: not a field of {cls.__name__}")
    for key, attr in fields.items():
        if key not in obj._data:
            continue
        value = getattr(obj, attr)
        annotation = hints.get(attr)
        if annotation is not None and not conforms(value, annotation):
            out.append(f"{path}.{key}: {value!r:.100} is not {annotation} ({cls.__name__})")
        faults(value, f"{path}.{key}", out)
    return out


def check(what: str, *objs) -> None:
    """Fail naming every fault of ``objs`` (models, or lists of them)."""
    found = []
    for i, obj in enumerate(objs):
        faults(obj, f"{what}[{i}]", found)
    assert not found, "\n".join(found)
