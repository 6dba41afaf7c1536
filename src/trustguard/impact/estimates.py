"""A finding that may break customers the data cannot clear: the ``may-break`` flag and
the severity floor the policy sets for it (``impact.may_break_min_severity``).

A customer seen only in the usage logs calls the operation, but nothing says which fields
it reads or sends; a Pact whose body paths the spec does not document says nothing
either; and no field list says which *values* a caller sends or reads. Such a customer is
an estimate -- yet for it an optional response field removed (minor by its rule) is as
much a break as for a consumer whose contract reads the field, if its code reads it. A
release decided on "minor" would let that customer find out in production, so the
finding is raised like a proven break, while the customer stays an estimate ("may be
affected"): the evidence says *could*, never *will*. A customer known to use the element
(its contract sends the request field a change removes) without the break being proven is
no safer, and counts the same.
"""

from __future__ import annotations

from ..change_kinds import is_lifecycle
from ..config import ImpactPolicy
from ..model import Finding, Severity
from .reach import Reach
from .selector import Selector

# Where a caller of the operation uses what the finding touches (an API-wide change reaches
# every active customer whatever it calls: no call of its is evidence of anything).
_CALLER_LEVELS = frozenset({"operation", "field", "parameter"})


def may_break(finding: Finding, sels: list[Selector], r: Reach, policy: ImpactPolicy,
              proven: set[str] | frozenset[str] = frozenset()) -> bool:
    """Flag ``finding`` ``may-break`` and raise it to the policy's floor when it is a
    possible break (above ``info``: the rule judges that it can hurt who uses what it
    changes; not a deprecation or a sunset, which break no call today) and reaches a
    customer that calls what it touches -- as an estimate, or known to use the element
    without the break being proven (a Pact sending a request field that is removed).
    ``proven``: the customers a contract or a refused call proves broken, whose raise is
    ``contract_broken_min_severity``'s to make. True when raised."""
    impact = finding.impact
    floor = policy.may_break_min_severity
    if impact is None or floor == "off" or finding.severity is Severity.INFO or is_lifecycle(finding.kind):
        return False  # a deprecation or a sunset breaks no call today: its own rules weigh it
    target = Severity(floor)
    if finding.severity.at_least(target) or not any(s.level in _CALLER_LEVELS for s in sels):
        return False
    exposed = r.ids() if not proven else [cid for cid in r.ids() if cid not in proven]
    if not exposed:
        return False
    estimated = sum(map(r.customers.__getitem__, exposed))  # how many are estimates (True)
    impact.flags.append("may-break")
    impact.details["may_break"] = {"customers_reached": len(exposed), "estimated_customers": estimated,
                                   "customers": exposed[:100], "raised_from": finding.severity.value}
    finding.severity = target
    return True
