"""Which of the model's inputs a document gave, and whether that is enough to publish a probability.

The minimum: the fund balance ratio (the scorecard's and the hazard's heaviest driver, and the only view of the
year's finances) and at least MIN_FEATURES of the model's FEATURES. Below it a score would rest on the model's
missing-value branches more than on the document, so none is published: the status is `insufficient_inputs`
and the missing inputs are listed with the figures each one needs.

Every score also carries its coverage level (`LEVELS`): the model's held-out AUC and Brier are measured per level
(`risk_model.train`), so a score resting on fewer inputs shows how much less the model can tell at that level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
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


# (label, fewest features present) of the levels a probability is published at, most inputs first; below the
# minimum a row is BELOW_MINIMUM. income_ratio is in no report, so a document's best is the top level's lower end.
LEVELS: tuple[tuple[str, int], ...] = (
    (f"{len(FEATURES) - 1}-{len(FEATURES)} of {len(FEATURES)}", len(FEATURES) - 1),
    (f"{MIN_FEATURES + 1}-{len(FEATURES) - 2} of {len(FEATURES)}", MIN_FEATURES + 1),
    (f"{MIN_FEATURES} of {len(FEATURES)} (the minimum)", MIN_FEATURES),
)
BELOW_MINIMUM = "below the minimum"
LEVEL_LABELS: tuple[str, ...] = (*(label for label, _ in LEVELS), BELOW_MINIMUM)


def level_for(present: Sequence[str]) -> str:
    """The coverage level of a row whose present features are `present`."""
    if not all(f in present for f in REQUIRED_FEATURES) or len(present) < MIN_FEATURES:
        return BELOW_MINIMUM
    return next(label for label, fewest in LEVELS if len(present) >= fewest)


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

    @property
    def level(self) -> str:
        return level_for(self.present)

    def to_dict(self) -> dict[str, object]:
        return {
            "present": list(self.present),
            "missing": {f: FEATURE_INPUTS[f] for f in self.missing},
            "share": round(len(self.present) / len(FEATURES), 3),
            "minimum": {"required": list(REQUIRED_FEATURES), "features": MIN_FEATURES, "of": len(FEATURES)},
            "level": self.level,
            "status": self.status,
        }


def coverage(features: Mapping[str, float | None]) -> Coverage:
    present = tuple(f for f in FEATURES if features.get(f) is not None)
    return Coverage(present, tuple(f for f in FEATURES if f not in present))
