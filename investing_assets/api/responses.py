"""How every resource is sent: JSON (an envelope with the data's session, its synthetic label and the page) or
CSV (`?format=csv` or `Accept: text/csv`, the label and page in headers); a strong ETag over the body, and 304
when `If-None-Match` names it; a `Link: rel="next"` (and `next` in JSON) while rows remain."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import math
from typing import Annotated, Any, Literal

from fastapi import Query, Request
from fastapi.responses import Response

from investing_assets.lib.services.reads import DEFAULT_LIMIT, MAX_LIMIT, Result, Window

Format = Annotated[Literal["json", "csv"] | None,
                   Query(description="json (default) or csv; `Accept: text/csv` asks for csv too")]
Limit = Annotated[int, Query(ge=1, le=MAX_LIMIT, description=f"rows per page (at most {MAX_LIMIT})")]
Offset = Annotated[int, Query(ge=0, description="rows to skip")]
JSON_TYPE = "application/json"
CSV_TYPE = "text/csv; charset=utf-8"


def window(limit: int = DEFAULT_LIMIT, offset: int = 0) -> Window:
    return Window(limit, offset)


class NotAcceptable(ValueError):
    """CSV asked of a nested document."""


def render(request: Request, result: Result, format: str | None = None) -> Response:
    """The response for `result`, or 304 when the client already holds this exact body."""
    as_csv = _wants_csv(request, format)
    next_url = _next_url(request, result)
    headers = {"Cache-Control": "no-cache", "X-Served-From": result.origin,
               "X-Synthetic": "true" if result.label.synthetic else "false"}
    if result.as_of:
        headers["X-As-Of"] = result.as_of
    if result.total is not None:
        headers["X-Total-Count"] = str(result.total)
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    if as_csv and result.label.note:
        headers["X-Data-Note"] = result.label.note
    body, media_type, etag = _encoded(request, result, as_csv, next_url)
    headers["ETag"] = etag
    if _matches(request.headers.get("if-none-match"), etag):
        return Response(status_code=304, headers=headers)
    return Response(body, media_type=media_type, headers=headers)


_ENCODED: dict[tuple, tuple[bytes, str, str]] = {}
_ENCODED_KEEP = 256


def _encoded(request: Request, result: Result, as_csv: bool, next_url: str | None) -> tuple[bytes, str, str]:
    """Body, media type and ETag. A versioned result (a cache entry's digest) encodes the same for the same URL, so
    its encoding is kept and reused while Redis keeps returning that entry: each request still reads Redis."""
    key = (result.version, as_csv, str(request.url)) if result.version else None
    if key is not None and (kept := _ENCODED.get(key)) is not None:
        return kept
    if as_csv:
        if not isinstance(result.data, list):
            raise NotAcceptable(f"{request.url.path} is one nested document, not a table: ask JSON, or one of its "
                                "lists as CSV")
        body, media_type = csv_body(result.data), CSV_TYPE
    else:
        body, media_type = json_body(_envelope(result, next_url)), JSON_TYPE
    encoded = body, media_type, '"' + hashlib.blake2b(body, digest_size=16).hexdigest() + '"'
    if key is not None:
        if len(_ENCODED) >= _ENCODED_KEEP:
            _ENCODED.pop(next(iter(_ENCODED), None), None)  # the oldest
        _ENCODED[key] = encoded
    return encoded


def _envelope(result: Result, next_url: str | None) -> dict[str, Any]:
    envelope: dict[str, Any] = {"as_of": result.as_of, "synthetic": result.label.synthetic,
                                "data_note": result.label.note, **result.extra}
    if result.window is not None:
        envelope.update(total=result.total, limit=result.window.limit, offset=result.window.offset, next=next_url)
    envelope["data"] = result.data
    return envelope


def json_body(value: Any) -> bytes:
    """Compact JSON; a NaN (never valid JSON) is sent as null."""
    try:
        return json.dumps(value, separators=(",", ":"), allow_nan=False).encode()
    except ValueError:
        return json.dumps(_without_nan(value), separators=(",", ":")).encode()


def _without_nan(value: Any) -> Any:
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, list):
        return [_without_nan(v) for v in value]
    if isinstance(value, dict):
        return {k: _without_nan(v) for k, v in value.items()}
    return value


def csv_body(rows: list[dict[str, Any]]) -> bytes:
    """One row per item; the columns of every row in first-seen order; lists and objects as JSON text."""
    columns = list(dict.fromkeys(key for row in rows for key in row))
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({k: json.dumps(v) if isinstance(v, list | dict) else v for k, v in row.items()})
    return buffer.getvalue().encode()


def _wants_csv(request: Request, format: str | None) -> bool:
    if format is not None:
        return format == "csv"
    return "text/csv" in request.headers.get("accept", "")


def _matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110's weak comparison: `*`, or any listed tag equal to ours with or without W/."""
    if not if_none_match:
        return False
    tags = {tag.strip().removeprefix("W/") for tag in if_none_match.split(",")}
    return "*" in tags or etag in tags


def _next_url(request: Request, result: Result) -> str | None:
    page = result.window
    if page is None:
        return None
    if "next_cursor" in result.extra:  # a cursor-paged list (Dagster's runs): None on the last page
        cursor = result.extra["next_cursor"]
        return str(request.url.include_query_params(cursor=cursor, limit=page.limit)) if cursor else None
    if result.total is None or page.offset + page.limit >= result.total:
        return None
    return str(request.url.include_query_params(offset=page.offset + page.limit, limit=page.limit))
