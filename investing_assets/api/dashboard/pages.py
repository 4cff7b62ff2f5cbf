"""The dashboard's pages: each one reads through the read services (Redis first where a hot cache exists), builds
its figures server-side and renders a template. A section whose data is not stored yet says so and names what
to materialize; the page still renders. Every page carries the synthetic banner when any of its data is made up."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import plotly
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates

from investing_assets.api.dashboard import charts
from investing_assets.api.responses import CSV_TYPE, csv_body
from investing_assets.lib.muni.issuer_panel import FEATURES
from investing_assets.lib.services.muni.scores import document_book
from investing_assets.lib.services.reads import (
    MAX_LIMIT,
    Label,
    NotFound,
    Refused,
    Result,
    Stores,
    Window,
    fundamentals,
    market,
    muni,
    screener,
    symbols,
)
from investing_assets.lib.services.reads.results import label_of, plain

router = APIRouter(prefix="/dashboard", include_in_schema=False)
templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.globals["plotly_version"] = plotly.__version__
SCREEN_PAGE = 100
MOVERS = 8
SYMBOL_DAYS = 120
OTHER_QUOTES = ("etf", "commodity", "crypto", "fx")
_READERS = ThreadPoolExecutor(max_workers=4, thread_name_prefix="dashboard-read")


def _stores(request: Request) -> Stores:
    return request.app.state.stores


class Missing:
    """A section whose read found nothing (or was refused): the one-line reason is shown in its place."""

    def __init__(self, reason: str) -> None:
        self.reason = reason

    def __bool__(self) -> bool:
        return False


def attempt(read: Callable[[], Result]) -> Result | Missing:
    try:
        return read()
    except (NotFound, Refused) as exc:
        return Missing(str(exc))


def _label(*results: Result | Missing | Label) -> Label:
    """The page's label: synthetic when any of its data is, with the first note that says so."""
    labels = [r if isinstance(r, Label) else r.label for r in results if isinstance(r, Result | Label)]
    return next((label for label in labels if label.synthetic), Label())


def render(request: Request, template: str, title: str, label: Label, status_code: int = 200,
           **context: Any) -> HTMLResponse:
    return templates.TemplateResponse(request, template, {"title": title, "label": label, **context},
                                      status_code=status_code)


def refusal(request: Request, exc: Exception) -> HTMLResponse:
    status = 404 if isinstance(exc, NotFound) else 422
    return render(request, "error.html", "Not found" if status == 404 else "Refused", Label(), status, message=str(exc))


@router.get("", response_class=HTMLResponse)
@router.get("/", response_class=HTMLResponse)
def overview(request: Request) -> HTMLResponse:
    stores = _stores(request)
    # independent reads, each mostly waiting on PostgreSQL or Redis: side by side, the page waits for the slowest
    reads = {
        "indexes": lambda: market.quotes(stores, "index", Window(MAX_LIMIT)),
        "screen": lambda: screener.screen(stores, screener.Criteria(sort="change_pct", descending=True),
                                          Window(MAX_LIMIT)),
        "industries": lambda: fundamentals.industry(stores, Window(MAX_LIMIT), level="industry"),
        "sectors": lambda: fundamentals.industry(stores, Window(MAX_LIMIT), level="sector"),
        "valuations": lambda: fundamentals.valuations(stores, Window(MAX_LIMIT)),
        **{name: (lambda name=name: market.quotes(stores, name, Window(MAX_LIMIT))) for name in OTHER_QUOTES},
    }
    done = dict(zip(reads, _READERS.map(attempt, reads.values()), strict=True))
    indexes, screen, industries, sectors, valuations = (
        done[name] for name in ("indexes", "screen", "industries", "sectors", "valuations"))
    others = {name: done[name] for name in OTHER_QUOTES}
    movers = []
    if screen:
        ranked = [row for row in screen.data if row["change_pct"] is not None]
        movers = ranked[:MOVERS] + [row for row in ranked[-MOVERS:] if row not in ranked[:MOVERS]]
    figures = {
        "index-levels": indexes and charts.to_json(charts.index_changes(indexes.data)),
        "movers": movers and charts.to_json(charts.movers(movers)),
        "sector-heatmap": industries and charts.to_json(charts.sector_heatmap(industries.data, sectors.data if sectors else [])),
        "index-pe": valuations and charts.to_json(charts.index_pe(valuations.data)),
    }
    return render(request, "overview.html", "Market overview",
                  _label(indexes, screen, industries, valuations, *others.values()),
                  indexes=indexes, movers=movers, screen=screen, sectors=sectors, valuations=valuations,
                  others=others, figures=figures)


def criteria_from(params: dict[str, str]) -> screener.Criteria:
    """The screener's form fields (an empty field: no bound), refused in one line when a number is not one."""
    numbers = ("min_price", "max_price", "min_volume", "min_change", "max_change", "min_rsi", "max_rsi")
    values: dict[str, Any] = {}
    for name in numbers:
        text = params.get(name, "").strip()
        if text:
            try:
                values[name] = float(text)
            except ValueError:
                raise Refused(f"screener field {name}: {text!r} is not a number") from None
    for name in ("sector", "pattern", "event", "above"):
        if params.get(name, "").strip():
            values[name] = params[name].strip()
    values["discovered"] = params.get("discovered") in ("1", "on", "true")
    values["sort"] = params.get("sort") or "symbol"
    values["descending"] = params.get("order") == "desc"
    return screener.Criteria(**values)


def _offset(params: dict[str, str]) -> int:
    text = params.get("offset", "0")
    if not text.isdigit():
        raise Refused(f"offset must be a whole number of rows (got {text!r})")
    return int(text)


@router.get("/screener", response_class=HTMLResponse)
def screener_page(request: Request) -> HTMLResponse:
    params = dict(request.query_params)
    try:
        criteria, offset = criteria_from(params), _offset(params)
        session = _session(params.get("session"))
        result = screener.screen(_stores(request), criteria, Window(SCREEN_PAGE, offset), session)
        everything = screener.ordered(screener.session_screen(_stores(request), session)[0], criteria)
    except (NotFound, Refused) as exc:
        return refusal(request, exc)
    query = {k: v for k, v in params.items() if v and k != "offset"}
    return render(request, "screener.html", "Screener", result.label, result=result, criteria=criteria,
                  params=params, query=query, sortable=screener.SORTABLE, above=screener.ABOVE,
                  offset=offset, page_size=SCREEN_PAGE,
                  figure=charts.to_json(charts.screen_scatter(everything)) if everything else None)


@router.get("/screener.csv")
def screener_csv(request: Request) -> Response:
    """Every row the screen keeps (not one page), as the table shows them."""
    params = dict(request.query_params)
    try:
        criteria, session = criteria_from(params), _session(params.get("session"))
        rows, as_of, _, _ = screener.session_screen(_stores(request), session)
    except (NotFound, Refused) as exc:
        return refusal(request, exc)
    kept = screener.ordered(rows, criteria)
    label = label_of((row.get("source") for row in rows), _stores(request).market_source)
    headers = {"Content-Disposition": f'attachment; filename="screener-{as_of}.csv"',
               "X-Synthetic": "true" if label.synthetic else "false"}
    if label.note:
        headers["X-Data-Note"] = label.note
    return Response(csv_body(kept), media_type=CSV_TYPE, headers=headers)


def _session(text: str | None) -> dt.date | None:
    if not text:
        return None
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise Refused(f"session {text!r} is not a date (YYYY-MM-DD)") from None


@router.get("/symbols", response_class=HTMLResponse)
def symbol_search(request: Request, symbol: str = "") -> Response:
    if not symbol.strip():
        return RedirectResponse("/dashboard/screener")
    return RedirectResponse(f"/dashboard/symbols/{symbol.strip().upper()}")


@router.get("/symbols/{symbol}", response_class=HTMLResponse)
def symbol_page(request: Request, symbol: str, days: int = SYMBOL_DAYS, session: str | None = None) -> HTMLResponse:
    try:
        snapshot = symbols.snapshot(_stores(request), symbol.upper(), _session(session), days)
    except (NotFound, Refused) as exc:
        return refusal(request, exc)
    data = snapshot.data
    happened = sorted(
        [{"session": r["session"], "kind": "chart pattern", "name": r["pattern"], "direction": r["direction"],
          "detail": f"from {r['start_session']}, breakout {r['breakout_level']:.2f}"
                    + (f", target {r['target']:.2f}" if r.get("target") is not None else "")}
         for r in data["chart_patterns"]]
        + [{"session": r["session"], "kind": "candlestick", "name": r["pattern"], "direction": r["direction"],
            "detail": r.get("reason") or ""} for r in data["candlestick_patterns"]]
        + [{"session": r["session"], "kind": "event", "name": r["event"], "direction": r["direction"],
            "detail": r.get("detail") or ""} for r in data["events"]],
        key=lambda r: (r["session"], r["kind"], r["name"]), reverse=True)
    return render(request, "symbol.html", f"{data['symbol']}", snapshot.label, snapshot=data, happened=happened,
                  days=days, figure=charts.to_json(charts.symbol_chart(data)))


@router.get("/discoveries", response_class=HTMLResponse)
def discoveries_page(request: Request, session: str | None = None, offset: int = 0) -> HTMLResponse:
    stores = _stores(request)
    try:
        day = _session(session)
        latest = None if day else attempt(lambda: market.latest_scan(stores, Window(MAX_LIMIT)))
        day = day or (dt.date.fromisoformat(latest.as_of) if latest else None)
        if day is None:
            return render(request, "discoveries.html", "Scanner discoveries", Label(), result=latest, day=None,
                          figure=None, offset=0, page_size=SCREEN_PAGE)
        result = market.discoveries(stores, day, Window(MAX_LIMIT, offset))
    except (NotFound, Refused) as exc:
        return refusal(request, exc)
    return render(request, "discoveries.html", "Scanner discoveries", result.label, result=result, day=day,
                  figure=charts.to_json(charts.discovery_counts(result.data)) if result.data else None,
                  offset=offset, page_size=MAX_LIMIT)


@router.get("/muni", response_class=HTMLResponse)
def muni_page(request: Request) -> HTMLResponse:
    stores = _stores(request)
    scores = attempt(lambda: muni.risk_scores(stores, Window(MAX_LIMIT)))
    documents = attempt(lambda: muni.documents(stores, Window(MAX_LIMIT)))
    inputs: dict[str, dict[str, Any]] = {}
    if scores:
        keys = {row["document_key"] for row in scores.data if row["document_key"]}
        features = {row["document_key"]: plain(row) for row in document_book(stores.warehouse).to_dicts()
                    if row["document_key"] in keys}
        for key in sorted(keys):
            found = attempt(lambda key=key: muni.document(stores, key))
            inputs[key] = {"features": features.get(key, {}), "document": found.data if found else None}
    return render(request, "muni.html", "Muni book", _label(scores), scores=scores, documents=documents,
                  inputs=inputs, feature_names=FEATURES,
                  figure=charts.to_json(charts.muni_probabilities(scores.data)) if scores else None)
