"""Process-level settings for a run."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def no_gc_pauses() -> Iterator[None]:
    """Pause the cyclic garbage collector while a run builds its (acyclic) data.

    A large spec pair or a million log lines allocate millions of containers that live
    until the report is done; the collector would re-scan all of them again and again
    and find nothing to free (docs/performance.md has the figures). Reference counting
    still frees memory as usual. Let the large inputs go before the block ends: the
    collection that follows its end walks every container still alive that the block made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
