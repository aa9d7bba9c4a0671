"""Exports of an :class:`~crossread.records.Analysis` (analysis.json)."""

from crossread.export.json_export import (
    analysis_json,
    load_schema,
    validate_analysis,
    write_analysis_json,
)

__all__ = ["analysis_json", "load_schema", "validate_analysis", "write_analysis_json"]
