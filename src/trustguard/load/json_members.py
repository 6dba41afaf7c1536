"""JSON read member by member, under its former name: it lives in
:mod:`trustguard.parsing.json_members` now, below every stage."""

from __future__ import annotations

from ..parsing.json_members import WHITESPACE, Spans, decode_members

__all__ = ["WHITESPACE", "Spans", "decode_members"]
