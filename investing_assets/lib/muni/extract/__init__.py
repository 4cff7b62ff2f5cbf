"""Key credit figures from a municipal annual financial report (CAFR/ACFR) PDF, with provenance.

Why this shape: a muni report states a few dozen figures that matter for credit, scattered over statements
whose layouts differ by issuer and by era ("Net Assets" before GASB 63, "Net Position" after). We
1. reject unusable files early with a machine-readable reason (`DocumentRejected.reason`);
2. read every page's plain text once (cheap) to find the statement pages by their titles;
3. rebuild rows and columns from word positions only on those few candidate pages: numbers are right-aligned,
   so columns are clusters of right edges; "$" in its own column, parentheses, dashes, numbers split into
   fragments and labels wrapped over two lines are repaired there;
4. read each metric from one labelled row in one identified column (primary-government Total, General Fund,
   Total governmental funds, latest year, ending balance ...), or from a heading's total row or the rows under
   it. A metric without such a row is None with a reason (`not_stated`, or `not_recognised` with the line that
   looked like it): never guessed;
5. check the arithmetic: figures that cross-foot (the statement of net position's identity, Governmental +
   Business-type = Total, a funding-progress row's b - a and a / b) or are restated in the MD&A gain confidence,
   figures that do not foot lose it.

Every value keeps its 1-based page, the source text line and a confidence that says how it was found; so does
the fiscal year end.

Modules, in reading order: `guard` (step 1), `statements` (step 2), `tokens`, `layout` and `pages` (step 3),
`rules`, `columns` and `readers` (step 4), `funding_progress` (the actuarial RSI schedules), `bonds` (bonds
outstanding from the debt note's changes table), `crossfoot`
(confidence from arithmetic: step 5), `identity` (issuer, fiscal year end, scale) and `results` (what is
returned). `extract` runs them on one file; `extract_with_timeout` runs `extract` in a child process it can kill, under a memory
limit.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import resource
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from investing_assets.lib.core.muni_metrics import METRICS
from investing_assets.lib.muni.extract.bonds import read_bonds_outstanding
from investing_assets.lib.muni.extract.crossfoot import apply_checks, derived_debt_service
from investing_assets.lib.muni.extract.funding_progress import read_funding_progress
from investing_assets.lib.muni.extract.guard import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_MEMORY_MB,
    DEFAULT_MAX_PAGES,
    REJECT_REASONS,
    DocumentRejected,
    failure,
    inspect_pdf,
    open_checked,
    out_of_memory,
    page_texts,
    require_text_layer,
)
from investing_assets.lib.muni.extract.identity import (
    document_scale,
    find_fiscal_year_end,
    find_issuer,
    home_name,
)
from investing_assets.lib.muni.extract.readers import from_rows, from_year_table
from investing_assets.lib.muni.extract.results import ExtractedValue, Extraction, Missing
from investing_assets.lib.muni.extract.rules import FUND_DEBT_SERVICE, RULES, YEAR_TABLE, Context
from investing_assets.lib.muni.extract.statements import Document

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_MEMORY_MB",
    "DEFAULT_MAX_PAGES",
    "REJECT_REASONS",
    "DocumentRejected",
    "ExtractedValue",
    "Extraction",
    "Missing",
    "extract",
    "extract_with_timeout",
    "inspect_pdf",
]


def extract(
    path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES, max_pages: int = DEFAULT_MAX_PAGES
) -> Extraction:
    """Read the figures in METRICS out of one report. Raises DocumentRejected for unusable files."""
    name = Path(path).name
    fitz_doc = open_checked(path, max_bytes, max_pages)
    try:
        texts = page_texts(fitz_doc, name)
        require_text_layer(texts, name)
        doc = Document(fitz_doc, texts)
        scale, scale_text, np_scales = document_scale(doc)
        fye, fye_source = find_fiscal_year_end(doc)
        issuer = find_issuer(doc)
        ctx = Context(doc=doc, scale=scale, fiscal_year_end=fye, np_scale_page=np_scales, home=home_name(issuer))
        found = read_metrics(ctx)
        apply_checks(found, doc, scale)
        return Extraction(
            issuer=issuer,
            fiscal_year_end=fye,
            scale=scale,
            scale_text=scale_text,
            pages=fitz_doc.page_count,
            values={m: v if isinstance(v, ExtractedValue) else None for m, v in ((m, found.get(m)) for m in METRICS)},
            missing={m: v for m, v in found.items() if isinstance(v, Missing)},
            fiscal_year_end_source=fye_source,
        )
    except DocumentRejected:
        raise
    except Exception as exc:
        raise failure("unreadable", name, f"{name}: {type(exc).__name__}: {exc}", exc) from exc
    finally:
        fitz_doc.close()


def read_metrics(ctx: Context) -> dict[str, ExtractedValue | Missing]:
    """Every metric's value or the reason it has none."""
    found: dict[str, ExtractedValue | Missing] = {}
    for rule in RULES:
        found[rule.metric] = from_year_table(rule, ctx) if rule.column == YEAR_TABLE else from_rows(rule, ctx)
    found.update(read_funding_progress(ctx))
    found["bonds_outstanding"] = read_bonds_outstanding(ctx)
    if isinstance(found["debt_service"], Missing):  # no total in the debt notes: the funds statement's
        in_funds = from_rows(FUND_DEBT_SERVICE, ctx)
        found["debt_service"] = in_funds if isinstance(in_funds, ExtractedValue) else (
            derived_debt_service(found) or found["debt_service"])
    return found


def _address_space() -> int:
    """Bytes of address space this process holds now (Linux; 0 where /proc is absent)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _limit_memory(max_memory_mb: float | None) -> int | None:
    """Cap the address space at what the process holds now plus `max_memory_mb` (the interpreter and the
    preloaded parser are not the document's), as a soft limit the process can lift again to report; returns the
    hard limit to lift it to, or None when there is no limit."""
    if not max_memory_mb or max_memory_mb <= 0:
        return None
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    limit = _address_space() + int(max_memory_mb * (1 << 20))
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
    return hard


def _child_main(conn, target: Callable[..., Any], path: str, kwargs: dict[str, Any],
                max_memory_mb: float | None = None) -> None:
    lift = _limit_memory(max_memory_mb)
    try:
        result = ("ok", target(path, **kwargs))
    except DocumentRejected as exc:
        result = ("rejected", exc)
    except BaseException as exc:  # report, don't die silently
        result = ("error", f"{type(exc).__name__}: {exc}")
        if out_of_memory(exc):
            result = ("rejected", DocumentRejected(
                "too_much_memory", f"{Path(path).name} needs more than the extraction's memory limit of "
                                   f"{max_memory_mb:,g} MB: {type(exc).__name__}: {exc}"))
    if lift is not None:  # room to pickle and send the result
        resource.setrlimit(resource.RLIMIT_AS, (lift, lift))
    try:
        conn.send(result)
    finally:
        conn.close()


def _worker_context() -> multiprocessing.context.BaseContext:
    """A fork server with the parser preloaded: each child is forked from a small single-threaded process
    that imported it once, so a document costs its own parsing, not an interpreter start and a PyMuPDF import
    (seconds) as a spawned child does; spawn where there is no fork server."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload([__name__])
    return ctx


@contextlib.contextmanager
def _main_not_rerun() -> Iterator[None]:
    """Start a child without the main script's path: multiprocessing would run a main given as a path again in
    every child (the `investing` console script imports the whole CLI, ~0.7 s a document), and the child needs
    nothing of it (its target is a function of this package). A main run with `-m` is named, not a path, and
    is not run again, so nothing changes for it."""
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    if main is None or path is None or getattr(main, "__spec__", None) is not None:
        yield
        return
    del main.__file__
    try:
        yield
    finally:
        main.__file__ = path


def extract_with_timeout(
    path: str | Path,
    timeout_s: float = 60,
    *,
    max_memory_mb: float | None = DEFAULT_MAX_MEMORY_MB,
    _target: Callable[..., Any] | None = None,
    **kw: Any,
) -> Extraction:
    """`extract` in a child process, killed after `timeout_s` seconds (wall clock, child start-up
    included): a malformed PDF that sends the parser into a loop must not hang the pipeline. The child may take
    `max_memory_mb` of address space beyond its start (None or 0: no limit); a document that needs more is
    rejected as `too_much_memory` instead of taking the machine's memory.

    `_target` replaces `extract` in the child (tests use it to simulate a hang); it must be picklable.
    """
    ctx = _worker_context()
    receiver, sender = ctx.Pipe(duplex=False)
    proc = ctx.Process(target=_child_main, args=(sender, _target or extract, str(path), kw, max_memory_mb),
                       daemon=True)
    with _main_not_rerun():
        proc.start()
    sender.close()
    try:
        if not receiver.poll(timeout_s):
            raise DocumentRejected(
                "timeout", f"{Path(path).name}: extraction exceeded {timeout_s:g} s; stopped"
            )
        try:
            status, payload = receiver.recv()
        except EOFError:
            proc.join(5)  # the pipe closes a moment before the exit code is known
            raise DocumentRejected(
                "worker_died", f"{Path(path).name}: the extraction process died (exit code {proc.exitcode})"
            ) from None
    finally:
        receiver.close()
        if proc.is_alive():
            proc.kill()
        proc.join(5)
    if status == "ok":
        return payload
    if status == "rejected":
        raise payload
    raise RuntimeError(f"extraction failed in the child process: {payload}")
