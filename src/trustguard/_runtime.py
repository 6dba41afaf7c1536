"""Process-level settings for a run, and how the ``trustguard`` command's process ends.

A process that runs one command and ends need not free what the run built: the kernel
takes the memory back at once. On Stripe's 6-month pair, freeing took ~22 ms of a
~0.44 s check (text): ~10 ms for the two loaded specs and the changes (hundreds of
thousands of objects, freed one by one as ``api._check`` returned) and the report, and
~11 ms for the interpreter's own shutdown (module globals, caches, the rules...). So the
CLI, when it is the process (``python -m trustguard`` or the installed script), asks the
run to leave alive what is slow to free (:func:`leave_to_exit`: the specs' parsed data
and refs, the changes, the report; a spec's text, one block, is still freed at once, so
that rendering reuses its memory: peak RSS stays as it was but for SARIF, 88 -> 95 MB),
and ends with :func:`end_process`: the ``atexit`` handlers run (temporary folders are
removed), the standard streams are flushed, and ``os._exit`` ends the process with the
same code.
Where that cannot be done exactly as the interpreter would (another thread still runs,
a stream cannot be flushed), the interpreter ends the process as usual. A library
caller's run frees its memory as before: nothing is kept unless :func:`keep_until_exit`
was called.
"""

from __future__ import annotations

import atexit
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

#: what runs left to the end of the process instead of freeing it (None: free as usual)
_kept: list[object] | None = None


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


def keep_until_exit() -> None:
    """From now on, what a run hands to :func:`leave_to_exit` stays alive until the process
    ends (for a process that ends right after its one run: the CLI's)."""
    global _kept
    if _kept is None:
        _kept = []


def leave_to_exit(*objects: object) -> None:
    """Keep ``objects`` (a run's large data) alive to the end of the process, when
    :func:`keep_until_exit` asked for it; otherwise nothing (they are freed as usual)."""
    if _kept is not None:
        _kept.extend(objects)


def end_process(code: object) -> None:
    """End the process now with exit ``code``, as the interpreter's exit would end it but
    without its shutdown: the ``atexit`` handlers run, standard output and error are
    flushed, then ``os._exit``. Returns (and the caller ends as usual) when that cannot be
    done exactly: a code that is not a number, another thread still running (the
    interpreter would wait for it), or a stream that cannot be flushed (the interpreter
    says so and exits 120)."""
    if code is None:
        code = 0
    if not isinstance(code, int) or not -(2**31) <= code < 2**31:
        return  # a message (the interpreter prints it and exits 1), or no C int
    threading = sys.modules.get("threading")
    if threading is not None and (threading.active_count() > 1 or getattr(threading, "_threading_atexits", None)):
        return  # the interpreter would wait for the thread (or run what waits for one)
    atexit._run_exitfuncs()  # and clears them: none runs twice if the flush below fails
    try:
        for stream in (sys.stdout, sys.stderr):
            if stream is not None and not getattr(stream, "closed", False):
                stream.flush()
    except (OSError, ValueError):
        return
    os._exit(code)
