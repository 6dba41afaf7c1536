"""Where the shared corpus is, for the tests marked ``corpus``.

The corpus (real API specs, pricings, terms, oasdiff's cases: tens of MB) is not part of
the repository: it is expected at ``../shared/corpus`` beside the checkout, or wherever
``$TRUSTGUARD_CORPUS`` points. Without it the ``corpus`` tests are skipped (conftest.py),
and the small real pieces copied into ``tests/data`` still test every feature. CI sets
``$TRUSTGUARD_REQUIRE_CORPUS=1`` so that a missing corpus fails the run instead.

Modules that parametrize over the corpus list it through ``collect`` at collection time:
nothing is read when the corpus is absent, so collection never fails on a missing file.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TypeVar

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "tests" / "data"
ENV_PATH = "TRUSTGUARD_CORPUS"
ENV_REQUIRE = "TRUSTGUARD_REQUIRE_CORPUS"
# the folders the corpus tests read; a corpus missing one of them is not usable
PARTS = ("api", "oasdiff", "pricing", "terms")

T = TypeVar("T")


def root() -> Path:
    configured = os.environ.get(ENV_PATH, "").strip()
    return Path(configured).expanduser().resolve() if configured else ROOT.parent / "shared" / "corpus"


CORPUS = root()
MISSING = [part for part in PARTS if not (CORPUS / part).is_dir()]
PRESENT = not MISSING


def required() -> bool:
    return os.environ.get(ENV_REQUIRE, "").strip().lower() not in ("", "0", "false", "no")


def where() -> str:
    """Where the corpus is expected, for the skip line and the CI error."""
    origin = f"${ENV_PATH}" if os.environ.get(ENV_PATH, "").strip() else f"../shared/corpus beside the checkout, or ${ENV_PATH}"
    if not CORPUS.is_dir():
        return f"no corpus at {CORPUS} ({origin})"
    return f"an incomplete corpus at {CORPUS} ({origin}: no {', '.join(f'{part}/' for part in MISSING)})"


def collect(read: Callable[[], Sequence[T]]) -> list[T]:
    """What ``read`` finds in the corpus, or nothing when it is absent (read is not called)."""
    return list(read()) if PRESENT else []


def find(part: str, name: str) -> Path:
    """``part/name`` from the copy in tests/data when there is one, else from the corpus
    (the copies are byte-identical, so a test gives the same result either way)."""
    copy = DATA / part / name
    return copy if copy.exists() else CORPUS / part / name


def copied(part: str, name: str) -> bool:
    return (DATA / part / name).exists()
