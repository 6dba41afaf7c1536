"""Classify: the rule engine and rule packs."""

from ..messages import render_message
from .engine import Engine, rule_matches
from .rulepack import Rule, default_rules, load_rule_pack, load_rules, parse_rule_pack

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
