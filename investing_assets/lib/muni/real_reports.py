"""Six real state annual reports read by hand: the truth both the extraction tests and `make bench` check against.

Every figure was read off the PDF page given (1-based PDF page, not the printed folio) with PyMuPDF, as printed,
times the scale the page states. A metric a report does not list must come out null with a reason (`not_stated`,
or `not_recognised` at the page in `not_recognised`). The PDFs live in the shared data folder
(`../shared/data/muni_acfr/` beside the repository) and are never copied into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.extract.results import Extraction

ACFR_RELATIVE = ("..", "shared", "data", "muni_acfr")  # from the repository root

TH, MN, BN = 1_000, 1_000_000, 1_000_000_000


@dataclass(frozen=True)
class Report:
    issuer: str
    fye: date
    fye_page: int
    scale: int
    pages: int
    values: dict[str, tuple[float, int]]  # metric -> (dollars, head count or fraction; PDF page)
    not_recognised: dict[str, int] = field(default_factory=dict)  # metric -> page of the candidate line


REPORTS: dict[str, Report] = {
    # GASB 34 "net assets"; pre-GASB 54 reserved/unreserved fund balances; facing-page demographic table.
    "CA_cafr2010": Report("State of California", date(2010, 6, 30), 46, TH, 317, {
        "total_assets": (192_270_968 * TH, 46),
        "total_liabilities": (197_226_159 * TH, 47),  # the statement continues on the facing page
        "net_position_total": (-4_955_191 * TH, 47),  # "Total net assets (deficit)"
        "net_position_unrestricted": (-107_522_706 * TH, 47),
        "cash_and_investments": (25_455_559 * TH, 46),  # "Cash and pooled investments"
        "long_term_liabilities_due_within_one_year": (6_124_950 * TH, 47),  # "Current portion of long-term obl."
        "long_term_liabilities_due_after_one_year": (149_416_132 * TH, 47),  # "Total noncurrent liabilities"
        "opeb_obligation": (7_280_166 * TH, 47),  # "Net other postemployment benefits obligation"
        "general_fund_revenues": (85_129_367 * TH, 54),
        "general_fund_expenditures": (87_247_026 * TH, 54),
        "governmental_funds_expenditures": (190_744_678 * TH, 54),
        "debt_service_principal": (3_259_203 * TH, 54),  # "Bond and commercial paper retirement", Total
        "debt_service_interest": (4_022_922 * TH, 54),  # "Interest and fiscal charges"
        "debt_service": ((3_259_203 + 4_022_922) * TH, 54),
        "fund_balance_unreserved": (-20_929_640 * TH, 52),  # "Unreserved, reported in: General fund"
        # Schedule of Funding Progress (amounts in millions): PERF - primary government, June 30, 2009
        "pension_unfunded_actuarial_liability": (48_648 * MN, 190),  # printed as (a - b) = (48,648)
        "pension_actuarial_funded_ratio": (0.584, 190),
        # its continuation page: Other postemployment benefit plan, State substantive plan, June 30, 2010
        "opeb_unfunded_actuarial_liability": (59_906 * MN, 191),
        # Schedule of Demographic and Economic Indicators, 2009 column on the facing page
        "population": (38_477 * TH, 303),
        "personal_income": (1_572_650 * MN, 303),
        # Table 23, Schedule of Changes in Long-term Obligations, "Balance June 30, 2010": governmental general
        # obligation 77,745,789 + revenue 7,611,939, business-type 1,477,663 + 24,538,094 (the "... bonds payable"
        # totals, premiums and accreted interest in); the MD&A: "total bonded debt outstanding of $111.4 billion"
        "bonds_outstanding": ((77_745_789 + 7_611_939 + 1_477_663 + 24_538_094) * TH, 125),
    }),
    # GASB 63 "net position" with deferred outflows and inflows; GASB 54 fund balances; the funds' operating
    # statement over two facing pages (Total governmental funds on the right-hand one).
    "CA_cafr2013": Report("State of California", date(2013, 6, 30), 47, TH, 326, {
        "total_assets": (208_981_299 * TH, 47),
        "deferred_outflows": (1_391_486 * TH, 47),
        "total_liabilities": (213_812_915 * TH, 48),
        "deferred_inflows": (630_378 * TH, 48),
        "net_position_total": (-4_070_508 * TH, 49),  # "Total net position (deficit)", third page
        "net_position_unrestricted": (-120_208_641 * TH, 49),
        "cash_and_investments": (26_130_061 * TH, 47),
        "long_term_liabilities_due_within_one_year": (6_426_162 * TH, 48),
        "long_term_liabilities_due_after_one_year": (164_333_938 * TH, 48),
        "opeb_obligation": (16_069_461 * TH, 48),
        "fund_balance_unassigned": (-14_596_085 * TH, 55),
        "fund_balance_assigned": (0.0, 55),  # printed as a dash
        "fund_balance_committed": (22_879 * TH, 55),
        "general_fund_revenues": (99_379_153 * TH, 59),
        "general_fund_expenditures": (90_114_980 * TH, 59),
        "governmental_funds_expenditures": (202_104_695 * TH, 60),
        "debt_service_principal": (5_189_150 * TH, 60),
        "debt_service_interest": (4_363_260 * TH, 60),
        "debt_service": ((5_189_150 + 4_363_260) * TH, 60),
        # Schedule of Funding Progress (millions): PERF primary government June 30, 2012; OPEB state
        # substantive plan June 30, 2013
        "pension_unfunded_actuarial_liability": (28_169 * MN, 207),
        "pension_actuarial_funded_ratio": (0.79, 207),
        "opeb_unfunded_actuarial_liability": (64_574 * MN, 207),
        "population": (37_872 * TH, 312),  # calendar 2012
        "personal_income": (1_768_039 * MN, 312),
        # Table 22 over two facing pages: the ending balances (June 30, 2013) on the right-hand one: 82,346,211 +
        # 7,735,053 + 887,053 + 25,558,129; MD&A: "$116.5 billion"
        "bonds_outstanding": ((82_346_211 + 7_735_053 + 887_053 + 25_558_129) * TH, 148),
    }, not_recognised={"long_term_debt": 38}),  # the MD&A's "Total long-term obligations" in millions
    # Amounts in millions; NY's zero dash prints as "—00000"; long-term liabilities due in more than one year
    # are itemised under a heading with no total; one debt service line in the funds statement.
    "NY_cafr2010": Report("State of New York", date(2010, 3, 31), 32, MN, 206, {
        "total_assets": (131_254 * MN, 32),
        "total_liabilities": (103_162 * MN, 32),
        "net_position_total": (28_092 * MN, 32),
        "net_position_unrestricted": (-39_937 * MN, 32),  # "Unrestricted (deficit)"
        "cash_and_investments": (16_600 * MN, 32),
        "long_term_liabilities_due_within_one_year": (4_346 * MN, 32),
        "long_term_liabilities_due_after_one_year": (68_098 * MN, 32),  # 12 items, from 823 to 3,093
        "opeb_obligation": (8_000 * MN, 32),  # "Other postemployment benefits", due in more than one year
        "general_fund_revenues": (44_883 * MN, 37),
        "general_fund_expenditures": (54_129 * MN, 37),
        "governmental_funds_expenditures": (128_566 * MN, 37),
        "debt_service": (4_545 * MN, 37),  # "Debt service, including payments on financing arrangements"
        "fund_balance_unreserved": (-6_663 * MN, 35),  # "Unreserved: General"
        # RSI, Schedule of Funding Progress - Other Postemployment Benefits: governmental activities, 4/1/2008
        "opeb_unfunded_actuarial_liability": (46_316 * MN, 103),
        # Demographic and Economic Statistics I, 2009 (1000s); a second table prints U.S. population
        "population": (19_541 * TH, 195),
        "personal_income": (917_610_217 * TH, 195),
        # Note 8, changes in long-term liabilities: general obligation bonds payable, the group's "Total" (net of
        # premiums and the deferred loss on refunding) ending balance; business-type activities print no bonds
        # (the public authorities' bonds are "other financing arrangements", not the State's bonds)
        "bonds_outstanding": (3_418 * MN, 75),
    }),
    # Expressed in thousands; blanks instead of dashes for zero.
    "RI_cafr2010": Report("State of Rhode Island and Providence Plantations", date(2010, 6, 30), 30, TH, 163, {
        "total_assets": (5_069_572 * TH, 30),
        "total_liabilities": (4_268_458 * TH, 30),
        "net_position_total": (801_114 * TH, 30),
        "net_position_unrestricted": (-1_597_142 * TH, 30),
        "long_term_liabilities_due_within_one_year": (224_690 * TH, 30),  # "Current portion of long-term debt"
        "long_term_liabilities_due_after_one_year": (3_331_545 * TH, 30),
        "opeb_obligation": (36_351 * TH, 30),  # "Net OPEB obligation"
        "general_fund_revenues": (5_037_547 * TH, 35),
        "general_fund_expenditures": (5_327_364 * TH, 35),
        "governmental_funds_expenditures": (6_161_002 * TH, 35),
        "debt_service_principal": (163_063 * TH, 35),
        "debt_service_interest": (139_723 * TH, 35),  # "Interest and other charges"
        "debt_service": ((163_063 + 139_723) * TH, 35),
        "fund_balance_unreserved": (17_890 * TH, 33),  # "Unreserved, reported in: General fund"
        # Schedules of Funding Progress: Employees' Retirement System 06/30/2009; OPEB state employees 06/30/2007
        "pension_unfunded_actuarial_liability": (4_728_195 * TH, 115),
        "pension_actuarial_funded_ratio": (0.585, 115),
        "opeb_unfunded_actuarial_liability": (679_538 * TH, 116),
        # Schedule of Personal Income ... Resident Population (expressed in thousands), latest row 2009
        "population": (1_053 * TH, 159),
        "personal_income": (43.1 * BN, 159),
        # Note 6 A, changes in long-term liabilities, ending balance: "Bonds payable, net" 2,597,893 (governmental)
        # + "Revenue bonds, net" 257,294 (business-type); component units not the State's
        "bonds_outstanding": ((2_597_893 + 257_294) * TH, 77),  # "(in billions)", one decimal
    }),
    "RI_cafr2013": Report("State of Rhode Island", date(2013, 6, 30), 37, TH, 188, {
        "total_assets": (5_831_508 * TH, 37),
        "total_liabilities": (4_105_837 * TH, 37),
        # "Deferred inflows of resources" heads one line: "Fair value of hedging derivatives"
        "deferred_inflows": (26_883 * TH, 37),
        "net_position_total": (1_698_788 * TH, 37),
        "net_position_unrestricted": (-1_385_150 * TH, 37),
        "long_term_liabilities_due_within_one_year": (237_260 * TH, 37),
        "long_term_liabilities_due_after_one_year": (3_007_341 * TH, 37),
        "opeb_obligation": (11_341 * TH, 37),  # not the "Net pension obligation" above it
        "fund_balance_unassigned": (9_323 * TH, 40),
        "fund_balance_assigned": (105_639 * TH, 40),
        "fund_balance_committed": (4_035 * TH, 40),
        "general_fund_revenues": (5_300_188 * TH, 42),
        "general_fund_expenditures": (5_570_483 * TH, 42),
        "governmental_funds_expenditures": (6_349_163 * TH, 42),
        "debt_service_principal": (176_970 * TH, 42),
        "debt_service_interest": (126_852 * TH, 42),
        "debt_service": ((176_970 + 126_852) * TH, 42),
        "pension_unfunded_actuarial_liability": (4_502_851 * TH, 132),  # b - a = 4,502,852: rounding
        "pension_actuarial_funded_ratio": (0.578, 132),
        "opeb_unfunded_actuarial_liability": (716_662 * TH, 133),  # state employees plan, 06/30/2011
        "population": (1_052 * TH, 183),  # fiscal 2013 (estimated, the table says)
        "personal_income": (49.5 * BN, 183),
        # Note 6 A: "Bonds Payable, net" 2,463,731 + "Revenue bonds, net" 234,321
        "bonds_outstanding": ((2_463_731 + 234_321) * TH, 87),
    }),
    # Upper-case labels; deferred outflows inside the assets (a dash for the primary government); GASB 54
    # "Assigned for:" heading with items; the funds' operating statement over two facing pages; one funding-
    # progress page per plan; population and personal income under group headers, U.S. beside Alabama.
    "AL_cafr2012": Report("State of Alabama", date(2012, 9, 30), 36, TH, 309, {
        "total_assets": (29_415_130 * TH, 36),
        "deferred_outflows": (0.0, 36),
        "total_liabilities": (4_792_289 * TH, 36),
        "net_position_total": (24_622_841 * TH, 36),  # "TOTAL NET ASSETS"
        "net_position_unrestricted": (-1_631_643 * TH, 36),
        "long_term_liabilities_due_within_one_year": (130_354 * TH, 36),
        "long_term_liabilities_due_after_one_year": (2_692_268 * TH, 36),
        "fund_balance_unassigned": (7_403 * TH, 40),
        "fund_balance_assigned": ((2 + 19 + 2 + 1_785 + 77) * TH, 40),  # General Fund items under "Assigned for"
        "general_fund_revenues": (1_310_652 * TH, 44),
        "general_fund_expenditures": (1_490_146 * TH, 44),
        "governmental_funds_expenditures": (19_365_901 * TH, 45),
        "debt_service_principal": (60_581 * TH, 45),  # "Debt Service - Principal Retirement"
        "debt_service_interest": (47_895 * TH, 45),
        "debt_service": ((60_581 + 47_895) * TH, 45),
        # RSI: ERS state employees and state policemen, 9/30/2011; retired state employees' health care trust
        "pension_unfunded_actuarial_liability": (2_696_300 * TH, 148),
        "pension_actuarial_funded_ratio": (0.638, 148),
        "opeb_unfunded_actuarial_liability": (3_261_174 * TH, 150),  # "(amounts in t housands)" as printed
        "population": (4_802_740, 301),  # 2011, the most recent year available
        "personal_income": (167_517_466 * TH, 301),
        # Note 4 E 9, changes in noncurrent liabilities, ending balance: general obligation 708,349 + revenue
        # 216,937 (governmental) + revenue 662,924 (business-type); the MD&A's "Outstanding Bonded Debt" total
        # prints the same 1,588,210
        "bonds_outstanding": ((708_349 + 216_937 + 662_924) * TH, 114),
    }),
}


@dataclass(frozen=True)
class Accuracy:
    """Fields exact of fields stated (value to 1e-12 relative and page), and values where the truth has none."""

    exact: int
    stated: int
    spurious: int
    wrong: dict[str, dict[str, tuple]]  # report -> metric -> (expected value, page, got (value, page) or None)

    @property
    def share(self) -> float:
        return self.exact / self.stated if self.stated else float("nan")


def _same(found, value: float, page: int) -> bool:
    return found is not None and found.page == page and abs(found.value - value) <= max(1e-9, 1e-12 * abs(value))


def accuracy(extractions: Mapping[str, Extraction]) -> Accuracy:
    """Score extractions of (some of) the REPORTS, keyed by report name, against the truth."""
    exact = stated = spurious = 0
    wrong: dict[str, dict[str, tuple]] = {}
    for name, got in extractions.items():
        expected = REPORTS[name]
        for metric in METRICS:
            found = got.values.get(metric)
            if metric not in expected.values:
                spurious += found is not None
                continue
            value, page = expected.values[metric]
            stated += 1
            if _same(found, value, page):
                exact += 1
            else:
                wrong.setdefault(name, {})[metric] = (value, page, None if found is None else (found.value, found.page))
    return Accuracy(exact, stated, spurious, wrong)
