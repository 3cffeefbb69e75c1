"""Reading and writing every table format, and reading the dates exports hold (fictional data)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.errors import DataFormatError
from lapor_nlp.tables import TABLE_FORMATS, parse_timestamps, read_table, write_table

FRAME = pd.DataFrame(
    {
        "id": ["A1", "A2", "A3"],
        "text": ["jalan berlubang di gang mawar", "lampu jalan mati", "sampah belum diangkut"],
        "submitted_at": ["2024-01-05 08:15:00", "2024-01-06 09:00:00", "2024-01-07 10:30:00"],
        "topic": ["jalan-rusak", "pju", "sampah"],
    }
)
FILE_FORMATS = [".csv", ".tsv", ".txt", ".xlsx", ".parquet", ".jsonl", ".ndjson"]


@pytest.mark.parametrize("suffix", FILE_FORMATS)
def test_write_read_round_trip_every_format(tmp_path: Path, suffix: str) -> None:
    path = tmp_path / f"t{suffix}"
    write_table(FRAME, path)
    back = read_table(path)
    assert list(back.columns) == list(FRAME.columns)
    assert back["text"].tolist() == FRAME["text"].tolist()
    assert back["id"].astype(str).tolist() == FRAME["id"].tolist()
    assert not list(tmp_path.glob(".t*")), "no temporary file is left behind"


def test_table_formats_lists_every_suffix() -> None:
    assert set(FILE_FORMATS) == set(TABLE_FORMATS)


def test_read_table_strips_column_names_and_keeps_text(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_text(" id ,text , n\n007,halo,\n", encoding="utf-8")
    df = read_table(path)
    assert list(df.columns) == ["id", "text", "n"]
    assert df.iloc[0].tolist() == ["007", "halo", ""]


def test_read_table_xlsx_sheet(tmp_path: Path) -> None:
    path = tmp_path / "book.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        FRAME.head(1).to_excel(writer, sheet_name="Ringkasan", index=False)
        FRAME.to_excel(writer, sheet_name="Data", index=False)
    assert len(read_table(path)) == 1
    assert len(read_table(path, sheet="Data")) == 3
    with pytest.raises(DataFormatError, match=r"no sheet named 'Nope'.*'Ringkasan', 'Data'"):
        read_table(path, sheet="Nope")


def test_read_table_directory_and_glob_in_name_order(tmp_path: Path) -> None:
    parts = tmp_path / "parts"
    parts.mkdir()
    FRAME.iloc[2:].to_parquet(parts / "part-00001.parquet")
    FRAME.iloc[:2].to_parquet(parts / "part-00000.parquet")
    assert read_table(parts)["id"].tolist() == ["A1", "A2", "A3"]
    exports = tmp_path / "exports"
    exports.mkdir()
    FRAME.iloc[:1].to_excel(exports / "2024-01.xlsx", index=False)
    FRAME.iloc[1:].to_excel(exports / "2024-02.xlsx", index=False)
    assert read_table(exports / "*.xlsx")["id"].tolist() == ["A1", "A2", "A3"]
    assert read_table(exports)["id"].tolist() == ["A1", "A2", "A3"]


def test_write_table_directory_targets_are_parquet_parts(tmp_path: Path) -> None:
    for target in (tmp_path / "out", f"{tmp_path}/slash/"):
        write_table(FRAME, target)
        assert sorted(p.name for p in Path(target).iterdir()) == ["part-00000.parquet"]
        assert read_table(target)["id"].tolist() == FRAME["id"].tolist()
    (tmp_path / "out" / "part-00007.parquet").write_bytes(b"stale")
    write_table(FRAME.head(1), tmp_path / "out")
    assert len(read_table(tmp_path / "out")) == 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("missing.csv", None, "no such file or directory"),
        ("empty.csv", "", "empty"),
        ("notes.docx", "x", "unknown table format '.docx'"),
        ("broken.xlsx", "not a zip", "not a readable .xlsx"),
        ("broken.parquet", "nope", "not a readable Parquet"),
        ("broken.jsonl", "{id: 1", "not valid JSON Lines"),
        ("none/*.csv", None, "matches no file"),
    ],
)
def test_read_table_errors_are_one_clear_sentence(
    tmp_path: Path, name: str, content: str | None, message: str
) -> None:
    if content is not None:
        (tmp_path / name).write_text(content)
    with pytest.raises(DataFormatError, match=message):
        read_table(tmp_path / name)


def test_read_table_sheet_only_for_workbooks(tmp_path: Path) -> None:
    write_table(FRAME, tmp_path / "t.csv")
    with pytest.raises(DataFormatError, match=r"\.xlsx workbooks only"):
        read_table(tmp_path / "t.csv", sheet="Data")


def test_write_table_refuses_unknown_suffix(tmp_path: Path) -> None:
    with pytest.raises(DataFormatError, match="cannot write a '.docx' file"):
        write_table(FRAME, tmp_path / "t.docx")


def test_write_table_mixed_object_column_and_aware_dates(tmp_path: Path) -> None:
    df = FRAME.assign(
        score=pd.Series([0.5, "", 1], dtype=object),
        when=pd.to_datetime(FRAME["submitted_at"]).dt.tz_localize("Asia/Jakarta"),
    )
    for suffix, frame in [(s, df) for s in (".parquet", ".xlsx", ".jsonl")] + [
        (".xlsx", df.convert_dtypes(dtype_backend="pyarrow"))
    ]:
        write_table(frame, tmp_path / f"m{suffix}")
        back, bad = parse_timestamps(read_table(tmp_path / f"m{suffix}")["when"])
        assert bad == 0
        assert back.tolist() == df["when"].tolist()


WIB = "Asia/Jakarta"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2022-01-31 08:15:00", "2022-01-31 08:15:00+07:00"),
        ("2022-01-31 08:15", "2022-01-31 08:15:00+07:00"),
        ("2022-01-31T08:15:00", "2022-01-31 08:15:00+07:00"),
        ("2022-01-31T01:15:00Z", "2022-01-31 08:15:00+07:00"),
        ("2022-01-31T10:15:00+09:00", "2022-01-31 08:15:00+07:00"),
        ("2022-01-31", "2022-01-31 00:00:00+07:00"),
        ("31/01/2022 08:15", "2022-01-31 08:15:00+07:00"),
        ("31/01/2022 08:15:30", "2022-01-31 08:15:30+07:00"),
        ("05/02/2022 08:15", "2022-02-05 08:15:00+07:00"),  # day first: 5 February, never May 2
        ("5-2-2022", "2022-02-05 00:00:00+07:00"),
        ("05.02.2022 08.15", "2022-02-05 08:15:00+07:00"),
        ("44592.34375", "2022-01-31 08:15:00+07:00"),
        (44592.34375, "2022-01-31 08:15:00+07:00"),
        (dt.datetime(2022, 1, 31, 8, 15), "2022-01-31 08:15:00+07:00"),
        (pd.Timestamp("2022-01-31 01:15", tz="UTC"), "2022-01-31 08:15:00+07:00"),
    ],
)
def test_parse_timestamps_reads_export_dates(value: object, expected: str) -> None:
    parsed, bad = parse_timestamps([value])
    assert bad == 0
    assert str(parsed.iloc[0]) == expected
    assert str(parsed.dtype.tz) == WIB


@pytest.mark.parametrize("value", ["13/31/2022 08:15", "31/13/2022", "kemarin sore", "2022", "32/01/2022"])
def test_parse_timestamps_counts_what_it_cannot_read(value: str) -> None:
    parsed, bad = parse_timestamps(["2022-01-31 08:15", value, "", None])
    assert bad == 1
    assert parsed.isna().tolist() == [False, True, True, True]


@pytest.mark.parametrize(
    "series",
    [
        pd.Series(["2022-01-31 08:15:00", None], dtype="string[pyarrow]"),
        pd.Series(["2022-01-31 08:15:00", None], dtype="str"),
        pd.Series(pd.to_datetime(["2022-01-31 08:15:00", None])),
        pd.Series(pd.to_datetime(["2022-01-31 08:15:00", None])).astype("timestamp[us][pyarrow]"),
        pd.Series([44592.34375, None]),
    ],
    ids=["arrow-string", "str", "datetime64", "arrow-timestamp", "excel-float"],
)
def test_parse_timestamps_dtypes(series: pd.Series) -> None:
    parsed, bad = parse_timestamps(series)
    assert bad == 0
    assert str(parsed.iloc[0]) == "2022-01-31 08:15:00+07:00"
    assert pd.isna(parsed.iloc[1])


def test_parse_timestamps_keeps_the_index_and_other_zones() -> None:
    series = pd.Series(["2022-01-31 08:15", "31/01/2022 09:15"], index=[7, 7])
    parsed, _ = parse_timestamps(series, tz="UTC")
    assert parsed.index.tolist() == [7, 7]
    assert [str(v) for v in parsed] == ["2022-01-31 08:15:00+00:00", "2022-01-31 09:15:00+00:00"]


def test_read_table_xlsx_keeps_cell_types(tmp_path: Path) -> None:
    df = pd.DataFrame({"id": ["007", "008"], "n": [1, 2], "when": pd.to_datetime(["2024-01-05 08:15", None])})
    write_table(df, tmp_path / "t.xlsx")
    back = read_table(tmp_path / "t.xlsx")
    assert back["id"].tolist() == ["007", "008"]  # text cells stay text, leading zeros kept
    assert pd.api.types.is_integer_dtype(back["n"]) and pd.api.types.is_datetime64_any_dtype(back["when"])


def test_parse_timestamps_drops_nanoseconds_instead_of_failing() -> None:
    # pandas writes timestamps with nine fractional digits; the result holds microseconds
    values = pd.Series(["2022-03-27 10:00:00.123456789+07:00", "2023-02-23 15:24:37.894736842"])
    parsed, bad = parse_timestamps(values)
    assert bad == 0
    assert parsed.iloc[0] == pd.Timestamp("2022-03-27 10:00:00.123456", tz="Asia/Jakarta")
    assert parsed.iloc[1] == pd.Timestamp("2023-02-23 15:24:37.894736", tz="Asia/Jakarta")
