"""Which values of one list are missing from another, in linear time.

An enum may list 50,000 values; ``[v for v in a if v not in b]`` compares every pair of
them (hours for a hostile spec). Here each list is hashed once instead. Membership keeps
Python's ``==``, as ``in`` on a list has it (``1``, ``1.0`` and ``True`` are one value;
a mapping equals one with the same members in another order; lists compare in order).
"""

from __future__ import annotations

from typing import Any


def missing_from(values: list[Any], other: list[Any]) -> list[Any]:
    """The members of ``values`` not equal to any member of ``other``, in their order
    (repeats kept), as ``[v for v in values if v not in other]`` finds them."""
    keys: set[Any] = set()
    loose: list[Any] = []  # values with no hashable form (none in JSON or YAML): compared one by one
    for value in other:
        key = value_key(value)
        try:
            keys.add(key)
        except TypeError:
            loose.append(value)
    out: list[Any] = []
    for value in values:
        key = value_key(value)
        try:
            found = key in keys
        except TypeError:
            found = False
        if not found and not (loose and value in loose):
            out.append(value)
    return out


def value_key(value: Any) -> Any:
    """A hashable stand-in for a JSON value, equal to another's exactly when the values
    are equal: a mapping becomes the set of its (key, value) pairs, a list a tuple (JSON
    and YAML values hold no tuples or sets of their own, so neither can be confused
    with a stand-in). Nesting is bounded where documents are parsed."""
    kind = type(value)
    if kind is dict:
        return frozenset((k, value_key(v)) for k, v in value.items())
    if kind is list:
        return tuple(value_key(v) for v in value)
    return value
