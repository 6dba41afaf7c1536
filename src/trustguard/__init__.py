"""trustguard: audit changes to an API, a pricing and terms of service before customers feel them.

The public API is what this module exports; everything else is private.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .api import check, diff, load, rules_for  # noqa: E402
from .config import Config, ImpactPolicy, load_config  # noqa: E402
from .errors import ConfigError, InputError, RulePackError, TrustguardError  # noqa: E402
from .load.document import Document  # noqa: E402
from .model import (  # noqa: E402
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
from .report import render  # noqa: E402

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
