"""SEC EDGAR assets: the week's ticker map and filing index, its raw XBRL facts, and the standardized financials.

Weekly partitions (`sec_week`), ingested by the Saturday 02:00 America/New_York schedule. The two assets that
fetch from SEC run in the concurrency pool `sec`, which `defs/shared/pools.py` limits to 1 when the project prepares
its instance (the downloader's own pacer keeps one process under SEC's 10 requests/s, the pool keeps two runs from doubling it).
`sec_financials` reads only the stored raw facts, so the reprocess job rebuilds it without any download.
"""


import dagster as dg

from investing_assets.defs.shared import keys
from investing_assets.defs.shared.metadata import markdown_table, stored_in
from investing_assets.defs.shared.partitions import sec_week, week_of
from investing_assets.defs.shared.resources import SecEdgarResource, WarehouseResource
from investing_assets.lib.services.sec_filings import stored_tickers
from investing_assets.lib.services.sec_ingest import fetch_archives, ingest_facts, ingest_index, standardize
from investing_assets.lib.sources import sec_edgar
from investing_assets.lib.sources.sec_edgar import MissingContact
from investing_assets.lib.storage import names
from investing_assets.lib.storage.queries.sec import financials_by_concept, largest_tags, newest_reports

GROUP = "fundamentals"
WEEKLY = dict(partitions_def=sec_week, group_name=GROUP)
SEC_POOL = sec_edgar.POOL  # limited to one by defs/shared/pools.py


def _archives(context: dg.AssetExecutionContext, sec: SecEdgarResource, *parts: str):
    week, as_of = week_of(context)
    try:
        return week, as_of, fetch_archives(sec.source, sec.folder, week, as_of, user_agent=sec.user_agent,
                                           parts=parts)
    except (ValueError, MissingContact) as exc:  # one line, and no retry can fix it
        raise dg.Failure(description=str(exc), allow_retries=False) from None


@dg.asset(**WEEKLY, pool=SEC_POOL, kinds={"postgres", "polars"}, metadata=stored_in(names.SEC_FILINGS),
          description="The week's SEC ticker <-> CIK map (company_tickers.json, kept per week) and the filing index "
                      "of its companies from submissions.zip (filer, SIC, fiscal year end; every filing with its "
                      "form, dates and accession).")
def sec_filing_index(context: dg.AssetExecutionContext, sec_edgar: SecEdgarResource, warehouse: WarehouseResource):
    week, as_of, archives = _archives(context, sec_edgar, "tickers", "submissions")
    store = warehouse.get()
    loaded = ingest_index(store, archives, week)
    newest = newest_reports(store, week)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": loaded.submissions.filings, "source": sec_edgar.source,
        "holds_filings_through": as_of.isoformat(), "tickers": loaded.tickers, "companies": len(loaded.ciks),
        "filers": loaded.submissions.companies, "filings": loaded.submissions.filings,
        "seconds": round(loaded.seconds, 2),
        "newest_reports": dg.MetadataValue.md(markdown_table(newest)) if newest.height else "none",
    })


@dg.asset(**WEEKLY, pool=SEC_POOL, deps=[keys.SEC_FILING_INDEX], kinds={"postgres", "polars"},
          metadata=stored_in(names.SEC_FACTS),
          description="Raw XBRL facts of companyfacts.zip for the ticker map's companies, long form (cik, taxonomy, "
                      "tag, unit, period, fy/fp, form, filed, accession, frame, value) by COPY; each company's "
                      "facts replaced whole, amendments kept beside the originals with their own filed date.")
def sec_raw_facts(context: dg.AssetExecutionContext, sec_edgar: SecEdgarResource, warehouse: WarehouseResource):
    week, as_of, archives = _archives(context, sec_edgar, "companyfacts")
    store = warehouse.get()
    tickers = stored_tickers(store, week)
    if not tickers.height:
        raise dg.Failure(description=f"no SEC ticker map stored for the week of {week.isoformat()}: materialize "
                                     "sec_filing_index for it first", allow_retries=False)
    ciks = sorted(set(tickers.get_column("cik").to_list()))
    loaded = ingest_facts(store, archives, ciks)
    per_tag = largest_tags(store, ciks)
    return dg.MaterializeResult(metadata={
        "dagster/row_count": loaded.facts, "source": sec_edgar.source, "holds_filings_through": as_of.isoformat(),
        "companies": loaded.companies, "facts": loaded.facts,
        "companies_without_facts": len(ciks) - loaded.companies,
        "copy_seconds": round(loaded.seconds, 2),
        "facts_per_s": round(loaded.facts / loaded.seconds) if loaded.seconds else None,
        "stored_facts_total": store.count(names.SEC_FACTS),
        "largest_tags": dg.MetadataValue.md(markdown_table(per_tag)) if per_tag.height else "none",
    })


@dg.asset(**WEEKLY, deps=[keys.SEC_RAW_FACTS], kinds={"postgres", "polars"}, metadata=stored_in(names.SEC_FINANCIALS),
          description="Standardized financials per company and fiscal period (revenue, net income, diluted EPS and "
                      "shares, assets, liabilities, equity, operating cash flow, capex, dividends per share, shares "
                      "outstanding), one row per filing that gave each figure, so a session sees only what was "
                      "filed by then; quarters derived from year-to-date figures. Built from the stored raw facts "
                      "only (the reprocess job reruns it without downloading).")
def sec_financials(context: dg.AssetExecutionContext, warehouse: WarehouseResource):
    store = warehouse.get()
    done = standardize(store)
    by_concept = financials_by_concept(store)
    meta: dict[str, object] = {
        "dagster/row_count": done.rows, "read_from": f"{names.SEC_FACTS} (nothing downloaded)",
        "companies": done.companies, "facts_read": done.facts, "rows": done.rows, "seconds": round(done.seconds, 2),
        "concepts": dg.MetadataValue.md(markdown_table(by_concept)) if by_concept.height else "none",
    }
    if done.preview.height:
        meta["preview"] = dg.MetadataValue.md(markdown_table(done.preview))
    if not done.companies:
        context.log.warning("no raw SEC facts stored: materialize sec_raw_facts first")
    return dg.MaterializeResult(metadata=meta)

