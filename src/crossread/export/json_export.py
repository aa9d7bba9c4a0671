"""analysis.json: serialise, validate against the published schema, write atomically.

The schema (``crossread/schema/analysis.schema.json``) is the contract users
read; :func:`validate_analysis` adds the checks JSON Schema cannot express:
every offset must land inside its article's text, and every evidence sentence
must contain the span it points at.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
from jsonschema import Draft202012Validator, ValidationError

from crossread.fileio import write_text_atomic
from crossread.records import Analysis, analysis_to_dict

SCHEMA_RESOURCE = "analysis.schema.json"


def load_schema() -> dict[str, Any]:
    """The analysis.json schema, read from package data (a fresh dict each call)."""
    text = resources.files("crossread.schema").joinpath(SCHEMA_RESOURCE).read_text(encoding="utf-8")
    return json.loads(text)


def _without_format(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _without_format(v) for k, v in node.items() if not (k == "format" and isinstance(v, str))}
    if isinstance(node, list):
        return [_without_format(v) for v in node]
    return node


@lru_cache(maxsize=1)
def _fast_validator() -> Any:
    """The schema compiled to Python by fastjsonschema (a whole run's analysis.json validates in a small
    fraction of jsonschema's time: it walked 200,000 nodes for 90 articles), or None where it is not
    installed. The schema uses only keywords both implement alike (type, properties, required, items,
    anyOf, const, enum, minimum/maximum, $ref to $defs); ``format`` is dropped because jsonschema
    does not assert it either. Only the verdict is used: a document it rejects is validated again by
    jsonschema, whose error names the path."""
    try:
        import fastjsonschema
    except ImportError:
        return None
    return fastjsonschema.compile(_without_format(load_schema()))


@lru_cache(maxsize=1)
def _validator() -> Draft202012Validator:
    # Built once: schema checking + compiling refs is the slow part of validation.
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema)


def analysis_json(analysis: Analysis) -> dict[str, Any]:
    """The JSON-safe dict written to analysis.json (includes ``schema_version``)."""
    return analysis_to_dict(analysis)


def _path_str(path: tuple[Any, ...] | list[Any]) -> str:
    """``("articles", 0, "text")`` -> ``$.articles[0].text`` (same style as jsonschema's json_path)."""
    out = "$"
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _offset_error(path: list[Any], message: str) -> ValidationError:
    return ValidationError(f"{_path_str(path)}: {message}", path=path)


def _span_errors(
    texts: dict[str, str],
    path: list[Any],
    article_id: str,
    start: int,
    end: int,
    sentence: str | None,
) -> Iterator[ValidationError]:
    """Errors for one span: unknown article, out-of-range offsets, sentence not containing the span."""
    if article_id not in texts:
        yield _offset_error(path + ["article_id"], f"unknown article_id {article_id!r} (not in $.articles)")
        return
    text = texts[article_id]
    if not (0 <= start <= end <= len(text)):
        yield _offset_error(
            path,
            f"offsets [{start}:{end}] out of range for article {article_id!r} "
            f"(text length {len(text)}; need 0 <= start <= end <= length)",
        )
        return
    if sentence is not None and text[start:end] not in sentence:
        yield _offset_error(
            path + ["sentence"],
            f"sentence does not contain the evidence span text[{start}:{end}] = {text[start:end]!r}",
        )


def _evidence_errors(texts: dict[str, str], path: list[Any], ev: dict[str, Any]) -> Iterator[ValidationError]:
    yield from _span_errors(texts, path, ev["article_id"], ev["start"], ev["end"], ev["sentence"])


def _offset_errors(data: dict[str, Any]) -> Iterator[ValidationError]:
    """Semantic offset checks; assumes ``data`` already matches the schema."""
    texts: dict[str, str] = {}
    for article in data["articles"]:
        texts.setdefault(article["id"], article["text"])
    for i, article in enumerate(data["articles"]):
        for j, sig in enumerate(article["signals"]):
            # Signals carry no article_id: they point into their own article.
            yield from _span_errors(
                {article["id"]: article["text"]},
                ["articles", i, "signals", j],
                article["id"],
                sig["start"],
                sig["end"],
                None,
            )
    for i, actor in enumerate(data["actors"]):
        for j, m in enumerate(actor["mentions"]):
            yield from _span_errors(
                texts, ["actors", i, "mentions", j], m["article_id"], m["start"], m["end"], m["sentence"]
            )
    for i, event in enumerate(data["events"]):
        for j, ev in enumerate(event["evidence"]):
            yield from _evidence_errors(texts, ["events", i, "evidence", j], ev)
    for i, quote in enumerate(data["quotes"]):
        yield from _evidence_errors(texts, ["quotes", i, "evidence"], quote["evidence"])
    for i, claim in enumerate(data["claims"]):
        for j, ev in enumerate(claim["evidence"]):
            yield from _evidence_errors(texts, ["claims", i, "evidence", j], ev)
    for i, frame in enumerate(data["framing"]):
        for kind in ("labels", "loaded_terms"):
            for j, item in enumerate(frame[kind]):
                for k, ev in enumerate(item["evidence"]):
                    yield from _evidence_errors(texts, ["framing", i, kind, j, "evidence", k], ev)
    for i, der in enumerate(data["derivations"]):
        for side in ("source", "derived"):
            art_id = der[f"{side}_article"]
            if art_id not in texts:
                yield _offset_error(["derivations", i, f"{side}_article"], f"unknown article id {art_id!r}")
                continue
            for j, p in enumerate(der["passages"]):
                yield from _span_errors(
                    texts, ["derivations", i, "passages", j], art_id, p[f"{side}_start"], p[f"{side}_end"], None
                )


def _fast_verdict(data: dict[str, Any]) -> bool:
    """True when the fast validator finds ``data`` valid; False when it does not or is missing."""
    fast = _fast_validator()
    if fast is None:
        return False
    import fastjsonschema

    try:
        fast(data)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def validate_analysis(data: dict[str, Any]) -> None:
    """Validate an analysis.json dict; raise :class:`jsonschema.ValidationError` on the first problem.

    The message starts with the JSON path of the offending value
    (``$.events[0].evidence[1]: ...``); ``error.path`` holds the same path.
    """
    if not _fast_verdict(data):
        error = jsonschema.exceptions.best_match(_validator().iter_errors(data))
    else:
        error = None
    if error is not None:
        # Prefix the path: the bare jsonschema message ("'x' is a required property") says what, not where.
        error.message = f"{error.json_path}: {error.message}"
        raise error
    for offset_error in _offset_errors(data):
        raise offset_error


def write_analysis_json(analysis: Analysis, path: Path) -> None:
    """Validate, then write analysis.json atomically (a reader never sees a half-written file)."""
    data = analysis_json(analysis)
    validate_analysis(data)
    write_text_atomic(path, json.dumps(data, indent=2, ensure_ascii=False) + "\n")
