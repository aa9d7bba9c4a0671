"""crossread on Apache Spark: the analyze pipeline as one distributed job (:mod:`crossread.spark.job`)
writing the store's tables as Parquet, its story filing in batch (:mod:`crossread.spark.clustering`).

``crossread spark INPUT... --out PATH`` runs it (local mode by default, ``--master URL`` for a
cluster); ``spark-submit .../crossread/spark/__main__.py INPUT... --out PATH`` is the same command
for a cluster's own launcher (docs/SPARK.md). ``crossread store import-parquet PATH`` loads the
tables into a store for ``crossread serve`` and ``crossread export``.
"""

from crossread.spark.job import SparkOptions, SparkSummary, run_spark

__all__ = ["SparkOptions", "SparkSummary", "run_spark"]
