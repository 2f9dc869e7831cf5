"""Pandera models as Dagster column schemas and asset checks.

dagster-pandera is pandas-bound and returns empty failure metadata for polars (stack-notes.md),
so the two pieces the UI needs are made here: a `TableSchema` from a model (the asset's column
schema) and an `AssetCheckResult` carrying failure counts and a sample of failure cases.
"""

from __future__ import annotations

import dagster as dg
import pandera.polars as pa
import polars as pl

MAX_FAILURE_SAMPLE = 20


def _describe_check(check) -> str:
    stats = check.statistics or {}
    if "allowed_values" in stats:
        return f"in {list(stats['allowed_values'])}"
    if "min_value" in stats:
        return f">= {stats['min_value']}"
    if "max_value" in stats:
        return f"<= {stats['max_value']}"
    return check.name or "custom check"


def table_schema(model: type[pa.DataFrameModel]) -> dg.TableSchema:
    """The model's columns, types and constraints, as the UI's column schema."""
    schema = model.to_schema()
    columns = []
    for name, column in schema.columns.items():
        others = [_describe_check(check) for check in column.checks]
        if column.unique:
            others.append("unique")
        columns.append(
            dg.TableColumn(
                name=name,
                type=str(column.dtype),
                description=column.description,
                constraints=dg.TableColumnConstraints(nullable=bool(column.nullable), unique=bool(column.unique), other=others),
            )
        )
    return dg.TableSchema(columns=columns)


def validate_frame(model: type[pa.DataFrameModel], frame: pl.DataFrame) -> tuple[bool, pl.DataFrame]:
    """Validate every row (lazy: collect all failures, not just the first); return
    (passed, failure cases)."""
    try:
        model.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        return False, errors.failure_cases
    except pa.errors.SchemaError as error:
        failure = error.failure_cases if isinstance(error.failure_cases, pl.DataFrame) else pl.DataFrame({"failure_case": [str(error)]})
        return False, failure
    return True, pl.DataFrame()


def schema_check_result(model: type[pa.DataFrameModel], frame: pl.DataFrame, asset_key: str, check_name: str = "schema") -> dg.AssetCheckResult:
    passed, failures = validate_frame(model, frame)
    metadata: dict = {"rows_checked": len(frame), "model": model.__name__}
    if not passed:
        metadata["failures"] = len(failures)
        sample = failures.head(MAX_FAILURE_SAMPLE).select(pl.all().cast(pl.String))
        metadata["failure_sample"] = dg.MetadataValue.md(frame_to_markdown(sample))
        if "column" in failures.columns and "check" in failures.columns:
            by_check = failures.group_by("column", "check").len().sort("len", descending=True)
            metadata["failures_by_check"] = dg.MetadataValue.md(frame_to_markdown(by_check.select(pl.all().cast(pl.String))))
    return dg.AssetCheckResult(asset_key=asset_key, check_name=check_name, passed=passed, metadata=metadata)


def frame_to_markdown(frame: pl.DataFrame) -> str:
    if frame.is_empty():
        return "_(none)_"
    header = "| " + " | ".join(frame.columns) + " |"
    rule = "| " + " | ".join("---" for _ in frame.columns) + " |"
    rows = ["| " + " | ".join("" if v is None else str(v).replace("|", "\\|") for v in row) + " |" for row in frame.iter_rows()]
    return "\n".join([header, rule, *rows])
