"""The analyst's web dashboard: server-rendered pages (Jinja2) over the read services, charts drawn by plotly.js
from plotly's own Python package, served by this app (no CDN, no third-party JavaScript in the repository).

`install(app)` is the one line the API app needs: the pages under /dashboard and their static files."""

from __future__ import annotations

from pathlib import Path

import plotly
from fastapi import FastAPI
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

from investing_assets.api.dashboard import pages

STATIC = Path(__file__).parent / "static"
# the plotly.js build that ships inside the pinned plotly package (its offline mode's own copy)
PLOTLY_JS = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def install(app: FastAPI) -> None:
    @app.get("/dashboard/static/plotly.min.js", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(PLOTLY_JS, media_type="text/javascript",
                            headers={"Cache-Control": "public, max-age=86400, immutable",
                                     "X-Plotly-Version": plotly.__version__})

    app.mount("/dashboard/static", StaticFiles(directory=STATIC), name="dashboard-static")
    app.include_router(pages.router)
