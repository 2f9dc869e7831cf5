"""Where the pipeline reads and writes, from the environment, with the paths checked.

`MOSUL_SOURCES` and `MOSUL_WAREHOUSE` are the outside contract (../shared/outputs.md);
`MOSUL_DECISIONS` is the reviewers' decisions file and `MOSUL_ATTRIBUTION_POLICY` the
attribution policy. Every file the pipeline writes goes through `inside()`, so neither a
table name nor a symlink can carry a write outside the folder a setting names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class UnsafePathError(ValueError):
    """A configured path, or a name joined to it, points outside the folder it must stay in."""


def inside(root: Path, *parts: str) -> Path:
    """`root / parts`, refused unless the resolved result stays inside the resolved root."""
    root_resolved = Path(root).resolve()
    candidate = root_resolved.joinpath(*parts).resolve()
    if candidate != root_resolved and root_resolved not in candidate.parents:
        raise UnsafePathError(f"{Path(root).joinpath(*parts)} resolves to {candidate}, outside {root_resolved}")
    return candidate


@dataclass(frozen=True)
class Settings:
    sources_root: Path
    warehouse: Path
    decisions_path: Path
    attribution_policy: Path | None

    @classmethod
    def from_env(cls) -> "Settings":
        sources = Path(os.environ.get("MOSUL_SOURCES") or PROJECT_ROOT / "data" / "sources")
        warehouse = Path(os.environ.get("MOSUL_WAREHOUSE") or PROJECT_ROOT / "data" / "warehouse")
        decisions = Path(os.environ.get("MOSUL_DECISIONS") or PROJECT_ROOT / "data" / "review" / "decisions.csv")
        policy = os.environ.get("MOSUL_ATTRIBUTION_POLICY")
        return cls(
            sources_root=sources.resolve(),
            warehouse=warehouse.resolve(),
            decisions_path=check_decisions_path(decisions),
            attribution_policy=Path(policy).resolve() if policy else None,
        )


def check_decisions_path(path: Path) -> Path:
    """The decisions file is read, and a template may be written beside it: it must be a plain
    `.csv` path whose parent is a real folder (not a symlink that leads elsewhere)."""
    path = Path(path)
    if path.suffix.lower() != ".csv":
        raise UnsafePathError(f"MOSUL_DECISIONS must name a .csv file, got {path}")
    if path.exists() and not path.is_file():
        raise UnsafePathError(f"MOSUL_DECISIONS {path} exists but is not a file")
    parent = path.parent.resolve()
    return inside(parent, path.name)
