"""Reading regular files only, under its former name: it lives in
:mod:`trustguard.parsing.regular` now. Kept for the modules other branches are editing."""

from __future__ import annotations

from ..parsing.regular import MAX_INPUT_BYTES, mib, open_regular, read_bounded, read_regular

__all__ = ["MAX_INPUT_BYTES", "mib", "open_regular", "read_bounded", "read_regular"]
