"""A chat request in words -> a validated plan: a job with its partitions and parameters, or a question the read
services answer.

Two parsers produce the same unvalidated `Draft` (a flat dict of strings): `parse_rules` (deterministic,
offline: keyword phrases per job, dates, tickers) and launch/llm.py (an OpenAI-compatible endpoint, when one is
configured). `validate` is the one gate after either: the job must be on the allow-list (launch/catalog.py),
sessions real NYSE sessions that have closed and lie inside the partitions, symbols plain tickers; anything else is
refused in one line (`Refusal`).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import asdict, dataclass, field
from typing import Any

from investing_assets.lib.core import calendar
from investing_assets.lib.core.symbols import is_ticker, ticker_refusal

# How a request names each job: a job is chosen by the most phrases matched (launch/catalog.py lists the jobs
# and fails a test for one that is neither here nor set aside).
PHRASES: dict[str, tuple[str, ...]] = {
    "pricing_updates": (r"\b(daily )?bars\b", r"\bprices?\b", r"\bpricing\b", r"\buniverse\b",
                        r"\bcorporate actions\b", r"\bsplits\b", r"\bdividends\b"),
    "etf_index_quotes": (r"\betfs?\b", r"\bindex (quotes|levels)\b", r"\bconstituents\b", r"\bholdings\b"),
    "commodities_crypto": (r"\bcommodit(y|ies)\b", r"\bcrypto\b", r"\bfx\b", r"\bcurrenc(y|ies)\b"),
    "indicator_updates": (r"\bindicators?\b",),
    "daily_market_scan": (r"\b(re)?scan(s|ner)?\b", r"\bpatterns?\b", r"\bcorrelations?\b"),
    "watchlist_reports": (r"\bwatchlist\b", r"\breports?\b"),
    "analyst_estimates_update": (r"\bestimates?\b", r"\bconsensus\b"),
    "industry_aggregation_update": (r"\bindustr(y|ies)\b", r"\bsector aggregates\b", r"\bvaluations?\b"),
    "news_ingestion": (r"\bnews\b", r"\bheadlines\b"),
    "adhoc_bond_risk_training": (r"\b(re)?train(ing)?\b", r"\b(muni|bond|risk) model\b"),
    "daily_bond_risk": (r"\b(bond|muni|issuer) (risk )?scores?\b", r"\bscore (the )?(munis|bonds|issuers)\b"),
    "model_memory_sync": (r"\bmemory\b", r"\bsync\b"),
    "ibkr_fundamentals_update": (r"\bibkr\b", r"\bfundamentals\b", r"\bfinancial statements\b"),
}
# Jobs whose runs take symbols, and how: the scan's own config, or the watchlist grid's symbol partitions.
SYMBOL_JOBS = ("daily_market_scan", "watchlist_reports")
LAUNCH_VERBS = re.compile(r"\b(backfill|run|re-?run|rescan|scan|launch|retrain|train|refresh|reload|load|fetch|"
                          r"update|sync|materiali[sz]e|score|ingest)\b")
QUESTION = re.compile(r"^\s*(what|which|show|list|how|who|where|when|give|tell|is|are|top)\b|\?\s*$")
ANSWERS: dict[str, tuple[str, ...]] = {
    "discoveries": (r"\bdiscover(y|ies)\b", r"\btop (picks|signals)\b", r"\bscan results?\b"),
    "quotes": (r"\bquotes?\b", r"\bindex levels\b"),
    "run_status": (r"\bruns?\b.*\bstatus\b", r"\bstatus\b.*\bruns?\b", r"\brecent runs\b"),
    "jobs": (r"\bjobs\b", r"\bwhat can (you|i) (run|launch)\b"),
    "launches": (r"\blaunches\b", r"\bwhat did you (run|launch)\b"),
}
QUOTE_CLASSES = ("index", "etf", "commodity", "crypto", "fx")
# Capitalised words that are not tickers in a request ("rescan AAPL AND MSFT FOR ...", "ETF quotes").
NOT_TICKERS = frozenset({"A", "I", "AND", "OR", "FOR", "THE", "TO", "FROM", "OF", "ON", "IN", "ALL", "ETF", "ETFS",
                         "FX", "NYSE", "US", "USA", "API", "ETL", "ID", "OK", "PE", "P", "E", "AM", "PM", "UTC",
                         "EST", "EDT", "NY", "MCP", "GASB", "ACFR", "SEC", "IPO", "IBKR", "TWS"})
MONTHS = {name: k for k, names in enumerate(
    [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",), ("jun", "june"),
     ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
     ("dec", "december")], 1) for name in names}
_MONTH = "|".join(sorted(MONTHS, key=len, reverse=True))
_DATE = re.compile(rf"\b(?:(?P<iso>\d{{4}}-\d{{2}}-\d{{2}})|(?P<mon>{_MONTH})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?"
                   rf"(?:,?\s+(?P<year>\d{{4}}))?|(?P<day2>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon2>{_MONTH})"
                   rf"(?:,?\s+(?P<year2>\d{{4}}))?|(?P<word>today|yesterday|last session|latest session))\b")
_MONTH_ONLY = re.compile(rf"\b(?:(?P<mon>{_MONTH})\s+(?P<year>\d{{4}})|(?P<ym>\d{{4}}-\d{{2}})(?!-\d))\b")
_LAST_N = re.compile(r"\blast (?P<n>\d{1,4}) (sessions|trading days|days)\b")


class Refusal(ValueError):
    """A request that cannot be launched or answered as asked: one line saying why."""


@dataclass
class Draft:
    """What a parser read from the words, before validation: dates as ISO text, symbols as typed."""

    action: str  # launch | answer
    job: str | None = None
    answer: str | None = None  # discoveries | quotes | run_status | jobs | launches
    start: str | None = None
    end: str | None = None
    month: str | None = None  # YYYY-MM, for monthly partitions
    symbols: list[str] = field(default_factory=list)
    asset_class: str | None = None
    run_id: str | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Draft:
        known = {k: data.get(k) for k in cls.__dataclass_fields__ if data.get(k) is not None}
        if not isinstance(known.get("symbols", []), list):
            raise Refusal(f"symbols must be a list of tickers (got {known['symbols']!r})")
        return cls(**known)


@dataclass
class Plan:
    """A validated request: what will run (or be read) and with what; `describe` is what the user confirms."""

    request: str
    action: str
    parsed_by: str
    job: str | None = None
    partitions: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    run_config: dict[str, Any] = field(default_factory=dict)
    answer: str | None = None
    session: str | None = None
    asset_class: str | None = None
    run_id: str | None = None
    id: str | None = None  # set when the chat keeps the plan for confirmation
    conversation: str | None = None

    def describe(self) -> str:
        if self.action == "answer":
            what = {"discoveries": f"the top discoveries of {self.session or 'the latest scan'}",
                    "quotes": f"the latest {self.asset_class or 'index'} quotes",
                    "run_status": f"run {self.run_id}" if self.run_id else "the newest runs",
                    "jobs": "the jobs the chat can launch", "launches": "the chat's recent launches"}[self.answer]
            return f"answer: {what}"
        if not self.partitions:
            span = "(unpartitioned)"
        elif len(self.partitions) == 1:
            span = f"partition {self.partitions[0]} (one run)"
        else:
            span = f"{len(self.partitions)} partitions {self.partitions[0]} .. {self.partitions[-1]} (a backfill)"
        symbols = f", symbols {', '.join(self.symbols)}" if self.symbols else ""
        return f"launch {self.job}: {span}{symbols}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.describe()}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(**{k: v for k, v in data.items() if k in cls.__dataclass_fields__})


# -- the deterministic parser ---------------------------------------------------------------------------------------

def parse_rules(text: str, now: dt.datetime | None = None) -> Draft:
    """The offline parser: the job by its phrases, dates and ranges in words (relative to `now`, New York),
    tickers as typed (upper case)."""
    lowered = " ".join(text.lower().split())
    if not lowered:
        raise Refusal("empty request: say what to run (e.g. 'backfill daily bars from Nov 2 to Nov 20') or ask")
    draft = _dates(lowered, now)
    draft.symbols = _tickers(text)
    answer = _best(ANSWERS, lowered)
    if answer and (QUESTION.search(lowered) or not LAUNCH_VERBS.search(lowered)):
        draft.action, draft.answer = "answer", answer
        draft.asset_class = next((c for c in QUOTE_CLASSES if re.search(rf"\b{c}\b", lowered)), None)
        draft.run_id = next(iter(re.findall(r"\b[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}\b", lowered)), None)
        return draft
    job = _best(PHRASES, lowered)
    if job is None:
        raise Refusal(f"no job matches {text.strip()!r}: name what to run (bars, quotes, indicators, scan, "
                      "estimates, industry, news, muni model, bond scores, memory) or ask about discoveries")
    draft.action, draft.job = "launch", job
    return draft


def _best(table: dict[str, tuple[str, ...]], text: str) -> str | None:
    scores = {name: sum(bool(re.search(p, text)) for p in patterns) for name, patterns in table.items()}
    top = max(scores.values())
    if top == 0:
        return None
    winners = [name for name, score in scores.items() if score == top]
    if len(winners) > 1:
        raise Refusal(f"ambiguous request: it could be {' or '.join(winners)}; say which")
    return winners[0]


def _tickers(text: str) -> list[str]:
    """Words typed in capitals (tickers are; `$AAPL` too), each checked by `validate` against the ticker rule, so
    `B@D` is refused rather than read as two symbols. Words with no letter (dates, numbers) are not candidates."""
    found: list[str] = []
    for word in re.split(r"[\s,;]+", text):
        token = word.strip("()[]{}'\"!?:").rstrip(".").removeprefix("$")
        if not token or not any(c.isalpha() for c in token) or any(c.islower() for c in token):
            continue
        if token not in NOT_TICKERS and token not in found:
            found.append(token)
    return found


def _dates(text: str, now: dt.datetime | None) -> Draft:
    draft = Draft(action="launch")
    if (last := _LAST_N.search(text)) is not None:
        sessions = calendar.sessions_ending(calendar.last_closed_session(now), int(last["n"]))
        draft.start, draft.end = sessions[0].isoformat(), sessions[-1].isoformat()
        return draft
    days = [_day(match, now) for match in _DATE.finditer(text)]
    if days:
        draft.start, draft.end = days[0].isoformat(), days[-1].isoformat()
    elif (month := _MONTH_ONLY.search(text)) is not None:
        draft.month = month["ym"] or f"{month['year']}-{MONTHS[month['mon']]:02d}"
    return draft


def _day(match: re.Match, now: dt.datetime | None) -> dt.date:
    today = calendar.in_new_york(now).date()
    if match["iso"]:
        try:
            return dt.date.fromisoformat(match["iso"])
        except ValueError:
            raise Refusal(f"not a date: {match['iso']!r}") from None
    if match["word"]:
        if match["word"] == "today":
            return today
        if match["word"] == "yesterday":  # the session before today's: a Monday's yesterday is Friday's session
            return calendar.last_session_on_or_before(today - dt.timedelta(days=1))
        return calendar.last_closed_session(now)
    month = MONTHS[match["mon"] or match["mon2"]]
    day, year = int(match["day"] or match["day2"]), match["year"] or match["year2"]
    try:
        if year:
            return dt.date(int(year), month, day)
        guess = dt.date(today.year, month, day)  # without a year: the latest such date not after today
        return guess if guess <= today else dt.date(today.year - 1, month, day)
    except ValueError:
        raise Refusal(f"not a date: {match.group(0)!r}") from None


# -- validation, for either parser --------------------------------------------------------------------------------

def validate(draft: Draft, request: str, *, parsed_by: str, now: dt.datetime | None = None) -> Plan:
    """The one gate: a Plan the user can confirm, or a Refusal naming the job, session, symbol or range."""
    from investing_assets.launch import catalog

    symbols = [_symbol(s) for s in draft.symbols]
    if draft.action == "answer":
        return _answer_plan(draft, request, parsed_by, symbols, calendar.in_new_york(now).date())
    if draft.action != "launch":
        raise Refusal(f"unknown action {draft.action!r}: launch or answer")
    entry = catalog.jobs().get(draft.job or "")
    if entry is None:
        raise Refusal(f"{draft.job!r} is not a job of this code location (see the list of jobs)")
    if not entry.launchable:
        raise Refusal(f"{entry.name} is not launched from the chat: {entry.why_not}")
    if symbols and entry.name not in SYMBOL_JOBS:
        raise Refusal(f"{entry.name} runs over the whole universe and takes no symbols (got {', '.join(symbols)})")
    plan = Plan(request, "launch", parsed_by, job=entry.name, symbols=symbols)
    if entry.partitioning == "session":
        sessions = _sessions(draft, now)
        plan.partitions = [d.isoformat() for d in sessions]
        if symbols:  # the scan's own config: only these symbols' rows are replaced
            plan.run_config = {"ops": {"daily_scan": {"config": {"symbols": symbols}}}}
    elif entry.partitioning == "watchlist":
        if not symbols:
            raise Refusal("watchlist_reports needs the watchlist symbols to report on (e.g. 'watchlist reports "
                          "for AAPL yesterday')")
        sessions = _sessions(draft, now)
        plan.partitions = [f"{d.isoformat()}|{s}" for d in sessions for s in symbols]
    elif entry.partitioning == "month":
        plan.partitions = [_month(draft, now)]
    elif entry.partitioning == "none":
        if draft.start or draft.month:
            raise Refusal(f"{entry.name} is not partitioned: it takes no date")
    else:
        raise Refusal(f"{entry.name} is partitioned by {entry.partitioning}, which the chat cannot name")
    return plan


def _answer_plan(draft: Draft, request: str, parsed_by: str, symbols: list[str], today: dt.date) -> Plan:
    if draft.answer not in ANSWERS:
        raise Refusal(f"unknown question {draft.answer!r}: ask about {', '.join(ANSWERS)}")
    plan = Plan(request, "answer", parsed_by, answer=draft.answer, symbols=symbols, run_id=draft.run_id)
    if draft.answer == "discoveries" and draft.start and draft.start != today.isoformat():  # today: the latest scan
        plan.session = _session(draft.start, "the discoveries' session").isoformat()
    if draft.answer == "quotes":
        if draft.asset_class not in (None, *QUOTE_CLASSES):
            raise Refusal(f"unknown asset class {draft.asset_class!r}: one of {', '.join(QUOTE_CLASSES)}")
        plan.asset_class = draft.asset_class or "index"
    if draft.run_id is not None and not re.fullmatch(r"[0-9a-f-]{8,36}", draft.run_id):
        raise Refusal(f"not a run id: {draft.run_id!r}")
    return plan


def _symbol(text: Any) -> str:
    symbol = str(text).upper()
    if not is_ticker(symbol):
        raise Refusal(ticker_refusal(text))
    return symbol


def _session(text: str, what: str) -> dt.date:
    try:
        day = dt.date.fromisoformat(str(text))
    except ValueError:
        raise Refusal(f"not a date: {text!r} (use YYYY-MM-DD)") from None
    if not calendar.is_session(day):
        raise Refusal(f"{day.isoformat()} ({what}) is not an NYSE session: it is {calendar.describe_day(day)}; "
                      f"{calendar.nearest_sessions(day)}")
    return day


def _sessions(draft: Draft, now: dt.datetime | None) -> list[dt.date]:
    from investing_assets.defs.shared.partitions import OutsideCalendar, require_in_calendar

    if draft.start is None:  # no date named: the last closed session, shown before it runs
        start = end = calendar.last_closed_session(now)
    else:
        start = _session(draft.start, "the first session")
        end = _session(draft.end or draft.start, "the last session")
    if end < start:
        raise Refusal(f"the range runs backwards: {start.isoformat()} to {end.isoformat()}")
    try:
        return calendar.require_closed(require_in_calendar(start, end), now)
    except (OutsideCalendar, calendar.SessionNotClosed) as exc:
        raise Refusal(str(exc)) from None


def _month(draft: Draft, now: dt.datetime | None) -> str:
    current = calendar.in_new_york(now).date().replace(day=1)
    if draft.month is None:
        return current.isoformat()
    try:
        month = dt.date.fromisoformat(f"{draft.month}-01")
    except ValueError:
        raise Refusal(f"not a month: {draft.month!r} (use YYYY-MM)") from None
    from investing_assets.defs.shared.partitions import muni_month

    first = muni_month.start.date()
    if not first <= month <= current:
        raise Refusal(f"month {draft.month} is outside the model's partitions ({first:%Y-%m} to {current:%Y-%m})")
    return month.isoformat()
