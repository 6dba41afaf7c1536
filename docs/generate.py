"""Regenerate the rule documentation from the rule packs: python docs/generate.py

docs/rules.md is written whole; docs/oasdiff.md between its GENERATED markers.
tests/test_docs.py fails when either is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from trustguard.api import rules_for
from trustguard.report.rules import render_oasdiff_differences, render_rules

DOCS = Path(__file__).resolve().parent
START, END = "<!-- GENERATED: trustguard rules differences -->", "<!-- END GENERATED -->"


def expected() -> dict[Path, str]:
    rules = rules_for()
    oasdiff = (DOCS / "oasdiff.md").read_text(encoding="utf-8")
    head, _, rest = oasdiff.partition(START)
    _, _, tail = rest.partition(END)
    return {
        DOCS / "rules.md": render_rules(rules, "markdown"),
        DOCS / "oasdiff.md": f"{head}{START}\n{render_oasdiff_differences(rules)}{END}{tail}",
    }


def main() -> int:
    for path, text in expected().items():
        path.write_text(text, encoding="utf-8")
        print(f"wrote {path.relative_to(DOCS.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
