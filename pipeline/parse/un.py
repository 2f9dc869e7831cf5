"""UN (UNAMI/OHCHR) aggregates: counts per period, area and perpetrator; never names."""

from __future__ import annotations

from pathlib import Path

from pipeline.codes import STUDY_END
from pipeline.parse.airwars import _number
from pipeline.parse.common import ParseResult, Rejects, checked_date, content_keys, empty_to_none, frame, read_csv
from schemas import polars_schema
from schemas.staged import StagedUnCasualties

COLUMNS = ["period_start", "period_end", "area", "perpetrator", "killed", "injured", "note"]
AREAS = {"east mosul": "east", "west mosul": "west", "mosul": "all"}
PERPETRATORS = {"isil": "islamic_state", "isis": "islamic_state", "isf and coalition": "coalition_or_iraqi", "unattributed": "undetermined"}


def parse_un(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    rows = read_csv(path, COLUMNS)
    rejects = Rejects("un", snapshot, str(path))
    staged = []
    keys = content_keys("un", rows, ["period_start", "period_end", "area", "perpetrator"])
    for number, (row, key) in enumerate(zip(rows, keys), start=1):
        start = checked_date(rejects, number, key, "period_start", row.get("period_start"))
        end = checked_date(rejects, number, key, "period_end", row.get("period_end"))
        area = AREAS.get((row.get("area") or "").strip().lower())
        perpetrator = PERPETRATORS.get((row.get("perpetrator") or "").strip().lower())
        killed = _number(rejects, number, key, "killed", row.get("killed"))
        problem = next((f for f, v in (("period_start", start), ("period_end", end), ("area", area), ("perpetrator", perpetrator), ("killed", killed)) if v is None), None)
        if problem:
            rejects.reject_row(number, key, problem, row.get(problem), f"{problem} missing or not understood")
            continue
        staged.append({"record_key": key, "snapshot": snapshot, "source_row": number, "period_start": start, "period_end": min(end, STUDY_END) if end else end, "area": area, "perpetrator": perpetrator, "killed": killed, "injured": _number(rejects, number, key, "injured", row.get("injured")), "note": empty_to_none(row.get("note"))})
    table = frame(staged, polars_schema(StagedUnCasualties))
    return ParseResult({"staged_un_casualties": table}, rejects.frame(), rows_in=len(rows), rows_staged=len(table))
