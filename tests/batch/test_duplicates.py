"""Duplicate groups per region: Dask equals the in-process per-region grouping; the no-location rule."""

from __future__ import annotations

import pandas as pd
import pytest

from lapor_nlp.batch.duplicates import (
    NO_REGION,
    find_groups_by_region,
    find_groups_dask,
    region_column,
    region_values,
)
from lapor_nlp.duplicates.batch import GROUP_COLUMNS, find_groups
from lapor_nlp.errors import DataFormatError

# Fictional complaints: (kecamatan, kelurahan, text); a trailing digit marks a re-submission of a problem.
PROBLEMS = [
    ("Tenggilis", "Kutisari", "Lampu PJU mati di Jl. Kutisari Indah gang 3, sudah seminggu gelap"),
    ("Tenggilis", "Kutisari", "Saluran air tersumbat di Jl. Kutisari Selatan RT 04 RW 02 banjir tiap hujan"),
    ("Wonokromo", "Jagir", "Jalan berlubang besar di jl Ahmad Yani depan toko Sinar Jaya"),
    ("Wonokromo", "Jagir", "Pohon tumbang menutup jalan di Jl. Jagir Wonokromo dekat jembatan"),
    ("Rungkut", "Medokan Ayu", "Sampah menumpuk di TPS Medokan Ayu belum diangkut lima hari"),
    ("Rungkut", "Medokan Ayu", "Parkir liar di depan pasar Medokan Ayu membuat macet setiap pagi"),
    (None, None, "Bantuan sosial untuk lansia di rumah kami belum cair sejak tiga bulan lalu"),
    (None, None, "Air PDAM di Perumahan Griya Asri blok C tidak mengalir sejak tiga hari"),
]
AGAIN = [
    "{} mohon segera ditindaklanjuti",
    "mohon bantuan, {} sudah lapor belum ada tanggapan",
]


def make_export() -> pd.DataFrame:
    rows = []
    for p, (kec, kel, text) in enumerate(PROBLEMS):
        for k, form in enumerate(["{}", *AGAIN]):
            rows.append(
                {
                    "id": f"c{p}{k}",
                    "text": form.format(text.lower() if k else text),
                    "submitted_at": f"2023-01-{1 + 3 * k + (p % 3):02d} {8 + p:02d}:00",
                    "kecamatan": kec if kec is None or k < 2 else f"  {kec} ",  # stray spaces: same region
                    "kelurahan": kel,
                }
            )
    # an unlocated re-submission of a located problem: only compared with the unlocated complaints
    rows.append(
        {
            "id": "u1",
            "text": PROBLEMS[0][2] + " tolong",
            "submitted_at": "2023-01-02 09:00",
            "kecamatan": "",
            "kelurahan": None,
        }
    )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=1).reset_index(drop=True)


def _members(groups: pd.DataFrame) -> list[set[str]]:
    return sorted((set(g["id"]) for _, g in groups.groupby("group")), key=sorted)


def test_region_keys_and_column_choice() -> None:
    keys = region_values(pd.Series([" Rungkut ", "", None, float("nan"), "Tandes"]))
    assert keys.tolist() == ["Rungkut", NO_REGION, NO_REGION, NO_REGION, "Tandes"]
    assert region_column(["id", "kelurahan", "kecamatan"], ["kecamatan", "kelurahan"]) == "kecamatan"
    assert region_column(["id", "kelurahan"], ["kecamatan", "kelurahan"]) == "kelurahan"
    assert region_column(["id"], ["kecamatan", "kelurahan"]) is None


def test_dask_groups_equal_in_process_per_region(local_cluster) -> None:
    import dask.dataframe as dd

    df = make_export()
    local = find_groups_by_region(df)
    remote = find_groups_dask(dd.from_pandas(df, npartitions=3))
    assert list(remote.columns) == list(GROUP_COLUMNS)
    pd.testing.assert_frame_equal(remote, local)
    assert local["group"].tolist() == sorted(local["group"].tolist())
    assert len(_members(local)) >= 5  # most problems were found again


def test_located_groups_match_one_global_index() -> None:
    df = make_export()
    located = df[df["kecamatan"].notna() & df["kecamatan"].ne("")].reset_index(drop=True)
    by_region = find_groups_by_region(located)
    whole, _ = find_groups(located)
    assert _members(by_region) == _members(whole)
    assert by_region["group"].tolist() == whole["group"].tolist()
    assert by_region["id"].tolist() == whole["id"].tolist()


def test_unlocated_complaints_are_compared_only_among_themselves() -> None:
    df = make_export()
    whole, _ = find_groups(df)
    assert any("u1" in m and "c00" in m for m in _members(whole))  # one index links it to Tenggilis
    groups = find_groups_by_region(df)
    members = _members(groups)
    assert not any("u1" in m and any(i.startswith("c0") for i in m) for m in members)
    unlocated = {"c60", "c61", "c62", "c70", "c71", "c72", "u1"}
    assert all(m <= unlocated or not (m & unlocated) for m in members)
    assert any(len(m & unlocated) > 1 for m in members)  # but they are grouped among themselves


def test_missing_columns_are_reported() -> None:
    with pytest.raises(DataFormatError, match="misses columns"):
        find_groups_by_region(make_export().rename(columns={"text": "isi"}))
