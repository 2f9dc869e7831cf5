"""Official acknowledgements: the claims, and the coalition's per-strike assessments."""

from __future__ import annotations

from pathlib import Path

from pipeline.parse.airwars import _number
from pipeline.parse.common import ParseResult, Rejects, checked_date, content_keys, empty_to_none, frame, parse_date, read_csv
from pipeline.places import resolve_latin
from schemas import polars_schema
from schemas.staged import StagedCjtfAssessments, StagedOfficialClaims

CLAIM_COLUMNS = ["claimant", "statement_date", "scope_start", "scope_end", "civilians_killed", "statement"]
ASSESSMENT_COLUMNS = ["report_id", "report_date", "strike_date", "location", "allegation_source", "assessment", "civilians_killed"]
CLAIMANTS = {"cjtf-oir": "CJTF-OIR", "government of iraq": "Government of Iraq"}
ASSESSMENTS = {"credible": "credible", "non-credible": "non_credible", "not credible": "non_credible"}


def _any_date(rejects, number, key, field, value):
    try:
        day = parse_date(value)
    except ValueError as error:
        rejects.add(number, key, field, value, str(error))
        return None
    return day


def parse_official_claims(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    rows = read_csv(path, CLAIM_COLUMNS)
    rejects = Rejects("official", snapshot, str(path))
    staged = []
    keys = content_keys("official", rows, ["claimant", "statement_date", "scope_start", "scope_end"])
    for number, (row, key) in enumerate(zip(rows, keys), start=1):
        claimant = CLAIMANTS.get((row.get("claimant") or "").strip().lower())
        values = {f: _any_date(rejects, number, key, f, row.get(f)) for f in ("statement_date", "scope_start", "scope_end")}
        killed = _number(rejects, number, key, "civilians_killed", row.get("civilians_killed"))
        problem = "claimant" if claimant is None else next((f for f, v in values.items() if v is None), None) or ("civilians_killed" if killed is None else None)
        if problem:
            rejects.reject_row(number, key, problem, row.get(problem), f"{problem} missing or not understood")
            continue
        staged.append({"record_key": key, "snapshot": snapshot, "source_row": number, "claimant": claimant, **values, "civilians_killed": killed, "statement": empty_to_none(row.get("statement"))})
    table = frame(staged, polars_schema(StagedOfficialClaims))
    return ParseResult({"staged_official_claims": table}, rejects.frame(), rows_in=len(rows), rows_staged=len(table))


def parse_cjtf_assessments(path: Path, snapshot: str) -> ParseResult:
    path = Path(path)
    rows = read_csv(path, ASSESSMENT_COLUMNS)
    rejects = Rejects("official", snapshot, str(path))
    staged, seen = [], set()
    for number, row in enumerate(rows, start=1):
        report = empty_to_none(row.get("report_id"))
        key = f"cjtf:{report}" if report else None
        if report is None or report in seen:
            rejects.reject_row(number, key, "report_id", report, "report id missing or duplicated")
            continue
        strike = checked_date(rejects, number, key, "strike_date", row.get("strike_date"))
        assessment = ASSESSMENTS.get((row.get("assessment") or "").strip().lower())
        killed = _number(rejects, number, key, "civilians_killed", row.get("civilians_killed"))
        reported = _any_date(rejects, number, key, "report_date", row.get("report_date"))
        problem = next((f for f, v in (("strike_date", strike), ("assessment", assessment), ("civilians_killed", killed), ("report_date", reported)) if v is None), None)
        if problem:
            rejects.reject_row(number, key, problem, row.get(problem), f"{problem} missing or not understood")
            continue
        seen.add(report)
        location = empty_to_none(row.get("location"))
        place = resolve_latin(location)
        staged.append({"record_key": key, "snapshot": snapshot, "source_row": number, "report_id": report, "report_date": reported, "strike_date": strike, "location_original": location, "neighbourhood_id": place.neighbourhood_id, "bank": place.bank, "place_status": place.status, "allegation_source": empty_to_none(row.get("allegation_source")), "assessment": assessment, "civilians_killed": killed})
    table = frame(staged, polars_schema(StagedCjtfAssessments))
    return ParseResult({"staged_cjtf_assessments": table}, rejects.frame(), rows_in=len(rows), rows_staged=len(table))
