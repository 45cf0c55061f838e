"""Comparing the contenders' JSON as Connex would read it.

Both documents are parsed with ``json.loads(parse_float=Decimal)``, so money
compares exactly and ``2``, ``2.0`` and ``2.0000`` are the same quantity, as
they are to Json.NET's ``decimal``. Types are otherwise strict: ``true`` is not
``1`` and ``"5"`` is not ``5``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any


def parse(document: bytes) -> Any:
    """The document's value, numbers with a fraction or exponent as :class:`~decimal.Decimal`."""
    return json.loads(document, parse_float=Decimal)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | Decimal) and not isinstance(value, bool)


def first_difference(left: Any, right: Any, path: str = "$") -> str | None:
    """Where ``left`` and ``right`` first differ, as ``path: left != right``; ``None`` when equal."""
    if _is_number(left) and _is_number(right):
        return None if left == right else f"{path}: {left!r} != {right!r}"
    if type(left) is not type(right):
        return f"{path}: {left!r} ({type(left).__name__}) != {right!r} ({type(right).__name__})"
    if isinstance(left, dict):
        missing = [key for key in left if key not in right]
        extra = [key for key in right if key not in left]
        if missing or extra:
            return f"{path}: keys only on the left {missing}, only on the right {extra}"
        for key in left:
            found = first_difference(left[key], right[key], f"{path}.{key}")
            if found:
                return found
        return None
    if isinstance(left, list):
        for index, (a, b) in enumerate(zip(left, right, strict=False)):
            found = first_difference(a, b, f"{path}[{index}]")
            if found:
                return found
        if len(left) != len(right):
            return f"{path}: {len(left)} items != {len(right)} items"
        return None
    return None if left == right else f"{path}: {left!r} != {right!r}"
