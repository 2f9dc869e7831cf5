"""`python -m pipeline.export --out DIR`: tallies and a victim list fit to publish.

- No names: each victim is a salted hash of its victim_id. The salt comes from
  MOSUL_EXPORT_SALT or a salt file (created once with `secrets` if absent) and is never written
  into the export, so the hashes cannot be reversed by hashing known ids.
- Small cells: tally cells below the threshold (default 5) are shown as `<5`; the victim list
  keeps only month of death and bank (no exact date, age or neighbourhood), the
  quasi-identifiers that could single out a family.
- CSV cells that a spreadsheet would run as a formula (starting with =, +, -, @, tab or CR) get a
  leading apostrophe.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import os
import secrets
from pathlib import Path

import polars as pl

from pipeline.io import write_text_atomic
from pipeline.settings import Settings, inside

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(frame: pl.DataFrame) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([neutralise(c) for c in frame.columns])
    for row in frame.iter_rows():
        writer.writerow([neutralise(v) for v in row])
    return buffer.getvalue()


def load_salt(salt_file: Path) -> str:
    if os.environ.get("MOSUL_EXPORT_SALT"):
        return os.environ["MOSUL_EXPORT_SALT"]
    if not salt_file.exists():
        salt_file.parent.mkdir(parents=True, exist_ok=True)
        salt_file.write_text(secrets.token_hex(32))
        salt_file.chmod(0o600)
    return salt_file.read_text().strip()


def public_victims(victims: pl.DataFrame, salt: str) -> pl.DataFrame:
    hashed = [hashlib.sha256(f"{salt}:{v}".encode()).hexdigest()[:16] for v in victims["victim_id"].to_list()]
    return victims.select(
        pl.Series("victim", hashed),
        pl.col("date_of_death").dt.strftime("%Y-%m").alias("month"),
        "bank", "party", "weapon", pl.col("n_sources"), pl.col("rule"),
    )


def suppress_small(tallies: pl.DataFrame, min_cell: int) -> pl.DataFrame:
    return tallies.with_columns(pl.when(pl.col("deaths") < min_cell).then(pl.lit(f"<{min_cell}")).otherwise(pl.col("deaths").cast(pl.String)).alias("deaths"))


def export(warehouse: Path, out: Path, salt_file: Path, min_cell: int = 5) -> list[Path]:
    victims = pl.read_parquet(inside(warehouse, "victims.parquet"))
    tallies = pl.read_parquet(inside(warehouse, "tallies.parquet"))
    salt = load_salt(salt_file)
    out.mkdir(parents=True, exist_ok=True)
    written = [
        write_text_atomic(to_csv(public_victims(victims, salt)), inside(out, "victims_public.csv")),
        write_text_atomic(to_csv(suppress_small(tallies, min_cell)), inside(out, "tallies_public.csv")),
        write_text_atomic(f"Cells below {min_cell} are shown as <{min_cell}. Victims are salted hashes; no names, ages, exact dates or neighbourhoods.\n", inside(out, "README.txt")),
    ]
    return written


def main() -> None:
    parser = argparse.ArgumentParser(description="Write tallies and a victim list without names.")
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--warehouse", type=Path, default=None)
    parser.add_argument("--salt-file", type=Path, default=Path.home() / ".config" / "mosul-casualties" / "export-salt")
    parser.add_argument("--min-cell", type=int, default=5)
    args = parser.parse_args()
    for path in export(args.warehouse or Settings.from_env().warehouse, args.out, args.salt_file, args.min_cell):
        print(path)


if __name__ == "__main__":
    main()
