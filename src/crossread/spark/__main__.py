"""``spark-submit .../crossread/spark/__main__.py INPUT... --out PATH``: ``crossread spark`` for a
cluster's launcher (the master and resources come from spark-submit); also ``python -m crossread.spark``."""

from crossread.cli import spark_command

if __name__ == "__main__":
    spark_command(prog_name="crossread spark")
