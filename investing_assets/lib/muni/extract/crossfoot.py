"""Confidence from arithmetic and from a second printing: figures that add up are surer than figures read alone.

- the statement of net position foots: total assets + deferred outflows - total liabilities - deferred inflows
  = total net position (a deferred element the statement does not print counts as zero). All its terms gain
  when it holds; all lose when it does not, since one of them is wrong or missing;
- the same amount printed in the management's discussion and analysis (the MD&A restates the statements) is a
  second reading of it;
- debt service read as principal + interest is the sum of two stated lines, as sure as the less sure one.
"""

from __future__ import annotations

from collections.abc import Mapping

from investing_assets.lib.muni.extract.results import LINES, ExtractedValue, Missing
from investing_assets.lib.muni.extract.statements import Document

Found = dict[str, ExtractedValue | Missing]

_NET_POSITION_TERMS = (("total_assets", 1), ("deferred_outflows", 1), ("total_liabilities", -1),
                       ("deferred_inflows", -1))
_IDENTITY = "assets + deferred outflows - liabilities - deferred inflows = net position"
_MDNA = "the same amount in the MD&A"
_MDNA_METRICS = ("total_assets", "total_liabilities", "net_position_total", "net_position_unrestricted",
                 "deferred_outflows", "deferred_inflows", "general_fund_revenues", "general_fund_expenditures",
                 "fund_balance_unassigned", "fund_balance_unreserved", "bonds_outstanding")


def gain(value: ExtractedValue, share: float, check: str) -> ExtractedValue:
    """Move the confidence `share` of the way to certainty, recording the check."""
    return value.adjusted(value.confidence + (1 - value.confidence) * share, check)


def apply_checks(found: Found, doc: Document, scale: int) -> None:
    net_position_identity(found, scale)
    restated_in_mdna(found, doc, scale)


def _value(found: Mapping[str, ExtractedValue | Missing], metric: str) -> ExtractedValue | None:
    v = found.get(metric)
    return v if isinstance(v, ExtractedValue) else None


def net_position_identity(found: Found, scale: int) -> None:
    net = _value(found, "net_position_total")
    terms = [(m, sign, _value(found, m)) for m, sign in _NET_POSITION_TERMS]
    if net is None or terms[0][2] is None or terms[2][2] is None:
        return
    computed = sum(sign * (v.value if v else 0.0) for _, sign, v in terms)
    tolerance = scale * 1.5  # the statement's own rounding of each printed total
    metrics = ["net_position_total"] + [m for m, _, v in terms if v is not None]
    if abs(computed - net.value) <= tolerance:
        for m in metrics:
            found[m] = gain(found[m], 0.75, _IDENTITY)
    else:
        for m in metrics:
            v = found[m]
            found[m] = v.adjusted(v.confidence * 0.8, f"does not foot: {_IDENTITY} is off by "
                                                      f"{computed - net.value:,.0f}")


def restated_in_mdna(found: Found, doc: Document, scale: int) -> None:
    texts = [doc.lower[n - 1] for n in doc.mdna_pages]
    if not texts:
        return
    for metric in _MDNA_METRICS:
        v = _value(found, metric)
        if v is None or v.page in doc.mdna_pages:
            continue
        printed = f"{abs(round(v.value / scale)):,}"
        if len(printed) >= 5 and any(printed in t for t in texts):  # 4+ digits: no chance coincidence
            found[metric] = gain(v, 0.3, _MDNA)


def derived_debt_service(found: Found) -> ExtractedValue | None:
    """Principal + interest from the governmental funds statement, when no total debt service is printed."""
    principal, interest = _value(found, "debt_service_principal"), _value(found, "debt_service_interest")
    if principal is None or interest is None:
        return None
    return ExtractedValue("debt_service", principal.value + interest.value, principal.page,
                          f"{principal.line}{LINES}{interest.line}"[:400],
                          round(min(principal.confidence, interest.confidence), 3), basis="principal + interest",
                          checks=tuple(dict.fromkeys(principal.checks + interest.checks)))
