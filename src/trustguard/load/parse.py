"""The parsing utilities under their former name: they live in :mod:`trustguard.parsing`
now, below every stage. Kept for the modules other branches are still editing (the
pricing, terms and impact code); new code imports trustguard.parsing."""

from __future__ import annotations

from ..parsing.json_text import _json_decoder, equal_members, parse_json, parse_json_against
from ..parsing.locator import Locator
from ..parsing.pointers import escape_token, join_pointer, unescape_pointer
from ..parsing.text import (
    MAX_DEPTH,
    check_depth,
    decode_text,
    looks_like_json,
    refuse_lone_surrogates,
)
from ..parsing.yaml_tree import MAX_ALIAS_EXPANSION, YamlIndex, parse_yaml

__all__ = [
    "MAX_ALIAS_EXPANSION", "MAX_DEPTH", "Locator", "YamlIndex", "_json_decoder", "check_depth", "decode_text",
    "equal_members", "escape_token", "join_pointer", "looks_like_json", "parse_json", "parse_json_against",
    "parse_yaml", "refuse_lone_surrogates", "unescape_pointer",
]
