"""What every parser shares: reading the file safely, typed values, and the rejects ledger.

A file unusable as a whole raises `SnapshotError` naming the file and the problem. A row with a
bad value is either kept with that value emptied (`value_nulled`: the death is still a death)
or, when the row cannot stand (no key, duplicate key, dangling reference), set aside whole
(`row_rejected`). Both are written to `rejects` with file, row, field, value and reason, so
rows in = rows staged + rows rejected, and nothing disappears without a reason.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from pipeline.codes import AGE_MAX, AGE_MIN, EARLIEST_DEATH, REGISTRATION_END
from pipeline.text.arabic import eastern_to_western_digits
from schemas import polars_schema
from schemas.staged import RejectsModel

MAX_FIELD_CHARS = 10_000
REJECTS_SCHEMA = polars_schema(RejectsModel)


class SnapshotError(Exception):
    """A snapshot file that cannot be used as a whole."""


@dataclass
class ParseResult:
    tables: dict[str, pl.DataFrame]
    rejects: pl.DataFrame
    rows_in: int
    rows_staged: int


@dataclass
class Rejects:
    source: str
    snapshot: str
    file: str
    entries: list[dict] = field(default_factory=list)

    def add(self, row: int | None, record_key: str | None, field_name: str, value, reason: str, action: str = "value_nulled") -> None:
        text = None if value is None else str(value)[:200]
        self.entries.append({"source": self.source, "snapshot": self.snapshot, "file": self.file, "row": row, "record_key": record_key, "field": field_name, "value": text, "reason": reason, "action": action})

    def reject_row(self, row: int | None, record_key: str | None, field_name: str, value, reason: str) -> None:
        self.add(row, record_key, field_name, value, reason, action="row_rejected")

    def rejected_rows(self) -> int:
        return len({e["row"] for e in self.entries if e["action"] == "row_rejected"})

    def frame(self) -> pl.DataFrame:
        return pl.DataFrame(self.entries, schema=REJECTS_SCHEMA)


def read_text(path: Path) -> str:
    path = Path(path)
    try:
        raw = path.read_bytes()
    except IsADirectoryError as error:
        raise SnapshotError(f"{path}: is a directory, expected a file") from error
    if not raw.strip():
        raise SnapshotError(f"{path}: the file is empty")
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise SnapshotError(f"{path}: not UTF-8 text (byte 0x{raw[error.start]:02x} at offset {error.start}); re-export the file as UTF-8") from error


def read_csv(path: Path, required: list[str]) -> list[dict[str, str]]:
    """Rows as dicts (BOM, CRLF and RFC 4180 quoting handled); every required column present."""
    text = read_text(path)
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in required if c not in header]
    if missing:
        raise SnapshotError(f"{path}: missing required column(s) {missing}; the header has {header}")
    rows = []
    try:
        for row in reader:
            rows.append({k: (v.strip() if isinstance(v, str) else v) for k, v in row.items() if k is not None})
    except csv.Error as error:
        raise SnapshotError(f"{path}: line {reader.line_num}: malformed CSV ({error})") from error
    return rows


def read_json_array(path: Path) -> list:
    text = read_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise SnapshotError(f"{path}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}") from error
    if not isinstance(data, list):
        raise SnapshotError(f"{path}: expected a JSON array of records, found {type(data).__name__}")
    return data


def require_fields(path: Path, records: list, required: list[str]) -> None:
    """A JSON export whose records lack a required field everywhere is a renamed or broken export."""
    for name in required:
        if records and all(not isinstance(r, dict) or name not in r for r in records):
            raise SnapshotError(f"{path}: no record has the required field {name!r}")


def empty_to_none(value) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


DATE_DMY = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")
DATE_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")


def parse_date(value) -> dt.date | None:
    """`DD/MM/YYYY` or `YYYY-MM-DD`, Western or Eastern Arabic digits. None if empty; ValueError if unreadable."""
    text = empty_to_none(value)
    if text is None:
        return None
    text = eastern_to_western_digits(text).strip().strip('"')
    if match := DATE_DMY.match(text):
        day, month, year = map(int, match.groups())
    elif match := DATE_ISO.match(text):
        year, month, day = map(int, match.groups())
    else:
        raise ValueError(f"unreadable date {value!r}")
    return dt.date(year, month, day)


def parse_int(value) -> int | None:
    text = empty_to_none(value)
    if text is None:
        return None
    if isinstance(value, bool):
        raise ValueError(f"not an integer: {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    text = eastern_to_western_digits(text)
    if not re.fullmatch(r"-?\d+", text):
        raise ValueError(f"not an integer: {value!r}")
    return int(text)


def checked_date(rejects: Rejects, row: int, key: str | None, field_name: str, value, earliest=EARLIEST_DEATH, latest=REGISTRATION_END) -> dt.date | None:
    """A date inside the study window plus the registration lag; otherwise emptied and reported."""
    try:
        day = parse_date(value)
    except ValueError as error:
        rejects.add(row, key, field_name, value, str(error))
        return None
    if day is not None and not (earliest <= day <= latest):
        rejects.add(row, key, field_name, value, f"date {day} outside {earliest}..{latest}")
        return None
    return day


def checked_age(rejects: Rejects, row: int, key: str | None, field_name: str, value) -> int | None:
    text = empty_to_none(value)
    if text is None:
        return None
    if text in ("رضيع", "طفل رضيع"):
        return 0
    try:
        age = parse_int(value)
    except ValueError as error:
        rejects.add(row, key, field_name, value, str(error))
        return None
    if age is not None and not (AGE_MIN <= age <= AGE_MAX):
        rejects.add(row, key, field_name, value, f"age {age} outside {AGE_MIN}..{AGE_MAX}")
        return None
    return age


def checked_text(rejects: Rejects, row: int, key: str | None, field_name: str, value) -> str | None:
    text = empty_to_none(value)
    if text is not None and len(text) > MAX_FIELD_CHARS:
        rejects.add(row, key, field_name, text[:50] + "...", f"field longer than {MAX_FIELD_CHARS} characters; truncated")
        return text[:MAX_FIELD_CHARS]
    return text


def frame(rows: list[dict], schema: dict) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=schema, orient="row") if rows else pl.DataFrame(schema=schema)


def content_keys(source: str, rows: list[dict], fields: list[str]) -> list[str]:
    """Keys for a source whose rows have no id of their own (aggregates): the source name and the
    row's identifying fields as written, so the same aggregate keeps its key across snapshots
    and a changed figure shows as changed, not as one row removed and another added. A repeated
    combination is numbered (`#2`); a row missing every field falls back to its row number."""
    keys, seen = [], {}
    for number, row in enumerate(rows, start=1):
        parts = [" ".join((row.get(f) or "").split()).lower() for f in fields]
        key = f"{source}:" + "/".join(parts) if any(parts) else f"{source}:row{number}"
        seen[key] = seen.get(key, 0) + 1
        keys.append(key if seen[key] == 1 else f"{key}#{seen[key]}")
    return keys
