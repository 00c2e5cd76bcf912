"""Bad inputs on the Dask path: one InputError naming the file, as in process; no worker tracebacks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import syndidetect as sd
from syndidetect.distributed import detect_dask, read_collection
from syndidetect.errors import InputError

CONFIG = sd.Config(backend="numpy", sentence_candidates=False)

# dask's Parquet reader calls a pandas API that pandas 3.1 deprecates; it is dask's, not ours.
pytestmark = pytest.mark.filterwarnings("ignore::pandas.errors.Pandas4Warning")


def _table(path: Path, ids: list[str | None], texts: list[str | None], dates: list[str | None] | None = None) -> Path:
    columns: dict[str, list[str | None]] = {"id": ids, "text": texts}
    if dates is not None:
        columns["date"] = dates
    pq.write_table(pa.table(columns), path)
    return path


@pytest.mark.parametrize("ids, texts, dates, message", [
    (["a", "b"], ["some text here", None], None, r"t\.parquet: a row has a null 'text' \(id 'b'\)"),
    (["a", None], ["some text here", "more text"], None, r"t\.parquet: a row has a null 'id'"),
    (["a"], ["   "], None, r"t\.parquet: document 'a': empty document"),
    (["a"], ["text"], ["yesterday"], r"t\.parquet: document 'a': 'yesterday' is not a valid date"),
])
def test_bad_rows_name_the_file(tmp_path: Path, ids: list[str | None], texts: list[str | None],
                                dates: list[str | None] | None, message: str) -> None:
    path = _table(tmp_path / "t.parquet", ids, texts, dates)
    with pytest.raises(InputError, match=message):
        detect_dask(read_collection([str(path)]), CONFIG)


@pytest.mark.parametrize("data", [b"", b"PAR1 not really parquet", b"id,text\na,b\n"])
def test_a_file_that_is_not_parquet_is_one_line(tmp_path: Path, data: bytes) -> None:
    path = tmp_path / "broken.parquet"
    path.write_bytes(data)
    with pytest.raises(InputError, match=r"broken\.parquet: not a readable Parquet file \(.+\)$"):
        read_collection([str(path)])


def test_a_binary_file_in_a_folder_is_one_line_without_worker_logs(tmp_path: Path, seeds_dir: Path) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    (folder / "story.txt").write_text((seeds_dir / "001_cfa5f3a7a816170c.txt").read_text())
    (folder / "image.txt").write_bytes(b"GIF89a\x00\x01\x02")
    result = subprocess.run([sys.executable, "-m", "syndidetect", "scan", str(folder), "--dask", "local:1"],
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"syndidetect: error: {folder / 'image.txt'}: binary file (contains NUL bytes); expected UTF-8 text"]


def test_a_table_with_no_rows_is_no_documents(tmp_path: Path) -> None:
    path = _table(tmp_path / "none.parquet", [], [])
    result = subprocess.run([sys.executable, "-m", "syndidetect", "scan", str(path), "--dask", "local:1"],
                            capture_output=True, text=True, timeout=300)
    assert (result.returncode, result.stderr) == (2, f"syndidetect: error: {path}: no documents found\n")


def test_date_cells_become_document_dates() -> None:
    """A date column as pandas holds it: text as given, missing (None, NaN, NA, NaT) as None, a
    timestamp as its text."""
    import pandas as pd

    from syndidetect.distributed.inputs import date_cell

    assert date_cell("2024-05-01") == "2024-05-01"
    assert [date_cell(v) for v in (None, float("nan"), pd.NA, pd.NaT)] == [None] * 4
    assert date_cell(pd.Timestamp("2024-05-01 10:30", tz="UTC")) == "2024-05-01 10:30:00+00:00"
