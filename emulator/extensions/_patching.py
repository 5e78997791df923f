"""How an extension patches moto: a list of patches, each installed once and marked as the extension's.

An extension lists its patches as ``Patch(owner, name, make)``: ``owner.name`` (an attribute of a class or a module)
becomes ``make(current)``, where ``current`` is what is there now (moto's function, another extension's wrapper
around it, or None when moto has none). ``make`` is a wrapper factory (``functools.wraps`` keeps ``current`` as
``__wrapped__``) or ``added(value)`` for what moto lacks.

``install(extension, patches)`` marks every replacement with ``emulator_extension = <the extension's module name>``
(a property: its getter) and leaves alone what is already the extension's. Several extensions may wrap one moto
method (``WRAP_ORDER`` in ``emulator/extensions/__init__.py``), so a patch counts as installed when the extension's
mark is anywhere in the chain of ``__wrapped__`` from the outermost wrapper down to moto's function.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, NamedTuple

MARKER = "emulator_extension"


class Patch(NamedTuple):
    owner: Any
    name: str
    make: Callable[[Any], Any]


def added(value: Any) -> Callable[[Any], Any]:
    """``Patch.make`` for an attribute moto lacks, or whose own version is replaced rather than wrapped."""
    return lambda _current: value


def _carrier(value: Any) -> Any:
    return value.fget if isinstance(value, property) else value


def mark(value: Any, extension: str) -> Any:
    setattr(_carrier(value), MARKER, extension)
    return value


def is_ours(value: Any, extension: str) -> bool:
    """Whether ``value``, or a function it wraps, is ``extension``'s."""
    value = _carrier(value)
    while value is not None:
        if getattr(value, MARKER, None) == extension:
            return True
        value = getattr(value, "__wrapped__", None)
    return False


def installed(extension: str, patches: Iterable[Patch]) -> bool:
    return all(is_ours(getattr(patch.owner, patch.name, None), extension) for patch in patches)


def install(extension: str, patches: Iterable[Patch]) -> None:
    """Put each patch in place unless it is there already (safe to call more than once)."""
    for patch in patches:
        current = getattr(patch.owner, patch.name, None)
        if not is_ours(current, extension):
            setattr(patch.owner, patch.name, mark(patch.make(current), extension))
