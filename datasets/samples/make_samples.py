"""Regenerate the hand-written, fictional sample export used by the notebooks and quick demos.

Every complaint is made up from the templates below (fictional streets, people and places); nothing is
copied from a real portal. Run ``python datasets/samples/make_samples.py`` to rewrite
``complaints_sample.csv`` and ``duplicate_pairs_sample.csv``; the output is deterministic.
"""

from __future__ import annotations

import csv
import random
from datetime import datetime, timedelta
from pathlib import Path

HERE = Path(__file__).resolve().parent
PLACES = {
    "Sukamaju": ["Sukamaju Barat", "Sukamaju Timur"],
    "Tirtoasri": ["Tirtoasri Lor", "Tirtoasri Kidul"],
    "Kembangsari": ["Kembangsari", "Ngemplak Asri"],
    "Wonoluhur": ["Wonoluhur", "Panjangsari"],
}
STREETS = [
    "Jl. Kenanga",
    "Jl. Melati Raya",
    "Jl. Flamboyan",
    "Gg. Dahlia",
    "Jl. Cempaka Putih",
    "Jl. Anggrek",
    "Jl. Teratai",
    "Gg. Kamboja",
    "Jl. Bougenville",
    "Jl. Seruni",
]
TOPICS: dict[str, tuple[str | None, list[str]]] = {
    "jalan-rusak": (
        "Dinas Bina Marga",
        [
            "jalan di {street} no {no} rusak parah, banyak lubang, mohon segera diperbaiki",
            "aspal {street} RT {rt} berlubang besar, sudah {days} hari motor sering jatuh",
            "jln {street} rusak gak diperbaiki2, tolong pak",
            "mohon perbaikan jalan berlubang depan rumah no {no} {street}, bahaya kalau malam",
        ],
    ),
    "pju": (
        "Dinas Perhubungan",
        [
            "lampu PJU di {street} mati sudah {days} hari, gelap sekali malam hari",
            "lampu jalan depan no {no} {street} padam, mohon diganti",
            "pju mati total sepanjang {street} RT {rt}, rawan maling",
            "lampu penerangan jalan {street} kedip2 terus lalu mati",
        ],
    ),
    "sampah": (
        "Dinas Lingkungan Hidup",
        [
            "sampah di TPS {street} menumpuk {days} hari belum diangkut, bau sekali",
            "mohon pengangkutan sampah kerja bakti warga RT {rt} di {street}",
            "truk sampah tidak lewat {street} sudah seminggu, sampah numpuk",
            "ada pembuangan sampah liar di lahan kosong {street} no {no}",
        ],
    ),
    "banjir": (
        "Dinas Sumber Daya Air",
        [
            "saluran di {street} mampet, kalau hujan banjir sampai masuk rumah",
            "banjir setinggi lutut di {street} RT {rt} sejak tadi malam, mohon bantuan pompa",
            "genangan air tidak surut di {street} no {no} sudah {days} hari",
            "got depan rumah {street} tersumbat sampah, air meluap ke jalan",
        ],
    ),
    "bansos": (
        "Dinas Sosial",
        [
            "saya warga RT {rt} belum menerima bantuan sembako bulan ini, mohon dicek",
            "kenapa nama ibu saya dicoret dari data penerima bansos, padahal masih tidak mampu",
            "mohon pendataan keluarga miskin di {street}, banyak yang belum terdaftar",
            "bantuan PKH tetangga saya di {street} no {no} belum cair {days} bulan",
        ],
    ),
    "adminduk": (
        None,
        [  # the agency is the complainant's kelurahan office
            "mengurus KTP di kelurahan sudah {days} minggu belum jadi, mohon info",
            "kartu keluarga saya salah tulis nama, bagaimana cara perbaikannya",
            "surat pindah domisili ke {street} belum diproses, sudah lengkap berkas",
            "pelayanan akta kelahiran di kelurahan lama sekali, antri dari pagi",
        ],
    ),
}


def _row(rng: random.Random, topic: str, when: datetime, kecamatan: str | None = None) -> dict[str, str]:
    agency, templates = TOPICS[topic]
    kecamatan = kecamatan or rng.choice(sorted(PLACES))
    kelurahan = rng.choice(PLACES[kecamatan])
    text = rng.choice(templates).format(
        street=rng.choice(STREETS),
        no=rng.randint(1, 120),
        rt=f"{rng.randint(1, 12):02d}",
        days=rng.randint(2, 14),
    )
    return {
        "text": text,
        "submitted_at": when.strftime("%Y-%m-%d %H:%M:%S"),
        "topic": topic,
        "agency": agency or f"Kelurahan {kelurahan}",
        "kecamatan": kecamatan,
        "kelurahan": kelurahan,
    }


def make_complaints(seed: int = 7) -> list[dict[str, str]]:
    """About 175 complaints over Jan-Jun 2024 with a planted flood week and 8 re-submissions."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1, 7, 0)
    rows: list[dict[str, str]] = []
    topics = sorted(TOPICS)
    for week in range(26):
        for _ in range(6):
            when = start + timedelta(weeks=week, days=rng.randint(0, 6), minutes=rng.randint(0, 600))
            rows.append(_row(rng, rng.choice(topics), when))
        if week == 20:  # planted emerging issue: a flood week in Tirtoasri
            for _ in range(11):
                when = start + timedelta(weeks=week, days=rng.randint(0, 4), minutes=rng.randint(0, 600))
                rows.append(_row(rng, "banjir", when, kecamatan="Tirtoasri"))
    # re-submissions: a later near-copy of an earlier complaint (same street, same problem)
    for k in range(8):
        original = rows[k * 17]
        later = dict(original)
        later["text"] = (
            ("mohon ditindaklanjuti, " if k % 2 else "") + original["text"] + (" lagi" if k % 2 == 0 else "")
        )
        when = datetime.strptime(original["submitted_at"], "%Y-%m-%d %H:%M:%S") + timedelta(days=3 + k)
        later["submitted_at"] = when.strftime("%Y-%m-%d %H:%M:%S")
        later["_dup_of"] = original  # type: ignore[assignment]
        rows.append(later)
    rows.sort(key=lambda r: r["submitted_at"])
    for i, row in enumerate(rows):
        row["id"] = f"S{i + 1:04d}"
        submitted = datetime.strptime(row["submitted_at"], "%Y-%m-%d %H:%M:%S")
        if rng.random() < 0.1:
            row["responded_at"] = ""
        else:
            row["responded_at"] = (
                submitted + timedelta(hours=rng.choice([2, 5, 20, 30, 50, 90, 200]))
            ).strftime("%Y-%m-%d %H:%M:%S")
    rows[5]["topic"] = ""  # one complaint the operator left without a topic
    return rows


def make_pairs(rows: list[dict[str, str]]) -> list[dict[str, str]]:
    """Labelled pairs: every re-submission with its original (DUP) and two same-topic others (NOT)."""
    rng = random.Random(11)
    pairs = []
    for dup in rows:
        original = dup.get("_dup_of")
        if not isinstance(original, dict):
            continue
        pairs.append({"query_id": dup["id"], "cand_id": original["id"], "label": "DUP"})
        others = [
            o
            for o in rows
            if o["topic"] == dup["topic"]
            and o is not original
            and o["submitted_at"] < dup["submitted_at"]
            and "_dup_of" not in o
        ]
        for other in rng.sample(others, min(2, len(others))):
            pairs.append({"query_id": dup["id"], "cand_id": other["id"], "label": "NOT"})
    return pairs


def main() -> None:
    rows = make_complaints()
    pairs = make_pairs(rows)
    columns = ["id", "text", "submitted_at", "responded_at", "topic", "agency", "kecamatan", "kelurahan"]
    with (HERE / "complaints_sample.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    with (HERE / "duplicate_pairs_sample.csv").open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, fieldnames=["query_id", "cand_id", "label"])
        writer.writeheader()
        writer.writerows(pairs)
    print(f"{len(rows)} complaints, {len(pairs)} labelled pairs")


if __name__ == "__main__":
    main()
