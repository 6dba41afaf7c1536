"""Classify: the rule engine and rule packs.

The names are imported when first used (PEP 562): what only reads the rule packs
(``trustguard rules``) does not import the engine, and through it the report's models.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..messages import render_message
    from .engine import Engine, rule_matches
    from .rulepack import Rule, default_rules, load_rule_pack, load_rules, parse_rule_pack

_WHERE = {
    "Engine": ".engine", "rule_matches": ".engine", "render_message": "..messages",
    **dict.fromkeys(("Rule", "default_rules", "load_rule_pack", "load_rules", "parse_rule_pack"), ".rulepack"),
}

__all__ = [
    "Engine",
    "Rule",
    "default_rules",
    "load_rule_pack",
    "load_rules",
    "parse_rule_pack",
    "render_message",
    "rule_matches",
]


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    globals()[name] = value
    return value
