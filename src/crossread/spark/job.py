"""``crossread spark``: the analyze pipeline as one Apache Spark job writing the store's tables as Parquet.

The same functions as ``crossread analyze``, distributed:

1. **read** (:func:`read_items`): the driver lists local inputs with the readers' own discovery
   (:func:`crossread.ingest.discover.discover`), and Hadoop-compatible URIs (``hdfs://``, ``s3a://``,
   ``gs://``, ``abfss://``, ``file://``) through ``SparkContext.binaryFiles``; each file is read on an
   executor by :func:`crossread.ingest.ingest`. A bad item becomes a row of the ``errors`` table.
   Articles are kept once per id, at their first position in input order (as ``analyze`` keeps the
   first), and numbered in that order (``articles.seq``).
2. **per article** (``mapPartitions``): :func:`crossread.pipeline.process_batch` with the pipeline
   loaded once per Python worker (:func:`crossread.nlp.load_pipeline` caches it), in batches;
3. **stories** in batch (:mod:`crossread.spark.clustering`), and actors across the corpus with the
   store's own grouping (:func:`crossread.link.actor_resolve.group_forms` over every name form,
   which is what a fresh store's ``resolve_actors`` computes);
4. **per story** (``groupByKey`` on the story): :func:`crossread.pipeline.analyze_one_story`;
5. **tables**: every row is made by :mod:`crossread.store.rows`, the store's own mapping, and written
   as Parquet with the store's schema, one folder per table (:data:`TABLES`), plus ``errors``.

Ids come from content (articles: their text; stories: their first article; actors: their founding
form; records: their article and story), and nothing depends on how the input was split, so the
same input gives the same tables whatever the partitioning. ``first_seen`` (the filing time of
undated articles) is the run's start unless given.
"""

from __future__ import annotations

import itertools
import logging
import os
import re
import sys
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from crossread.records import Article

log = logging.getLogger("crossread")

ERRORS_TABLE = "errors"
URI = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def _table_names() -> list[str]:
    from crossread.store import schema as s

    return [t.name for t in (s.nlp_pipelines, s.stories, *s.ARTICLE_TABLES, *s.STORY_TABLES)]


@dataclass
class SparkOptions:
    out: str
    master: str | None = None
    partitions: int = 0  # 0: twice the cluster's default parallelism
    nlp: str | None = None
    embeddings: bool = True
    max_bytes: int = 20 * 1024 * 1024
    first_seen: str | None = None
    batch_size: int = 16
    app_name: str = "crossread"
    conf: dict[str, str] = field(default_factory=dict)


@dataclass
class SparkSummary:
    articles: int = 0
    stories: int = 0
    errors: list[tuple[str, str]] = field(default_factory=list)
    tables: dict[str, int] = field(default_factory=dict)

    def line(self) -> str:
        return (f"crossread spark: {self.articles} article(s), {self.stories} stor"
                f"{'y' if self.stories == 1 else 'ies'}, {len(self.errors)} error(s)")


def is_uri(path: str) -> bool:
    """A Hadoop-compatible URI (read through Spark), not a local path or a web page."""
    return bool(URI.match(path)) and not path.lower().startswith(("http://", "https://"))


# --------------------------------------------------------------------------- reading


def _read_local(entry: tuple[int, str, str | None], max_bytes: int) -> Iterator[tuple[tuple[int, int], Any]]:
    from crossread.ingest import IngestError, display_path, ingest

    index, path, problem = entry
    if problem:
        yield (index, 0), IngestError(display_path(path), problem)
        return
    for position, item in enumerate(ingest([path], max_bytes=max_bytes)):
        yield (index, position), item


def _read_bytes(entry: tuple[tuple[str, bytes], int], max_bytes: int) -> Iterator[tuple[tuple[int, int], Any]]:
    """Items of one file read through Hadoop's file systems: written to a local temporary file of the
    same name, read by the same readers, its source named by the URI again."""
    from crossread.ingest import IngestError, ingest

    (uri, data), index = entry
    name = os.path.basename(uri.rstrip("/")) or "input"
    with tempfile.TemporaryDirectory(prefix="crossread-spark-") as tmp:
        local = os.path.join(tmp, name)
        with open(local, "wb") as fh:
            fh.write(data)
        for position, item in enumerate(ingest([local], max_bytes=max_bytes)):
            if isinstance(item, IngestError):
                item.item = item.item.replace(local, uri)
            else:
                item.source = item.source.replace(local, uri)
            yield (index, position), item


def read_items(sc: Any, inputs: Sequence[str], max_bytes: int, partitions: int) -> Any:
    """RDD of ((file index, item index), Article | IngestError) over every input, in input order."""
    from crossread.ingest.discover import discover

    local = [p for p in inputs if not is_uri(p)]
    uris = [p for p in inputs if is_uri(p)]
    entries = [(i, path, problem) for i, (path, problem) in enumerate(discover(local))]
    rdd = sc.parallelize(entries, max(1, min(partitions, len(entries) or 1))) \
        .flatMap(lambda e: _read_local(e, max_bytes))
    offset = len(entries)
    for uri in uris:
        files = sc.binaryFiles(uri, partitions).sortByKey()
        count = files.count()
        start = offset
        rdd = rdd.union(files.zipWithIndex().map(lambda kv, start=start: (kv[0], kv[1] + start))
                        .flatMap(lambda e: _read_bytes(e, max_bytes)))
        offset += count
    return rdd


# --------------------------------------------------------------------------- per article


def analyse_partition(items: Iterable[tuple[int, Article]], nlp_name: str | None, first_seen: str, embeddings: bool,
                      batch_size: int) -> Iterator[tuple[str, Any]]:
    """``process_batch`` over one partition, the pipeline loaded once per worker process:
    ("nlp", provenance) once, then ("article", (seq, article, records, features)) or
    ("error", (source, reason)) per article."""
    from crossread.nlp import load_pipeline
    from crossread.nlp.loader import pipeline_provenance
    from crossread.pipeline import ArticleContext, process_batch

    items = iter(items)
    first = next(items, None)
    if first is None:
        return
    nlp = load_pipeline(nlp_name)
    yield "nlp", pipeline_provenance(nlp)
    context = ArticleContext(first_seen=first_seen, embeddings=embeddings)
    batch = [first]
    for item in itertools.chain(items, [None]):  # None: the end, flush the last batch
        if item is not None:
            batch.append(item)
            if len(batch) < batch_size:
                continue
        if not batch:
            break
        seqs = {a.id: seq for seq, a in batch}
        for article, records, features in process_batch([a for _, a in batch], nlp, context):
            if isinstance(records, str):
                yield "error", (article.source, records)
            else:
                yield "article", (seqs[article.id], article, records, features)
        batch = []


# --------------------------------------------------------------------------- rows


def article_table_rows(seq: int, article: Article, records: Any, features: Any, first_seen: str, story_id: str,
                       actor_of: dict[tuple[str, str, str], str], nlp_pipeline_id: int) -> dict[str, list[dict]]:
    """The rows of the article tables for one article, as the store writes them
    (:func:`crossread.store.rows.article_rows`, ``extraction_rows``, ``feature_row``), with its story
    and its actors' corpus-wide ids filled in."""
    from crossread.store import effective_when
    from crossread.store.rows import article_rows, extraction_rows, feature_row

    when = effective_when(article, first_seen)
    rows = article_rows(article, seq=seq, date=when[:10], first_seen=first_seen, nlp_pipeline_id=nlp_pipeline_id)
    rows["articles"][0]["story_id"] = story_id
    rows.update(extraction_rows(article, records))
    for row in rows.get("article_actors", []):
        row["actor_id"] = actor_of[(row["name"], row["type"], row["merge_key"])]
    rows["story_features"] = [feature_row(features)]
    return rows


def story_table_rows(story_id: str, members: Iterable[tuple[Article, Any, Any]],
                     actor_of: dict[tuple[str, str, str], str], embeddings: bool) -> dict[str, list[dict]]:
    """The per-story stage of one story (``members``: (article, records, features)) and its rows: the
    ``stories`` row and the cross-source records (:func:`crossread.store.rows.story_record_rows`)."""
    from crossread.analyze.story import StoryInput
    from crossread.link.actor_resolve import merge_key
    from crossread.pipeline import analyze_one_story
    from crossread.store.rows import story_record_rows, story_summary

    members = sorted(members, key=lambda m: m[2].order_key)
    articles = [a for a, _, _ in members]
    records = {a.id: r for a, r, _ in members}
    merge_keys = {(a.id, actor.id): merge_key(actor) for a, r, _ in members for actor in r.actors}
    actor_ids = {(a.id, actor.id): actor_of[(actor.name, actor.type, merge_keys[(a.id, actor.id)])]
                 for a, r, _ in members for actor in r.actors}
    inp = StoryInput(story_id=story_id, articles=articles, records=records, actor_ids=actor_ids,
                     merge_keys=merge_keys)
    output, _ = analyze_one_story(inp, None, embeddings)
    texts = {a.id: a.text for a in articles}
    rows = story_record_rows(story_id, texts, output.events, output.quotes, output.claims, output.derivations,
                             output.framing)
    rows["stories"] = [{"id": story_id, "founder_id": articles[0].id, "order_key": members[0][2].order_key,
                        "stale": False, **story_summary(output, {a.id: a.outlet for a in articles},
                                                        {a.id: a.published for a in articles})}]
    return rows


def arrow_schema(table_name: str) -> Any:
    """The Arrow schema of a store table (column names and types from :mod:`crossread.store.schema`),
    or of the ``errors`` table (item, reason, stage)."""
    import pyarrow as pa
    from sqlalchemy import Boolean, Float, Integer, LargeBinary

    from crossread.store import schema as s

    if table_name == ERRORS_TABLE:
        return pa.schema([("item", pa.string()), ("reason", pa.string()), ("stage", pa.string())])

    def arrow_type(kind: Any) -> Any:
        if isinstance(kind, Boolean):
            return pa.bool_()
        if isinstance(kind, Integer):
            return pa.int64()
        if isinstance(kind, Float):
            return pa.float64()
        if isinstance(kind, LargeBinary):
            return pa.binary()
        return pa.string()

    return pa.schema([(c.name, arrow_type(c.type)) for c in s.metadata.tables[table_name].columns])


def _filesystem(root: str) -> tuple[Any, str]:
    """(pyarrow file system, path in it) of a local folder or a URI (hdfs://, s3://, gs://, file://)."""
    import pyarrow.fs as pafs

    if is_uri(root):
        return pafs.FileSystem.from_uri(root)
    return pafs.LocalFileSystem(), os.path.abspath(root)


def write_tables(root: str, part: int, tables: dict[str, list[dict]]) -> list[tuple[str, int]]:
    """Write one partition's rows as ``ROOT/TABLE/part-NNNNN.parquet`` per table with rows; (table,
    rows) written. The name depends on the partition only, so a retried task overwrites its own file."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, base = _filesystem(root)
    written = []
    for name, rows in sorted(tables.items()):
        if not rows:
            continue
        schema = arrow_schema(name)
        table = pa.Table.from_pylist([{n: r.get(n) for n in schema.names} for r in rows], schema=schema)
        fs.create_dir(f"{base}/{name}", recursive=True)
        pq.write_table(table, f"{base}/{name}/part-{part:05d}.parquet", filesystem=fs)
        written.append((name, len(rows)))
    return written


def _write_partition(root: str, part: int, chunks: Iterable[dict[str, list[dict]]]) -> Iterator[tuple[str, int]]:
    tables: dict[str, list[dict]] = {}
    for chunk in chunks:
        for name, rows in chunk.items():
            tables.setdefault(name, []).extend(rows)
    yield from write_tables(root, part, tables)


def prepare_output(root: str, names: Sequence[str]) -> None:
    """Empty the tables' folders under ``root`` (a rerun replaces its output)."""
    fs, base = _filesystem(root)
    for name in names:
        fs.create_dir(f"{base}/{name}", recursive=True)
        fs.delete_dir_contents(f"{base}/{name}")


def finish_output(root: str, names: Sequence[str], written: dict[str, int]) -> None:
    """An empty file with the schema in each table that got no rows, so that every table reads back."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    fs, base = _filesystem(root)
    for name in names:
        if not written.get(name):
            pq.write_table(pa.Table.from_pylist([], schema=arrow_schema(name)), f"{base}/{name}/part-00000.parquet",
                           filesystem=fs)


# --------------------------------------------------------------------------- the job


def spark_session(master: str | None = None, app_name: str = "crossread", conf: dict[str, str] | None = None) -> Any:
    from pyspark.sql import SparkSession

    builder = SparkSession.builder.appName(app_name).config("spark.ui.showConsoleProgress", "false")
    if master:
        builder = builder.master(master)
    for key, value in (conf or {}).items():
        builder = builder.config(key, value)
    return builder.getOrCreate()


def run_spark(inputs: Sequence[str], options: SparkOptions, spark: Any = None) -> SparkSummary:
    """Run the whole job (see the module docstring) and write its tables under ``options.out``."""
    from crossread.ingest import IngestError
    from crossread.link.actor_resolve import ActorForm, actor_id, group_forms, merge_key
    from crossread.link.story_assign import threshold_for
    from crossread.spark.clustering import cluster_stories
    from crossread.store import utc_now

    own = spark is None
    spark = spark or spark_session(options.master, options.app_name, options.conf)
    sc = spark.sparkContext
    try:
        partitions = options.partitions or 2 * sc.defaultParallelism
        first_seen = options.first_seen or utc_now()
        summary = SparkSummary()
        items = read_items(sc, inputs, options.max_bytes, partitions).persist()
        errors = items.filter(lambda kv: isinstance(kv[1], IngestError)) \
            .map(lambda kv: (kv[0], {"item": kv[1].item, "reason": kv[1].reason, "stage": "read"}))
        # one article per id, at its first place in input order (analyze keeps the first it reads)
        firsts = items.filter(lambda kv: not isinstance(kv[1], IngestError)) \
            .map(lambda kv: (kv[1].id, (kv[0], kv[1]))) \
            .reduceByKey(lambda a, b: a if a[0] <= b[0] else b) \
            .map(lambda kv: kv[1]).sortByKey().zipWithIndex() \
            .map(lambda kv: (kv[1] + 1, kv[0][1]))
        nlp_name, embeddings, batch = options.nlp, options.embeddings, options.batch_size
        analysed = firsts.repartition(partitions) \
            .mapPartitions(lambda part: analyse_partition(part, nlp_name, first_seen, embeddings, batch)).persist()
        provenance = {p["fingerprint"]: p for p in analysed.filter(lambda kv: kv[0] == "nlp").map(lambda kv: kv[1])
                      .collect()}
        pipeline_rows = [{"id": i + 1, "name": p.get("name") or "", "version": p.get("version"),
                          "components": ",".join(p.get("components", [])), "fingerprint": fp}
                         for i, (fp, p) in enumerate(sorted(provenance.items()))]
        if len(pipeline_rows) > 1:
            raise RuntimeError("the executors loaded different NLP pipelines: install the same crossread everywhere")
        pipeline_id = 1 if pipeline_rows else None
        good = analysed.filter(lambda kv: kv[0] == "article").map(lambda kv: kv[1]).persist()
        nlp_errors = analysed.filter(lambda kv: kv[0] == "error") \
            .map(lambda kv: ((sys.maxsize, 0), {"item": kv[1][0], "reason": kv[1][1], "stage": "analyse"}))

        # actors across the corpus: the store's grouping over every distinct name form
        forms = good.flatMap(lambda r: [(a.name, a.type, merge_key(a)) for a in r[2].actors]).distinct().collect()
        founders = group_forms(ActorForm(*f) for f in forms)
        actor_of = sc.broadcast({(f.name, f.type, f.merge_key): actor_id(founder) for f, founder in founders.items()})
        story_of = sc.broadcast(cluster_stories(good.map(lambda r: r[3]), threshold_for(embeddings)))

        article_rows = good.map(lambda r: article_table_rows(r[0], r[1], r[2], r[3], first_seen,
                                                            story_of.value[r[1].id], actor_of.value, pipeline_id))
        story_rows = good.map(lambda r: (story_of.value[r[1].id], (r[1], r[2], r[3]))).groupByKey() \
            .map(lambda kv: story_table_rows(kv[0], kv[1], actor_of.value, embeddings))
        error_rows = errors.union(nlp_errors).sortBy(lambda kv: (kv[0], kv[1]["item"], kv[1]["reason"])) \
            .map(lambda kv: (kv[1]["item"], kv[1]["reason"], kv[1]["stage"])).collect()

        # every table in one pass: each partition writes its own file per table (pyarrow), no job per table
        out = options.out.rstrip("/")
        names = [*_table_names(), ERRORS_TABLE]
        prepare_output(out, names)
        written: dict[str, int] = {}
        extra = {"nlp_pipelines": pipeline_rows, ERRORS_TABLE: [dict(zip(("item", "reason", "stage"), e))
                                                                for e in error_rows]}
        for name, n in article_rows.union(story_rows).union(sc.parallelize([extra], 1)) \
                .mapPartitionsWithIndex(lambda i, chunks: _write_partition(out, i, chunks)).collect():
            written[name] = written.get(name, 0) + n
        finish_output(out, names, written)
        summary.tables = written
        summary.errors = [(item, reason) for item, reason, _ in error_rows]
        summary.articles = good.count()
        summary.stories = len(set(story_of.value.values()))
        for r in (items, analysed, good):
            r.unpersist()
        return summary
    finally:
        if own:
            spark.stop()
