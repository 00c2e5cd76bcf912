"""Tables: CSV and Parquet files, pandas DataFrames and pyarrow Tables with id and text columns give the
same report as the seed files themselves; bad tables give one line."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

import syndidetect as sd
from conftest import SEEDS, assert_refused_in_one_line
from syndidetect.cli.main import main
from syndidetect.errors import InputError
from syndidetect.sources import read_inputs
from test_readers_html import write

SEED_FILES = sorted(SEEDS.glob("*.txt"))


def seeds_frame() -> pd.DataFrame:
    return pd.DataFrame({"id": [f.name for f in SEED_FILES],
                         "text": [f.read_text(encoding="utf-8") for f in SEED_FILES]})


def seeds_csv() -> bytes:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["url", "text", "id"])  # columns in any order, an extra column
    for f in SEED_FILES:
        writer.writerow([f"https://seeds.example/{f.stem}", f.read_text(encoding="utf-8"), f.name])
    return out.getvalue().encode("utf-8")


def scan(capsys: pytest.CaptureFixture[str], path: str) -> str:
    capsys.readouterr()
    assert main(["scan", path, "--format", "json"]) == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("kind", ["csv", "parquet"])
def test_a_table_of_the_seeds_gives_the_same_report_as_the_seed_folder(tmp_path: Path,
                                                                       capsys: pytest.CaptureFixture[str],
                                                                       kind: str) -> None:
    path = tmp_path / f"seeds.{kind}"
    if kind == "csv":
        write(path, seeds_csv())
    else:
        seeds_frame().to_parquet(path, row_group_size=2)  # three row groups
    expected = scan(capsys, str(SEEDS))
    assert json.loads(expected)["pairs"]
    assert scan(capsys, str(path)) == expected


def test_dataframes_and_arrow_tables_give_the_same_report_as_the_seed_files() -> None:
    expected = sd.detect(read_inputs([str(SEEDS)])).to_dict()
    assert sd.detect(seeds_frame()).to_dict() == expected
    assert sd.detect(pa.Table.from_pandas(seeds_frame())).to_dict() == expected


def test_timestamp_columns_decide_direction_as_instants() -> None:
    text = (SEEDS / "001_cfa5f3a7a816170c.txt").read_text(encoding="utf-8")
    page = "Reader comments\n\n" + text + "\n\nPosted by a reader."
    # The page at 09:00 in New York is 13:00 UTC, after the article's 14:00 in Paris (12:00 UTC); as
    # local clock times it would look earlier.
    frame = pd.DataFrame({"id": ["page", "article"], "text": [page, text],
                          "date": [datetime(2017, 6, 5, 9, tzinfo=timezone(timedelta(hours=-4))),
                                   datetime(2017, 6, 5, 14, tzinfo=timezone(timedelta(hours=2)))]})
    pair = sd.detect(frame).pairs[0]
    assert pair.verdict == "copy" and pair.direction is not None
    assert (pair.direction.source, pair.direction.copy) == ("article", "page")


def test_missing_dates_and_integer_ids(tmp_path: Path) -> None:
    data = "id,text,date,url\n7,First text.,2017-06-05T12:00:00+02:00,https://x.example/7\n008,Second text.,,\n"
    docs = read_inputs([str(write(tmp_path / "t.csv", data))])
    assert [(d.id, d.date) for d in docs] == [("7", "2017-06-05T10:00:00Z"), ("008", None)]
    assert docs[0].metadata == {"url": "https://x.example/7"}
    frame = pd.DataFrame({"id": [1, 2], "text": ["One text.", "Two text."], "date": [pd.NaT, pd.Timestamp("2020")]})
    assert [(d.id, d.date) for d in sd.detect(frame).documents] == [("1", None), ("2", "2020-01-01T00:00:00Z")]


@pytest.mark.parametrize(("name", "data", "message"), [
    ("notext.csv", "id,body\na,Some text\n",
     r"notext\.csv: CSV input needs columns 'id' and 'text'; missing \['text'\]"),
    ("empty.csv", "", r"empty\.csv: empty document"),
    ("header.csv", "id,text\n", r"header\.csv: no rows"),
    ("blank.csv", "id,text\na,Some text\nb,   \n", r"blank\.csv:3 \(id 'b'\): empty document"),
    ("date.csv", "id,text,date\na,Some text,yesterday\n",
     r"date\.csv:2: document 'a': 'yesterday' is not a valid date"),
    ("quote.csv", 'id,text\na,"never closed\n', r"quote\.csv:\d+: malformed CSV"),
])
def test_bad_csv_gives_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str, data: str,
                                message: str) -> None:
    path = write(tmp_path / name, data)
    assert_refused_in_one_line(path, message, capsys)


def test_bad_parquet_gives_one_line(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"x\.parquet: not a readable Parquet file"):
        read_inputs([str(write(tmp_path / "x.parquet", b"PAR1 this is no parquet"))])
    pq.write_table(pa.table({"id": ["a"], "body": ["text"]}), tmp_path / "cols.parquet")
    with pytest.raises(InputError, match=r"cols\.parquet: Parquet input needs columns 'id' and 'text'"):
        read_inputs([str(tmp_path / "cols.parquet")])
    pq.write_table(pa.table({"id": ["a", None], "text": ["Some text.", "More text."]}), tmp_path / "null.parquet")
    with pytest.raises(InputError, match=r"null\.parquet: row 2: 'id' must be a non-empty string"):
        read_inputs([str(tmp_path / "null.parquet")])


def test_dataframes_with_bad_columns_or_cells_are_refused() -> None:
    with pytest.raises(InputError, match=r"DataFrame input needs columns 'id' and 'text'; missing \['text'\]"):
        sd.detect(pd.DataFrame({"id": ["a"], "body": ["x"]}))
    with pytest.raises(InputError, match=r"DataFrame: row 2 \(id 'b'\): 'text' is missing"):
        sd.detect(pd.DataFrame({"id": ["a", "b"], "text": ["Some text.", None]}))
    with pytest.raises(InputError, match=r"DataFrame: row 1 \(id 'a'\): 'text' must be a string; got 5"):
        sd.detect(pd.DataFrame({"id": ["a"], "text": [5]}))
    with pytest.raises(InputError, match=r"DataFrame: row 1 \(id 'a'\): 'date' must be a string or a timestamp"):
        sd.detect(pd.DataFrame({"id": ["a"], "text": ["Some text."], "date": [20170605]}))
