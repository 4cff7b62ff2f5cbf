"""The muni drop folder as a resource: where PDFs arrive, where they go, and the limits a run enforces."""

from __future__ import annotations

import dagster as dg

from investing_assets import settings
from investing_assets.lib.muni.drop_folder import DEFAULT_SETTLE_SECONDS, DropFolder
from investing_assets.lib.muni.extract import DEFAULT_MAX_BYTES, DEFAULT_MAX_MEMORY_MB, DEFAULT_MAX_PAGES
from investing_assets.lib.services.muni import DEFAULT_TIMEOUT_S


class DropFolderResource(dg.ConfigurableResource):
    """Inbox for municipal reports; read files move to the archive, unusable ones to quarantine with a reason."""

    path: str
    quarantine: str | None = None  # default: <path>/../muni_quarantine
    archive: str | None = None  # default: <path>/../muni_processed
    settle_seconds: float = DEFAULT_SETTLE_SECONDS
    max_bytes: int = DEFAULT_MAX_BYTES
    max_pages: int = DEFAULT_MAX_PAGES
    timeout_seconds: float = DEFAULT_TIMEOUT_S  # a parser stuck on a malformed PDF is stopped after this
    max_memory_mb: int = DEFAULT_MAX_MEMORY_MB  # more is quarantined as too_much_memory (0: no limit)

    def get(self) -> DropFolder:
        return DropFolder(self.path, quarantine=self.quarantine, archive=self.archive).ensure()

    def limits(self) -> dict[str, float | int]:
        return {"timeout_s": self.timeout_seconds, "max_bytes": self.max_bytes, "max_pages": self.max_pages,
                "max_memory_mb": self.max_memory_mb}


def build_drop_folder_resource() -> DropFolderResource:
    drop = settings.muni_drop()
    return DropFolderResource(path=drop.path, quarantine=drop.quarantine, archive=drop.archive,
                              settle_seconds=drop.settle_seconds, max_bytes=drop.max_bytes,
                              max_pages=drop.max_pages, timeout_seconds=drop.timeout_seconds,
                              max_memory_mb=drop.max_memory_mb)
