"""Where a config's settings are written: the line of a key (a JSON pointer), in a YAML
file (from the project's YAML position index) or in ``pyproject.toml`` (by its tables)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class ConfigSource:
    """A config file's text, to find the line of a key (JSON pointer)."""

    file: str
    fmt: str  # "yaml" or "toml"
    text: str
    index: Any = None  # the YamlIndex of a YAML file
    spelled: dict[str, str] = field(default_factory=dict)  # top-level key -> as written (fail-on)
    settings: dict[str, Any] = field(default_factory=dict)  # the settings as the file has them

    def line(self, pointer: str) -> int | None:
        tokens = pointer.split("/")[1:]
        if tokens:
            tokens[0] = self.spelled.get(tokens[0], tokens[0])
        if self.fmt == "yaml":
            from .parsing.locator import Locator

            found = Locator(self.text, "yaml", self.index).position("/" + "/".join(tokens))
            return found[0] if found else None
        return _toml_line(self.text, tokens)


# linear on any line (a hostile pyproject.toml may hold a long one): no nested repeats
_TOML_HEADER = re.compile(r"\s*\[\[?([^\]]*)\]")


def _toml_key(key: str) -> re.Pattern[str]:
    k = re.escape(key)
    return re.compile(rf"^\s*(?:{k}|\"{k}\"|'{k}')\s*=")


def _toml_line(text: str, tokens: list[str]) -> int | None:
    """The line of a key of ``[tool.trustguard]`` (a best effort: TOML parsers give no
    positions). Tables ``[tool.trustguard.X]`` and ``[[tool.trustguard.X]]`` are followed."""
    lines = text.splitlines()
    sections: list[tuple[int, str]] = []  # (line index, table name), in order
    for number, line in enumerate(lines):
        match = _TOML_HEADER.match(line)
        if match:
            sections.append((number, "".join(match.group(1).split()).replace('"', "")))
    sections.append((len(lines), ""))

    def body(name: str, nth: int = 0) -> tuple[int, int] | None:
        seen = 0
        for i, (start, table) in enumerate(sections[:-1]):
            if table == name:
                if seen == nth:
                    return start, sections[i + 1][0]
                seen += 1
        return None

    def find(span: tuple[int, int], key: str) -> int | None:
        pattern = _toml_key(key)
        for number in range(span[0] + 1, span[1]):
            if pattern.match(lines[number]):
                return number + 1
        return None

    top = body("tool.trustguard")
    best = top[0] + 1 if top else None
    if not tokens:
        return best
    first, rest = tokens[0], tokens[1:]
    at_top = find(top, first) if top else None
    best = at_top or best
    if rest and rest[0].isdigit():
        table = body(f"tool.trustguard.{first}", int(rest[0]))
        if table is not None:
            best = table[0] + 1
            if len(rest) > 1:
                best = find(table, rest[1]) or best
        return best
    table = body(f"tool.trustguard.{first}")
    if table is not None:
        best = at_top or table[0] + 1
        if rest:
            best = find(table, rest[0]) or best
    return best


def dotted_key(pointer: str) -> str:
    """``/waivers/2/rule`` as ``waivers[2].rule``."""
    out = ""
    for token in pointer.split("/")[1:]:
        if token.isdigit():
            out += f"[{token}]"
        else:
            out += f".{token}" if out else token
    return out or "the config"
