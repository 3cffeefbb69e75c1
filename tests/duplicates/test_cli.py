"""`lapor-nlp duplicates` on a hand-written CSV."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from lapor_nlp.cli import main
from lapor_nlp.duplicates import DuplicateIndex

CSV = """id,text,submitted_at,kecamatan,kelurahan
a1,"Lampu PJU mati di Jl. Kutisari Indah gang 3, sudah seminggu gelap",2023-01-01 10:00,Tenggilis,Kutisari
a2,"Jalan berlubang besar di jl Ahmad Yani depan toko Sinar Jaya",2023-01-02 10:00,Wonokromo,Jagir
a3,"Lampu PJU mati di Jl. Kutisari Indah gang 5, sudah seminggu gelap",2023-01-03 10:00,Tenggilis,Kutisari
a4,"lampu pju jl kutisari indah gang 3 masih mati sudah seminggu gelap",2023-01-05 10:00,Tenggilis,Kutisari
a5,"   ",2023-01-06 10:00,Wonokromo,Jagir
a6,"jalan berlubang besar jl ahmad yani depan toko sinar jaya belum ditambal",2023-01-04 10:00,Wonokromo,Jagir
"""


def test_cli_writes_groups_and_index(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "export.csv"
    data.write_text(CSV, encoding="utf-8")
    out, saved = tmp_path / "groups.csv", tmp_path / "index.npz"
    assert main(["duplicates", str(data), "--output", str(out), "--index", str(saved), "--quiet"]) == 0
    groups = pd.read_csv(out, dtype=str, keep_default_na=False)
    assert list(groups.columns) == ["group", "id", "duplicate_of", "score", "evidence"]
    members = {g: set(df["id"]) for g, df in groups.groupby("group")}
    assert sorted(members.values(), key=sorted) == [{"a1", "a4"}, {"a2", "a6"}]  # a3: another gang
    a4 = groups.set_index("id").loc["a4"]
    assert a4["duplicate_of"] == "a1" and 0 < float(a4["score"]) <= 1 and "same kelurahan" in a4["evidence"]
    assert len(DuplicateIndex.load(saved)) == 5  # the blank complaint is skipped


def test_cli_reports_missing_columns(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = tmp_path / "bad.csv"
    data.write_text("nomor,isi\n1,jalan rusak\n", encoding="utf-8")
    assert main(["duplicates", str(data), "--output", str(tmp_path / "g.csv")]) == 2
    assert "misses columns" in capsys.readouterr().err
