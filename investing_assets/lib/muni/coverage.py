"""Which of the model's inputs a document gave, and whether that is enough to publish a probability.

The minimum: the fund balance ratio (the scorecard's and the hazard's heaviest driver, and the only view of the
year's finances) and at least MIN_FEATURES of the model's FEATURES. Below it a score would rest on the model's
missing-value branches more than on the document, so none is published: the status is `insufficient_inputs`
and the missing inputs are listed with the figures each one needs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from investing_assets.lib.muni.issuer_panel import FEATURES

SCORED, INSUFFICIENT = "scored", "insufficient_inputs"
REQUIRED_FEATURES: tuple[str, ...] = ("fund_balance_ratio",)
MIN_FEATURES = 4

# what each feature is computed from (alternatives separated by " or "), for the list of what is missing
FEATURE_INPUTS: dict[str, str] = {
    "fund_balance_ratio": "general fund revenues and (unassigned/assigned/committed or unreserved) fund balance",
    "liability_burden_ratio": "general fund revenues, long-term debt (or long-term liabilities due within and "
                              "after one year) and a pension liability (GASB 68 or actuarial unfunded)",
    "pension_funded_ratio": "total pension liability and plan fiduciary net position, or the actuarial funded "
                            "ratio",
    "debt_service_ratio": "debt service (or principal and interest) and expenditures",
    "full_value_per_capita": "full or assessed value and population",
    "full_value_growth": "full or assessed value of this and the prior year's report",
    "income_ratio": "resident income relative to the nation (not in a financial report)",
    "log_population": "population",
}


@dataclass(frozen=True)
class Coverage:
    present: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def sufficient(self) -> bool:
        return all(f in self.present for f in REQUIRED_FEATURES) and len(self.present) >= MIN_FEATURES

    @property
    def status(self) -> str:
        return SCORED if self.sufficient else INSUFFICIENT

    def to_dict(self) -> dict[str, object]:
        return {
            "present": list(self.present),
            "missing": {f: FEATURE_INPUTS[f] for f in self.missing},
            "share": round(len(self.present) / len(FEATURES), 3),
            "minimum": {"required": list(REQUIRED_FEATURES), "features": MIN_FEATURES, "of": len(FEATURES)},
            "status": self.status,
        }


def coverage(features: Mapping[str, float | None]) -> Coverage:
    present = tuple(f for f in FEATURES if features.get(f) is not None)
    return Coverage(present, tuple(f for f in FEATURES if f not in present))
