"""trustguard: audit changes to an API, a pricing and terms of service before customers feel them.

The public API is what this module exports; everything else is private.

The names are imported when first used (PEP 562), not with the package: `trustguard
--help` and `trustguard rules` need neither pydantic's models nor the diff and its
libraries, and a process that only loads a document should not pay for the rules.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # what the names are, for type checkers; imported lazily at run time
    from .api import check, diff, load, release, rules_for
    from .config import load_config
    from .config_public import Config, ImpactPolicy
    from .errors import ConfigError, InputError, InternalError, RulePackError, TrustguardError
    from .load.document import Document
    from .model import DocumentKind, Principle, Severity, Verdict
    from .model_public import (
        AffectedEntity,
        Change,
        Finding,
        Impact,
        ImpactTotals,
        Report,
        SourcePosition,
        Summary,
        Waiver,
    )
    from .report import render

# public name -> the module that defines it
_WHERE = {
    **dict.fromkeys(("check", "diff", "load", "release", "rules_for"), ".api"),
    **dict.fromkeys(("Config", "ImpactPolicy"), ".config_public"),
    "load_config": ".config",
    **dict.fromkeys(("ConfigError", "InputError", "InternalError", "RulePackError", "TrustguardError"), ".errors"),
    "Document": ".load.document",
    **dict.fromkeys(("DocumentKind", "Principle", "Severity", "Verdict"), ".model"),
    # the public models: the pydantic twins of the records a check builds (_record.py)
    **dict.fromkeys(("AffectedEntity", "Change", "Finding", "Impact", "ImpactTotals", "Report", "SourcePosition",
                     "Summary", "Waiver"), ".model_public"),
    "render": ".report",
}
# as every public function: a bug inside it is an InternalError, and the records in what it
# returns are their public models (the API's functions are made so where they are defined;
# load_config, which the CLI also calls for the plain policy, is made so here)
_GUARDED = frozenset({"load_config"})

__all__ = [
    "AffectedEntity",
    "Change",
    "Config",
    "ConfigError",
    "Document",
    "DocumentKind",
    "Finding",
    "Impact",
    "ImpactPolicy",
    "ImpactTotals",
    "InputError",
    "InternalError",
    "Principle",
    "Report",
    "RulePackError",
    "Severity",
    "SourcePosition",
    "Summary",
    "TrustguardError",
    "Verdict",
    "Waiver",
    "__version__",
    "check",
    "diff",
    "load",
    "load_config",
    "release",
    "render",
    "rules_for",
]


# ``diff``, ``load`` and ``release`` are the API's functions and also the names of subpackages: the
# import system binds a subpackage to its parent when it first loads it, which (the
# names being lazy) would otherwise hide the function behind the module.
_FUNCTIONS_OVER_SUBPACKAGES = frozenset({"diff", "load", "release"})


class _Package(ModuleType):
    def __setattr__(self, name: str, value: Any) -> None:
        if name in _FUNCTIONS_OVER_SUBPACKAGES and isinstance(value, ModuleType):
            return  # the subpackage stays reachable as sys.modules["trustguard.diff"]
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package


def __getattr__(name: str) -> Any:
    where = _WHERE.get(name)
    if where is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(where, __name__), name)
    if name in _GUARDED:
        from ._record import handed_out
        from .errors import guarded

        value = guarded(handed_out(value, name))
    globals()[name] = value  # once imported, an ordinary attribute
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
