"""The sources root on disk: which dated snapshots exist, which is newest, and their hashes.

Layout (../shared/sources.md): `<root>/<source>/<YYYY-MM-DD>/<file>`. Anything that is not a
dated folder is ignored with a warning. A snapshot's file is identified by its SHA-256, which
becomes the raw asset's data version: an unchanged snapshot causes no rebuild downstream.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

DATED_FOLDER = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class RawFile:
    """One file of the input contract: the raw asset that reads it and the folder it lives in."""

    asset: str
    source: str
    filename: str
    fmt: str  # "csv" or "json"


# The input contract's files, one raw asset each.
RAW_FILES: tuple[RawFile, ...] = (
    RawFile("raw_morgue", "morgue", "morgue.csv", "csv"),
    RawFile("raw_airwars_incidents", "airwars", "incidents.json", "json"),
    RawFile("raw_ibc_incidents", "ibc", "incidents.csv", "csv"),
    RawFile("raw_ibc_victims", "ibc", "victims.csv", "csv"),
    RawFile("raw_amnesty_incidents", "amnesty", "incidents.json", "json"),
    RawFile("raw_un_casualties", "un", "casualties.csv", "csv"),
    RawFile("raw_official_claims", "official", "claims.csv", "csv"),
    RawFile("raw_cjtf_assessments", "official", "cjtf_assessments.csv", "csv"),
)
RAW_BY_ASSET = {raw.asset: raw for raw in RAW_FILES}


class SourceLayoutError(Exception):
    """The sources root holds something the pipeline must not read (a link out of the root,
    a directory where a file belongs); the message names the path and the problem."""


def is_snapshot_name(name: str) -> bool:
    if not DATED_FOLDER.match(name):
        return False
    try:
        dt.date.fromisoformat(name)
    except ValueError:
        return False
    return True


def list_snapshots(sources_root: Path, source: str) -> list[str]:
    """Dated snapshot folders of one source, oldest first; other entries warned about and skipped."""
    folder = Path(sources_root) / source
    if not folder.is_dir():
        return []
    dated = []
    for entry in sorted(folder.iterdir()):
        if entry.is_dir() and is_snapshot_name(entry.name):
            dated.append(entry.name)
        else:
            log.warning("ignoring %s: not a dated snapshot folder (YYYY-MM-DD)", entry)
    return dated


def sha256_file(path: Path, chunk: int = 1 << 20) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class SnapshotFile:
    """The newest snapshot's copy of one contract file, or its absence."""

    raw: RawFile
    snapshot: str | None
    path: Path | None
    sha256: str | None
    size_bytes: int | None

    @property
    def present(self) -> bool:
        return self.path is not None

    @property
    def data_version(self) -> str:
        # An absent source still needs a version so that its disappearance is a change too.
        return self.sha256 or "absent"


def snapshot_path(sources_root: Path, raw: RawFile, snapshot: str) -> Path:
    """The contract file inside one snapshot, refusing links that lead out of the sources root."""
    root = Path(sources_root).resolve()
    path = Path(sources_root) / raw.source / snapshot / raw.filename
    resolved = path.resolve()
    if root not in resolved.parents:
        raise SourceLayoutError(f"{path}: resolves to {resolved}, outside the sources root {root}; refusing to read it")
    if path.exists() and not path.is_file():
        raise SourceLayoutError(f"{path}: expected a file, found a directory or special file")
    return path


def current_file(sources_root: Path, raw: RawFile) -> SnapshotFile:
    """The newest snapshot of `raw.source` and its file. A snapshot folder that lacks a
    required file is an error for that source (sources.md), not a silent fallback to an older one."""
    snapshots = list_snapshots(sources_root, raw.source)
    if not snapshots:
        return SnapshotFile(raw, None, None, None, None)
    newest = snapshots[-1]
    path = snapshot_path(sources_root, raw, newest)
    if not path.exists():
        raise SourceLayoutError(f"{path}: required file {raw.filename} is missing from snapshot {raw.source}/{newest}")
    return SnapshotFile(raw, newest, path, sha256_file(path), path.stat().st_size)


def previous_snapshot(sources_root: Path, source: str) -> str | None:
    """The snapshot before the newest, for 'what changed since the last snapshot'."""
    snapshots = list_snapshots(sources_root, source)
    return snapshots[-2] if len(snapshots) >= 2 else None
