"""Synthetic issuer panel for training the muni distress model, and the mapping from document metrics to its features.

Why synthetic: real muni distress events are too rare and too scattered across
sources to train on, so the model learns from a documented generator whose
drivers are the ones the rating agencies' US local-government scorecards use,
and the same features are computed from extracted financial statements at
scoring time (`features_from_metrics`).

How the generator is grounded
-----------------------------
Issuer types and shares: city 40%, county 25%, school district 35%.

Feature medians per type are round numbers in the range of Moody's published
US local-government medians (loosely, not a reproduction of any one year):

=====================  =======  =======  ================
feature                city     county   school district
=====================  =======  =======  ================
fund_balance_ratio     0.32     0.35     0.22
liability_burden_ratio 2.5x     1.9x     2.2x
pension_funded_ratio   0.74     0.78     0.72
debt_service_ratio     0.08     0.06     0.11
full_value_per_capita  $110k    $100k    $115k
population (median)    20k      60k      12k
=====================  =======  =======  ================

Income relative to the nation has median ~0.95 with a log-sd of ~0.2; full value
grows ~3.5% a year on average, +-3 points with a national cycle.

Dynamics: each issuer has a persistent weak-credit factor (drives weaker fund
balance, heavier liabilities, lower funding), a wealth factor (correlated with
credit strength; drives full value, growth and income), a hidden
management/governance factor the features never see, and an AR(1) fiscal
stress term (rho 0.85) plus a national AR(1) cycle (rho 0.6) shared by all
issuers in a year. Fund balance moves with stress each year; liabilities,
funding and debt service are mostly persistent; full value compounds its growth.

Label: an annual distress hazard, logistic in the scorecard drivers (with a
cliff once available fund balance falls under 5% of revenue) plus the hidden
management factor. An issuer has no rows from the fiscal year it becomes
distressed (downgrade to speculative grade or default) until it has spent
three years there, an assumed typical spell before an upgrade back to
investment grade; it then rejoins the at-risk population, so weak issuers do
not simply leave and the panel does not drift towards healthy survivors.
``distress_3y`` for fiscal year t is 1 when a distress event happens in
t+1..t+3. The generator simulates three years beyond the emitted ones, so the
last emitted years are labelled without censoring.

Base rate: the hazard intercept is solved per panel so that the realised
3-year distress rate over the emitted rows is ``TARGET_DISTRESS_RATE_3Y`` = 3%.
Moody's reports rated-muni defaults of about 0.1% over five years (0.13%
average five-year rate since 2010 in its 1970-2019 study), far too rare to
learn from. 3% is deliberately
higher because the label also counts downgrades to speculative grade and the
panel stands for the wider, mostly small and often unrated, universe of local
issuers where fiscal stress is common; it also gives ~1,500 positives in
50,000 issuer-years.

Realism of the difficulty: future stress shocks, the hidden management
factor, and the Bernoulli draw itself keep the held-out AUC around 0.88-0.91
(3,000-5,000 issuers) with every input present, rather than near 1.

Missingness: which inputs are null, and how often, follows what real annual
reports print (the six state reports in ``../shared/data/muni_acfr`` and
GASB's calendar), by report era and issuer, never at random alone, so that
LightGBM learns the missing-value branches scoring will take (nulls stay
NaN: nothing is zero-filled):

- era: reports before GASB 68 (fiscal 2015) print no net pension liability;
  their pension inputs come from the actuarial funding-progress schedule,
  which only an issuer sponsoring its own (single or agent employer) plan
  prints (5 of the 6 state reports; NY, a cost-sharing member for its
  liabilities, prints none; most school districts are cost-sharing members
  of a state plan). From fiscal 2015 every employer states its (proportionate)
  net pension liability on the statement of net position, so the liability
  burden is there, but the funded ratio still needs the plan's own schedule.
  Reports before GASB 54 (fiscal 2011) state an "unreserved" balance whose
  labels vary more, so the fund balance ratio is missed more often;
- the statistical section: assessed or full value and population are often
  absent (states and many school districts print none; none of the six state
  reports has an assessed value), persistently for an issuer;
- growth needs the prior year's report: missing for an issuer's first report
  and whenever either year lacks the value;
- income relative to the nation is in no report: present only where a census
  join is made (`_CENSUS_SHARE`; documents scored by the CLI never have it);
- a few percent of every stated figure are not recognised in any one year.

`MISSINGNESS` holds the rates; `train` reports AUC and Brier per coverage level.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import polars as pl

FEATURES: tuple[str, ...] = (
    "fund_balance_ratio",  # available (unassigned + assigned + committed) GF balance / GF revenue
    "liability_burden_ratio",  # (long-term debt + net pension + net OPEB liabilities) / GF revenue
    "pension_funded_ratio",  # plan fiduciary net position / total pension liability
    "debt_service_ratio",  # debt service / GF expenditures
    "full_value_per_capita",  # dollars
    "full_value_growth",  # year-over-year fractional change in full value
    "income_ratio",  # resident income relative to the US
    "log_population",  # natural log of residents
)

ISSUER_TYPES: tuple[str, ...] = ("city", "county", "school_district")
TARGET_DISTRESS_RATE_3Y = 0.03
HORIZON_YEARS = 3
DISTRESS_SPELL_YEARS = 3
FIRST_FISCAL_YEAR = 2010


@dataclass(frozen=True)
class _TypeProfile:
    share: float
    fund_balance: float
    liability_burden: float
    pension_funded: float
    debt_service: float
    full_value_per_capita: float
    median_population: float
    log_population_sd: float


_PROFILES: dict[str, _TypeProfile] = {
    "city": _TypeProfile(0.40, 0.32, 2.5, 0.74, 0.08, 110_000.0, 20_000.0, 1.2),
    "county": _TypeProfile(0.25, 0.35, 1.9, 0.78, 0.06, 100_000.0, 60_000.0, 1.3),
    "school_district": _TypeProfile(0.35, 0.22, 2.2, 0.72, 0.11, 115_000.0, 12_000.0, 1.2),
}

GASB_54_FIRST_YEAR, GASB_68_FIRST_YEAR = 2011, 2015


@dataclass(frozen=True)
class _Missingness:
    """How often a report lacks what a feature needs (see the module docstring); shares by issuer type follow
    ISSUER_TYPES (city, county, school district)."""

    own_plan: tuple[float, float, float] = (0.60, 0.65, 0.15)  # prints its plan's actuarial / RSI schedules
    statistical_value: tuple[float, float, float] = (0.80, 0.85, 0.55)  # statistical section states the value
    statistical_population: tuple[float, float, float] = (0.90, 0.90, 0.50)  # ... and the population
    census: float = 0.40  # income_ratio: a census join exists for the issuer
    fund_balance_pre_gasb54: float = 0.08  # "unreserved" labels, not recognised in a year
    fund_balance: float = 0.02
    debt: float = 0.03
    debt_service: float = 0.05
    statement_pension: float = 0.03  # GASB 68 net pension liability on the statement, not read
    schedule: float = 0.10  # an RSI or statistical table not read in a year


MISSINGNESS = _Missingness()

_FUND_BALANCE_CLIFF = 0.05


# Weights apply to standardised drivers (positive = riskier). Centres and scales are fixed
# constants, not sample statistics, so the hazard's shape is the same for every panel; only
# the intercept is solved to hit the base rate.
def _hazard_score(
    fund_balance: np.ndarray,
    liability_burden: np.ndarray,
    pension_funded: np.ndarray,
    debt_service: np.ndarray,
    full_value_per_capita: np.ndarray,
    full_value_growth: np.ndarray,
    income_ratio: np.ndarray,
    log_population: np.ndarray,
    management: np.ndarray,
) -> np.ndarray:
    """Log-odds of annual distress, before the intercept; weights echo the scorecard's
    emphasis on finances and economy over debt/pensions, with management unobserved."""
    return (
        0.92 * -(fund_balance - 0.30) / 0.13
        + 1.15 * (fund_balance < _FUND_BALANCE_CLIFF)
        + 0.58 * np.log(liability_burden / 2.2) / 0.5
        + 0.40 * -(pension_funded - 0.75) / 0.12
        + 0.35 * np.log(debt_service / 0.08) / 0.45
        + 0.46 * -np.log(full_value_per_capita / 110_000.0) / 0.6
        + 0.46 * -(full_value_growth - 0.035) / 0.045
        + 0.40 * -np.log(income_ratio / 0.95) / 0.2
        + 0.17 * -(log_population - 10.0) / 1.3
        + 0.46 * management
    )


def _ar1(rng: np.random.Generator, shape: tuple[int, int], rho: float, sd: float) -> np.ndarray:
    """Stationary AR(1) along axis 1 with marginal standard deviation `sd`."""
    out = np.empty(shape)
    innovations = rng.standard_normal(shape) * sd * math.sqrt(1.0 - rho * rho)
    out[:, 0] = rng.standard_normal(shape[0]) * sd
    for t in range(1, shape[1]):
        out[:, t] = rho * out[:, t - 1] + innovations[:, t]
    return out


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def _simulate_distress(
    hazard_logit: np.ndarray, uniforms: np.ndarray, years: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, distress_3y) masks of shape (n, years).

    A distress event in year t removes the issuer's rows for years t..t+DISTRESS_SPELL_YEARS-1;
    it is back at risk afterwards, so weak issuers stay in the population instead of the panel
    drifting towards ever-healthier survivors.
    """
    n, span = hazard_logit.shape
    probability = _sigmoid(hazard_logit)
    back_at_risk = np.zeros(n, dtype=np.int64)
    eligible = np.empty((n, span), dtype=bool)
    event = np.empty((n, span), dtype=bool)
    for t in range(span):
        eligible[:, t] = back_at_risk <= t
        event[:, t] = eligible[:, t] & (uniforms[:, t] < probability[:, t])
        back_at_risk[event[:, t]] = t + DISTRESS_SPELL_YEARS
    row = (eligible & ~event)[:, :years]
    events_before = np.concatenate([np.zeros((n, 1), dtype=np.int64), np.cumsum(event, axis=1)], axis=1)
    window = events_before[:, 1 + HORIZON_YEARS : 1 + HORIZON_YEARS + years] - events_before[:, 1 : 1 + years]
    return row, row & (window > 0)


def _solve_intercept(score: np.ndarray, uniforms: np.ndarray, years: int, target: float) -> float:
    """Bisection on the intercept so the realised 3-year distress rate over the emitted rows
    is `target`.

    The same uniforms are reused at every step, so the rate rises (almost) monotonically
    with the intercept and the result is deterministic for a seed.
    """

    def realised_rate(intercept: float) -> float:
        row, label = _simulate_distress(intercept + score, uniforms, years)
        return float(label.sum() / max(row.sum(), 1))

    low, high = -20.0, 5.0
    for _ in range(40):
        mid = 0.5 * (low + high)
        if realised_rate(mid) < target:
            low = mid
        else:
            high = mid
    return 0.5 * (low + high)


@dataclass(frozen=True)
class _Draws:
    """The random source of one panel. Every helper draws from it in a fixed order, so a seed gives one panel."""

    rng: np.random.Generator
    type_index: np.ndarray  # index into ISSUER_TYPES, per issuer
    shape: tuple[int, int]  # (issuers, simulated years)

    def by_type(self, attr: str) -> np.ndarray:
        """The issuer type's profile value, per issuer, as an (n, 1) column."""
        profiles = [_PROFILES[name] for name in ISSUER_TYPES]
        return np.array([getattr(p, attr) for p in profiles])[self.type_index][:, None]

    def noise(self, sd: float) -> np.ndarray:
        """Independent noise per issuer-year."""
        return sd * self.rng.standard_normal(self.shape)

    def issuer_effect(self, sd: float) -> np.ndarray:
        """A persistent offset per issuer."""
        return sd * self.rng.standard_normal(self.shape[0])[:, None]


@dataclass(frozen=True)
class _Factors:
    """The latent drivers behind the features (see the module docstring)."""

    weak_credit: np.ndarray  # (n, 1)
    wealth: np.ndarray  # (n, 1), correlated with credit strength
    management: np.ndarray  # (n, 1), drives the hazard but no feature
    cycle: np.ndarray  # (1, span), national
    stress: np.ndarray  # (n, span), AR(1) fiscal stress


def _draw_factors(draws: _Draws) -> _Factors:
    rng, (n, span) = draws.rng, draws.shape
    weak_credit = rng.standard_normal(n)[:, None]
    wealth = -0.4 * weak_credit + math.sqrt(1 - 0.16) * rng.standard_normal(n)[:, None]
    management = rng.standard_normal(n)[:, None]
    cycle = _ar1(rng, (1, span), rho=0.6, sd=1.0)
    stress = 0.7 * weak_credit + _ar1(rng, draws.shape, rho=0.85, sd=0.6) - 0.3 * cycle
    return _Factors(weak_credit, wealth, management, cycle, stress)


def _finances(draws: _Draws, factors: _Factors) -> dict[str, np.ndarray]:
    """Fund balance moves with stress each year; liabilities, funding and debt service are mostly persistent."""
    weak_credit, cycle = factors.weak_credit, factors.cycle
    fund_balance = draws.by_type("fund_balance") - 0.12 * factors.stress + 0.02 * cycle + draws.noise(0.04)
    pension_funded = np.clip(
        draws.by_type("pension_funded")
        - 0.06 * weak_credit
        + draws.issuer_effect(0.10)
        + 0.03 * cycle
        + draws.noise(0.02),
        0.2,
        1.2,
    )
    liability_burden = np.exp(
        np.log(draws.by_type("liability_burden"))
        + 0.30 * weak_credit
        + draws.issuer_effect(0.40)
        + 1.0 * (draws.by_type("pension_funded") - pension_funded)
        + draws.noise(0.05)
    )
    debt_service = np.exp(
        np.log(draws.by_type("debt_service"))
        + 0.20 * weak_credit
        + draws.issuer_effect(0.40)
        + draws.noise(0.08)
    )
    return {
        "fund_balance_ratio": fund_balance,
        "liability_burden_ratio": liability_burden,
        "pension_funded_ratio": pension_funded,
        "debt_service_ratio": debt_service,
    }


def _economy(draws: _Draws, factors: _Factors) -> dict[str, np.ndarray]:
    """Full value compounds its growth; income follows wealth; population grows slowly."""
    wealth, cycle = factors.wealth, factors.cycle
    full_value_growth = 0.035 + 0.015 * wealth + 0.03 * cycle - 0.01 * factors.stress + draws.noise(0.03)
    log_full_value_start = (
        np.log(draws.by_type("full_value_per_capita")) + 0.5 * wealth + draws.issuer_effect(0.3)
    )
    full_value_per_capita = np.exp(
        log_full_value_start + np.cumsum(full_value_growth, axis=1) - full_value_growth[:, :1]
    )
    income_ratio = np.exp(math.log(0.95) + 0.18 * wealth + draws.issuer_effect(0.05) + draws.noise(0.02))
    log_population = (
        np.log(draws.by_type("median_population"))
        + draws.by_type("log_population_sd") * draws.rng.standard_normal(draws.shape[0])[:, None]
        + 0.005 * np.arange(draws.shape[1])[None, :]
    )
    return {
        "full_value_per_capita": full_value_per_capita,
        "full_value_growth": full_value_growth,
        "income_ratio": income_ratio,
        "log_population": log_population,
    }


def _distress(
    draws: _Draws, features: dict[str, np.ndarray], management: np.ndarray, years: int
) -> tuple[np.ndarray, np.ndarray]:
    """(row, distress_3y) masks of shape (n, years), with the intercept solved for the target base rate."""
    score = _hazard_score(
        features["fund_balance_ratio"],
        features["liability_burden_ratio"],
        features["pension_funded_ratio"],
        features["debt_service_ratio"],
        features["full_value_per_capita"],
        features["full_value_growth"],
        features["income_ratio"],
        features["log_population"],
        management,
    )
    uniforms = draws.rng.random(draws.shape)
    intercept = _solve_intercept(score, uniforms, years, TARGET_DISTRESS_RATE_3Y)
    return _simulate_distress(intercept + score, uniforms, years)


def _missing_masks(draws: _Draws, first_fiscal_year: int, years: int) -> dict[str, np.ndarray]:
    """Per feature, an (n, years) mask of the issuer-years whose report lacks what the feature needs."""
    rng, m, n = draws.rng, MISSINGNESS, draws.shape[0]
    shape = (n, years)
    fiscal_year = first_fiscal_year + np.arange(years)[None, :]

    def issuer_has(shares: tuple[float, float, float] | float) -> np.ndarray:
        share = np.asarray(shares)[draws.type_index] if isinstance(shares, tuple) else np.full(n, shares)
        return (rng.random(n) < share)[:, None]

    def missed(rate: float | np.ndarray) -> np.ndarray:
        return rng.random(shape) < rate

    own_plan, has_value = issuer_has(m.own_plan), issuer_has(m.statistical_value)
    has_population, census = issuer_has(m.statistical_population), issuer_has(m.census)
    gasb68 = fiscal_year >= GASB_68_FIRST_YEAR
    fund_balance = missed(np.where(fiscal_year < GASB_54_FIRST_YEAR, m.fund_balance_pre_gasb54, m.fund_balance))
    pension_liability = np.where(gasb68, missed(m.statement_pension), ~own_plan | missed(m.schedule))
    population = ~has_population | missed(m.schedule)
    value = ~has_value | missed(m.schedule)
    prior_value = np.concatenate([np.ones((n, 1), dtype=bool), value[:, :-1]], axis=1)
    return {
        "fund_balance_ratio": fund_balance,
        "liability_burden_ratio": missed(m.debt) | pension_liability,
        "pension_funded_ratio": ~own_plan | missed(m.schedule),
        "debt_service_ratio": missed(m.debt_service),
        "full_value_per_capita": value | population,
        "full_value_growth": value | prior_value,
        "income_ratio": np.broadcast_to(~census, shape),
        "log_population": population,
    }


def _panel_frame(
    draws: _Draws,
    features: dict[str, np.ndarray],
    at_risk: np.ndarray,
    label: np.ndarray,
    years: int,
    first_fiscal_year: int,
) -> pl.DataFrame:
    """One row per at-risk issuer-year, each feature null where its report would not give it (`_missing_masks`)."""
    n = draws.shape[0]
    rows = at_risk.ravel()
    issuer_number = np.repeat(np.arange(n), years)[rows]
    type_names = np.array(ISSUER_TYPES)[draws.type_index]
    columns: dict[str, pl.Series] = {
        "issuer_id": pl.Series([f"SYN{i:06d}" for i in issuer_number], dtype=pl.String),
        "issuer_name": pl.Series(
            [f"Synthetic {type_names[i].replace('_', ' ').title()} {i:06d}" for i in issuer_number],
            dtype=pl.String,
        ),
        "issuer_type": pl.Series(type_names[issuer_number], dtype=pl.String),
        "fiscal_year": pl.Series(np.tile(first_fiscal_year + np.arange(years), n)[rows], dtype=pl.Int32),
    }
    masks = _missing_masks(draws, first_fiscal_year, years)
    for name in FEATURES:
        values = features[name][:, :years].ravel()[rows].astype(np.float64)
        values[masks[name].ravel()[rows]] = np.nan
        columns[name] = pl.Series(name, values, dtype=pl.Float64, nan_to_null=True)
    columns["distress_3y"] = pl.Series(label.ravel()[rows].astype(np.int8), dtype=pl.Int8)
    return pl.DataFrame(columns)


def generate_panel(
    n_issuers: int, years: int, seed: int, *, first_fiscal_year: int = FIRST_FISCAL_YEAR
) -> pl.DataFrame:
    """Issuer-years with the model features and the `distress_3y` label; see the module docstring.

    Issuers have no rows while in a distress spell, so the row count is a little below
    ``n_issuers * years``.
    """
    if n_issuers < 1 or years < 1:
        raise ValueError("n_issuers and years must be positive")
    rng = np.random.default_rng(seed)
    shares = [_PROFILES[name].share for name in ISSUER_TYPES]
    type_index = rng.choice(len(ISSUER_TYPES), size=n_issuers, p=shares)
    draws = _Draws(rng, type_index, (n_issuers, years + HORIZON_YEARS))
    factors = _draw_factors(draws)
    features = _finances(draws, factors) | _economy(draws, factors)
    at_risk, label = _distress(draws, features, factors.management, years)
    return _panel_frame(draws, features, at_risk, label, years, first_fiscal_year)


def _ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or denominator is None or not denominator > 0:
        return None
    return float(numerator) / float(denominator)


def _present(value: float | None) -> float | None:
    """NaN from extraction counts as missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)


def features_from_metrics(
    metrics: Mapping[str, float | None], *, prior: Mapping[str, float | None] | None = None
) -> dict[str, float | None]:
    """Model features from one filing's extracted dollar metrics; None where a feature needs
    inputs the filing does not give, because LightGBM routes missing values down a learned branch
    while a guessed zero would read as a real (and alarming) number.

    Choices worth knowing (each input is taken from the first source the filing states):
    - fund balance is "available": unassigned + assigned + committed, summing whichever are
      present (at least one must be); before GASB 54 (fiscal 2011) the unreserved balance;
    - the liability burden needs debt and a pension liability: debt is the long-term debt of the
      debt notes, else the statement of net position's long-term liabilities due within and after one
      year; the pension liability is GASB 68's (total pension liability - plan net position, else
      the statement's net pension liability), else the actuarial unfunded liability of the funding-
      progress schedule; OPEB likewise (net OPEB liability, else its unfunded actuarial liability,
      else the GASB 45 net OPEB obligation), a missing OPEB figure counting as zero because many small
      issuers carry none. A statement's long-term liabilities may already include its own pension and
      OPEB lines, so the burden can count them twice there: a known overstatement;
    - the pension funded ratio is plan net position / total pension liability, else the actuarial
      funded ratio;
    - debt service (the debt notes' total, else principal + interest of the governmental funds) is
      divided by the expenditures of the same funds when stated, else by the general fund's;
    - full value (estimated actual value) where stated, else assessed value (assessment ratios differ
      by state);
    - full_value_growth needs the prior year's filing (`prior`), income_ratio needs national census
      data; neither is in a single financial statement.
    """
    get = {key: _present(metrics.get(key)) for key in metrics}.get
    revenue = get("general_fund_revenues")

    fund_balance_parts = [
        get(k) for k in ("fund_balance_unassigned", "fund_balance_assigned", "fund_balance_committed")
    ]
    present_parts = [v for v in fund_balance_parts if v is not None]
    available_fund_balance = sum(present_parts) if present_parts else get("fund_balance_unreserved")

    liabilities = None
    debt, pension = _debt(get), _pension_liability(get)
    if debt is not None and pension is not None:
        liabilities = debt + pension + (_first(get, "net_opeb_liability", "opeb_unfunded_actuarial_liability",
                                               "opeb_obligation") or 0.0)

    population = get("population")
    value = _first(get, "full_value", "assessed_value")
    full_value_growth = None
    if prior is not None:
        prior_get = {key: _present(prior.get(key)) for key in prior}.get
        prior_value = _first(prior_get, "full_value", "assessed_value") if get("full_value") is not None \
            else prior_get("assessed_value")
        if value is not None and prior_value is not None and prior_value > 0:
            full_value_growth = value / prior_value - 1.0

    funds_expenditures = get("governmental_funds_expenditures")
    return {
        "fund_balance_ratio": _ratio(available_fund_balance, revenue),
        "liability_burden_ratio": _ratio(liabilities, revenue),
        "pension_funded_ratio": _ratio(get("plan_fiduciary_net_position"), get("total_pension_liability"))
        if get("total_pension_liability") is not None else get("pension_actuarial_funded_ratio"),
        "debt_service_ratio": _ratio(get("debt_service"),
                                     funds_expenditures if funds_expenditures else get("general_fund_expenditures")),
        "full_value_per_capita": _ratio(value, population),
        "full_value_growth": full_value_growth,
        "income_ratio": None,
        "log_population": math.log(population) if population is not None and population > 0 else None,
    }


def _first(get, *keys: str) -> float | None:
    return next((v for v in (get(k) for k in keys) if v is not None), None)


def _debt(get) -> float | None:
    if get("long_term_debt") is not None:
        return get("long_term_debt")
    within, after = get("long_term_liabilities_due_within_one_year"), get("long_term_liabilities_due_after_one_year")
    return within + after if within is not None and after is not None else None


def _pension_liability(get) -> float | None:
    total, plan = get("total_pension_liability"), get("plan_fiduciary_net_position")
    if total is not None and plan is not None:
        return total - plan
    return _first(get, "net_pension_liability", "pension_unfunded_actuarial_liability")
