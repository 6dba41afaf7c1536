"""trustguard: audit changes to an API, a pricing and terms of service before customers feel them.

The public API is what this module exports; everything else is private.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import check, diff, load, rules_for
from .config import Config, ImpactPolicy
from .config import load_config as _load_config
from .errors import ConfigError, InputError, InternalError, RulePackError, TrustguardError, guarded
from .load.document import Document
from .model import (
    AffectedEntity,
    Change,
    DocumentKind,
    Finding,
    Impact,
    ImpactTotals,
    Principle,
    Report,
    Severity,
    SourcePosition,
    Summary,
    Verdict,
    Waiver,
)
from .report import render

#: as every public function: a bug inside it is an InternalError
load_config = guarded(_load_config)

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
    "render",
    "rules_for",
]
