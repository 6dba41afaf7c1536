"""Regular expressions written by someone else: matched by RE2, in time linear in the text.

In CI the config, the command line of a workflow and the spec all come from the pull
request, and a backtracking engine (Python's ``re``) can be made to run for hours by one
pattern (``^/(a+)+$`` against ``/aaaa…a!``). Every pattern trustguard takes from its
input -- ``re:`` path filters, ``exclude_extensions``, a schema ``pattern`` checked under
``--validate`` -- is run by RE2 instead, which never backtracks.

One behaviour, no fallback: a pattern is accepted when both Python's ``re`` (the syntax
trustguard documents) and RE2 read it. What RE2 cannot run without backtracking --
backreferences, lookarounds, atomic groups, possessive quantifiers -- is refused with
the reason, never run slowly. Matching differs from ``re`` in small ways: ``\\d``, ``\\w``,
``\\s`` and ``\\b`` are ASCII, and ``$`` matches at the very end only (``re`` also before
a final newline).

RE2 (the ``google-re2`` binding, ~2 ms to import) is imported with the first pattern: a
check whose config and spec hold none never needs it.
"""

from __future__ import annotations

import functools
import re
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from types import ModuleType


@functools.lru_cache(maxsize=1)
def _re2() -> tuple[ModuleType, Any]:
    """The RE2 module and the options every pattern is compiled with."""
    import re2

    options = re2.Options()
    options.log_errors = False  # RE2 would print each refusal on stderr itself
    return re2, options


# What RE2 says it cannot read -> the construct, in words a pattern's author knows, and
# whether it is one only a backtracking engine can run (else RE2 merely spells it otherwise).
_UNSUPPORTED = (
    ("invalid perl operator: (?=", "a lookahead (?=...)", True),
    ("invalid perl operator: (?!", "a negative lookahead (?!...)", True),
    ("invalid perl operator: (?<=", "a lookbehind (?<=...)", True),
    ("invalid perl operator: (?<!", "a negative lookbehind (?<!...)", True),
    ("invalid perl operator: (?>", "an atomic group (?>...)", True),
    ("invalid perl operator: (?P", "a backreference (?P=name)", True),  # (?P<name>...) is read
    ("invalid perl operator: (?(", "a conditional group (?(...)...)", True),
    ("bad repetition operator: *+", "a possessive quantifier (*+)", True),
    ("bad repetition operator: ++", "a possessive quantifier (++)", True),
    ("bad repetition operator: ?+", "a possessive quantifier (?+)", True),
    ("invalid perl operator: (?#", "a comment group (?#...)", False),
    ("invalid perl operator: (?x", "verbose mode (?x)", False),
    ("invalid perl operator: (?a", "the inline flag (?a)", False),
    ("invalid perl operator: (?u", "the inline flag (?u)", False),
    ("invalid perl operator: (?L", "the inline flag (?L)", False),
    ("invalid repetition size", "a repetition count above 1000 (nested counts multiply)", False),
    ("pattern too large", "more states than RE2's memory bound allows", False),
    ("invalid escape sequence: \\Z", "\\Z (write \\z for the end of the text)", False),
)
_WHY = "trustguard runs patterns from a config or a spec with RE2, which never backtracks, so that none can hang a check"
_BACKREFERENCE = re.compile(r"invalid escape sequence: \\[1-9]")


class UnsafePatternError(ValueError):
    """A pattern trustguard will not run: not a valid regular expression, or one that
    needs backtracking. The message says which, and why."""


class UserRegex:
    """A compiled user pattern; ``search`` is linear in the text searched."""

    __slots__ = ("_compiled", "pattern")

    def __init__(self, pattern: str, compiled: Any) -> None:
        self.pattern = pattern
        self._compiled = compiled

    def search(self, text: str) -> bool:
        """Whether the pattern occurs anywhere in ``text`` (as ``re.search`` finds it)."""
        try:
            return self._compiled.search(text) is not None
        except UnicodeEncodeError:  # a lone surrogate (RE2 reads UTF-8): it matches as U+FFFD
            return self._compiled.search(_SURROGATE.sub("\ufffd", text)) is not None


_SURROGATE = re.compile("[\ud800-\udfff]")


@functools.lru_cache(maxsize=512)
def compile_user_regex(pattern: str, python_syntax: bool = True) -> UserRegex:
    """``pattern`` compiled for RE2, or :class:`UnsafePatternError` saying what is wrong.
    ``python_syntax``: the pattern must read as a Python ``re`` pattern too (the config's
    syntax); a spec's patterns are ECMA-262 ones, read by RE2 alone."""
    if python_syntax:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")  # re's FutureWarning on "[[" is not the user's concern here
                re.compile(pattern)
        except (re.error, OverflowError, RecursionError, ValueError) as error:  # (a count beyond C's int)
            raise UnsafePatternError(f"is not a valid regular expression: {error}") from None
    re2, options = _re2()
    try:
        compiled = re2.compile(pattern, options)
    except re2.error as error:
        raise UnsafePatternError(_refusal(error)) from None
    return UserRegex(pattern, compiled)


def _refusal(error: Exception) -> str:
    detail = error.args[0] if error.args else str(error)
    text = detail.decode("utf-8", "replace") if isinstance(detail, bytes) else str(detail)
    found = next(((name, backtracks) for needle, name, backtracks in _UNSUPPORTED if text.startswith(needle)), None)
    if found is None and _BACKREFERENCE.match(text):
        found = ("a backreference (\\1...\\9)", True)
    if found is None:
        return f"cannot be used: RE2 cannot read it ({text}); {_WHY}"
    name, backtracks = found
    if backtracks:
        return f"cannot be used: it has {name}, which only a backtracking engine can run; {_WHY}"
    return f"cannot be used: it has {name}, which RE2 does not read; {_WHY}"


def user_search(pattern: str, text: str) -> bool:
    """``re.search(pattern, text)``, run by RE2 (the pattern was accepted when the config
    was read; a refused one raises :class:`UnsafePatternError`)."""
    return compile_user_regex(pattern).search(text)
