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
