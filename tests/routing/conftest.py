"""Hand-written mini-corpus for routing tests (no third-party text)."""

from __future__ import annotations

import itertools

import pandas as pd
import pytest

# (topic, agency or None for the kelurahan role, phrases)
TOPICS = [
    (
        "PJU",
        "Dinas Perhubungan",
        [
            "lampu penerangan jalan mati sudah seminggu",
            "lampu jalan padam tolong diperbaiki",
            "pju di gang rumah mati gelap sekali",
            "lampu pju berkedip kedip dan mati malam hari",
            "penerangan jalan umum tidak menyala",
            "tiang lampu jalan miring dan lampunya mati",
        ],
    ),
    (
        "Sampah",
        "Dinas Lingkungan Hidup",
        [
            "sampah menumpuk belum diangkut petugas",
            "tumpukan sampah di pinggir jalan bau busuk",
            "truk sampah tidak datang sudah tiga hari",
            "tempat pembuangan sampah penuh mohon diangkut",
            "sampah liar dibuang warga di sungai",
            "bak sampah rusak dan sampah berserakan",
        ],
    ),
    (
        "Bansos",
        "Dinas Sosial",
        [
            "bantuan sosial belum cair bulan ini",
            "nama saya tidak terdaftar penerima bansos",
            "bantuan sembako untuk lansia belum diterima",
            "data penerima bantuan sosial salah",
            "mohon info pencairan bantuan langsung tunai",
            "keluarga miskin belum dapat bantuan",
        ],
    ),
    (
        "Surat Kelurahan",
        None,
        [
            "surat keterangan domisili dari kelurahan belum jadi",
            "pelayanan di kantor kelurahan lambat sekali",
            "petugas kelurahan tidak ada di tempat saat jam kerja",
            "mengurus surat pengantar di kelurahan dipersulit",
            "antrian di kelurahan panjang dan tidak tertib",
            "surat keterangan tidak mampu dari kelurahan lama",
        ],
    ),
]
PLACES = [
    ("Rungkut", "Medokan Ayu"),
    ("Rungkut", "Kali Rungkut"),
    ("Wonocolo", "Jemur Wonosari"),
    ("Tandes", "Manukan Kulon"),
]
SUFFIXES = ["", " mohon segera ditindaklanjuti", " terima kasih", " sudah lapor belum ada tanggapan"]


def make_complaints() -> pd.DataFrame:
    """96 complaints: 4 topics x 6 phrases x 4 places, in a deterministic order."""
    rows = []
    for (topic, agency, phrases), (i, phrase) in itertools.product(TOPICS, enumerate(TOPICS[0][2])):
        phrase = phrases[i]
        for j, (kec, kel) in enumerate(PLACES):
            rows.append(
                {
                    "id": str(len(rows) + 1),
                    "text": phrase + SUFFIXES[(i + j) % len(SUFFIXES)],
                    "submitted_at": f"2022-{1 + (len(rows) % 12):02d}-{1 + (len(rows) % 27):02d} 10:00:00",
                    "topic": topic,
                    "agency": agency or f"Kelurahan {kel}",
                    "kecamatan": kec,
                    "kelurahan": kel,
                }
            )
    return pd.DataFrame(rows).sample(frac=1.0, random_state=0).reset_index(drop=True)


@pytest.fixture(scope="session")
def complaints() -> pd.DataFrame:
    return make_complaints()


@pytest.fixture(scope="session")
def trained_router(complaints: pd.DataFrame):  # type: ignore[no-untyped-def]
    from lapor_nlp import Router

    return Router.train(
        complaints,
        text="text",
        targets=["topic", "agency"],
        location=["kecamatan", "kelurahan"],
        progress=False,
        min_auto_count=5,
    )


@pytest.fixture(scope="session")
def saved_router(trained_router, tmp_path_factory):  # type: ignore[no-untyped-def]
    path = tmp_path_factory.mktemp("routing") / "model"
    trained_router.save(path)
    return path
