"""docs/EXPORT.md stays true: its export commands and Python examples run as written on an analysed
store, and it describes every exported table."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from crossread.cli import main
from crossread.export.tables import TABLES
from tests.conftest import REPO

DOC = (REPO / "docs" / "EXPORT.md").read_text(encoding="utf-8")
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", DOC, flags=re.S) for line in block.splitlines()
            if line.startswith("crossread export out/demo")]
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC, flags=re.S)


def test_every_table_is_described() -> None:
    for table in TABLES:
        assert re.search(rf"^\| `{table.name}` \|", DOC, flags=re.M), f"docs/EXPORT.md does not describe {table.name}"


def test_the_examples_run_on_an_analysed_store(export_store: Path, tmp_path: Path) -> None:
    assert len(COMMANDS) >= 5 and len(EXAMPLES) >= 4
    shutil.copytree(export_store, tmp_path / "out" / "demo")
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        for command in COMMANDS:
            result = CliRunner().invoke(main, shlex.split(command)[1:])
            assert result.exit_code == 0, (command, result.output)
        for example in EXAMPLES:
            exec(compile(example, "docs/EXPORT.md", "exec"), {})  # noqa: S102 - our own documentation
    finally:
        os.chdir(cwd)


def test_usage_line_names_every_format() -> None:
    from crossread.cli import EXPORT_FORMATS

    for fmt in EXPORT_FORMATS:
        assert f"| `{fmt}` |" in DOC
