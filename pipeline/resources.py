"""Dagster resources: where the sources are read from and where the warehouse is written."""

from __future__ import annotations

from pathlib import Path

import dagster as dg

from pipeline.settings import Settings, check_decisions_path


class PipelinePaths(dg.ConfigurableResource):
    """The configured folders. Defaults come from MOSUL_SOURCES / MOSUL_WAREHOUSE / MOSUL_DECISIONS."""

    sources_root: str
    warehouse: str
    decisions_path: str
    attribution_policy: str = ""

    @classmethod
    def from_settings(cls, settings: Settings) -> "PipelinePaths":
        return cls(
            sources_root=str(settings.sources_root),
            warehouse=str(settings.warehouse),
            decisions_path=str(settings.decisions_path),
            attribution_policy=str(settings.attribution_policy or ""),
        )

    @property
    def sources(self) -> Path:
        return Path(self.sources_root)

    @property
    def warehouse_dir(self) -> Path:
        path = Path(self.warehouse)
        path.mkdir(parents=True, exist_ok=True)
        return path

    @property
    def decisions(self) -> Path:
        return check_decisions_path(Path(self.decisions_path))

    @property
    def policy(self) -> Path | None:
        return Path(self.attribution_policy) if self.attribution_policy else None
