"""Regenerate the golden outputs (tests/golden/*.json) after a change meant to alter them.

    python tests/golden/regenerate.py            # every group (the corpus ones need the corpus)
    python tests/golden/regenerate.py api terms  # some groups: examples, api, pricing, terms

tests/golden_outputs.py says what is rendered and how the run is pinned; commit the
regenerated files with a message naming the output change that is intended.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/: corpus.py, golden_outputs.py

import corpus
import golden_outputs


def main(argv: list[str]) -> int:
    groups = argv or list(golden_outputs.GROUPS)
    unknown = [g for g in groups if g not in golden_outputs.GROUPS]
    if unknown:
        print(f"unknown group(s) {', '.join(unknown)}: expected {', '.join(golden_outputs.GROUPS)}", file=sys.stderr)
        return 2
    for group in groups:
        if group in golden_outputs.CORPUS_GROUPS and not corpus.PRESENT:
            print(f"{group}: skipped, {corpus.where()}", file=sys.stderr)
            continue
        count = golden_outputs.write(group)
        print(f"{group}: {count} pairs -> {golden_outputs.path_of(group).relative_to(corpus.ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
