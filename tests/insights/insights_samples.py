"""Hand-written complaint frames with known answers for the insights tests (fictional)."""

from __future__ import annotations

import pandas as pd

START = pd.Timestamp("2024-01-01 08:00")  # a Monday


def steady_weeks(weeks: int = 16) -> list[dict[str, object]]:
    """Two complaints a week about street lights in Rungkut and one about rubbish in Tandes."""
    rows: list[dict[str, object]] = []
    for w in range(weeks):
        monday = START + pd.Timedelta(weeks=w)
        for i in range(2):
            rows.append(
                {
                    "text": f"lampu jalan mati di gang {w}-{i}",
                    "submitted_at": monday + pd.Timedelta(days=i, hours=1),
                    "topic": "PJU",
                    "agency": "Dinas Perhubungan",
                    "kecamatan": "Rungkut",
                    "kelurahan": "Medokan Ayu",
                }
            )
        rows.append(
            {
                "text": f"sampah menumpuk minggu {w}",
                "submitted_at": monday + pd.Timedelta(days=3),
                "topic": "Sampah",
                "agency": "Dinas Lingkungan Hidup",
                "kecamatan": "Tandes",
                "kelurahan": "Tandes",
            }
        )
    return rows


def spike_rows() -> pd.DataFrame:
    """16 steady weeks plus a planted flood spike: 12 'Banjir' complaints in Gubeng in week 12."""
    rows = steady_weeks(16)
    flood_week = START + pd.Timedelta(weeks=12)
    for i in range(12):
        rows.append(
            {
                "text": f"banjir setinggi lutut di jalan kenanga {i}, hubungi 0812-3456-7890",
                "submitted_at": flood_week + pd.Timedelta(days=i % 5, hours=i),
                "topic": "Banjir",
                "agency": "Dinas Sumber Daya Air dan Bina Marga",
                "kecamatan": "Gubeng",
                "kelurahan": "Airlangga",
            }
        )
    # one earlier flood complaint so the topic has a (tiny) history
    rows.append(
        {
            "text": "genangan air di depan rumah",
            "submitted_at": START + pd.Timedelta(weeks=3, days=2),
            "topic": "Banjir",
            "agency": "Dinas Sumber Daya Air dan Bina Marga",
            "kecamatan": "Gubeng",
            "kelurahan": "Airlangga",
        }
    )
    frame = pd.DataFrame(rows)
    frame.insert(0, "id", [f"C{i:03d}" for i in range(len(frame))])
    frame["submitted_at"] = frame["submitted_at"].astype(str)
    return frame


AGENCIES = ("Dinas Perhubungan", "Dinas Lingkungan Hidup", "Dinas Kesehatan", "Satpol PP", "Dinas Pendidikan")
CATEGORIES = ("PJU", "Sampah", "Puskesmas", "PKL", "Sekolah")
KECAMATAN = ("Rungkut", "Tandes", "Gubeng", "Wonokromo")


def synthetic_export(rows: int = 800, seed: int = 7) -> pd.DataFrame:
    """A fictional export over ~5 months (starting mid-week, ending on a Tuesday: partial first and last
    weeks), five agencies with their own answer rates, some complaints still open (empty responded_at)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2023-01-04 07:00")  # a Wednesday
    span = pd.Timestamp("2023-06-06 18:00") - start
    submitted = (
        start + pd.to_timedelta(np.sort(rng.uniform(0, 1, rows)) * span.total_seconds(), unit="s")
    ).floor("min")
    agency_idx = rng.integers(0, len(AGENCIES), rows)
    answer_rate = np.array([0.95, 0.85, 0.7, 0.5, 0.9])[agency_idx]
    answered = rng.uniform(0, 1, rows) < answer_rate
    hours = rng.gamma(2.0, 30.0, rows)
    responded = pd.Series(submitted + pd.to_timedelta(hours, unit="h")).dt.strftime("%Y-%m-%d %H:%M:%S")
    return pd.DataFrame(
        {
            "id": [f"S{i:04d}" for i in range(rows)],
            "text": [f"keluhan contoh nomor {i}, hubungi 0812-1111-{i % 10000:04d}" for i in range(rows)],
            "submitted_at": pd.Series(submitted).dt.strftime("%Y-%m-%d %H:%M:%S"),
            "responded_at": responded.where(answered, None),
            "topic": [CATEGORIES[i] for i in agency_idx],
            "agency": [AGENCIES[i] for i in agency_idx],
            "kecamatan": [KECAMATAN[i] for i in rng.integers(0, len(KECAMATAN), rows)],
            "kelurahan": [f"Kel-{i}" for i in rng.integers(0, 6, rows)],
        }
    )
