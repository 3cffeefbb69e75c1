"""Redaction evaluation: plant synthetic personal data in real texts and check what a redactor removes.

Used by ``benchmarks/bench_text.py --redaction`` and a slow test on the Surabaya complaints. Nothing here
holds real data: NIKs, phones, e-mails and names are generated; the host texts are passed in at run time.

For every host text, :func:`plant` inserts identifiers in the forms seen in intake text (NIK/KK with
spaces, dots or dashes, glued to ``NIK.``, ``nik=`` or a literal ``\\n``; mobiles ``08…``, ``+62 8…``,
``628…``; landlines; e-mails; names after ``atas nama``, ``nama saya``, ``Bapak``/``Ibu`` …) and ordinary
numbers (dates, RT/RW, house numbers, money, postal codes, times). :func:`evaluate` then reports, per
form, the share of identifiers removed and the share of non-personal numbers kept.
"""

from __future__ import annotations

import random
import re
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

_GIVEN = (
    "Budi",
    "Siti",
    "Agus",
    "Dewi",
    "Rina",
    "Joko",
    "Sri",
    "Ahmad",
    "Muhammad",
    "Nur",
    "Eko",
    "Wahyu",
    "Putri",
    "Andi",
    "Yuliana",
    "Hendra",
    "Rizky",
    "Fitri",
    "Bambang",
    "Sutrisno",
    "Lestari",
    "Indah",
    "Ayu",
    "Dian",
    "Rudi",
    "Slamet",
    "Suparman",
    "Mariyam",
    "Teguh",
    "Kurniawan",
    "Yusuf",
    "Fajar",
    "Anisa",
    "Retno",
    "Heru",
)
_FAMILY = (
    "Santoso",
    "Wijaya",
    "Saputra",
    "Pratama",
    "Hidayat",
    "Rahayu",
    "Setiawan",
    "Susanto",
    "Kusuma",
    "Nugroho",
    "Wibowo",
    "Purnomo",
    "Hartono",
    "Handayani",
    "Lestari",
    "Siregar",
    "Nasution",
    "Simanjuntak",
    "Harahap",
    "Prasetyo",
    "Ramadhan",
    "Firmansyah",
    "Utomo",
    "Gunawan",
    "Sulistyo",
    "Maharani",
    "Permata",
    "Wulandari",
)
_MAIL_DOMAINS = ("gmail.com", "yahoo.com", "yahoo.co.id", "ymail.com", "outlook.com", "surabaya.go.id")
_AREA_CODES = ("031", "021", "022", "024", "0341", "0351", "0321", "061", "0274", "0361")


def _nik(rng: random.Random) -> str:
    """A well-formed 16-digit NIK: region code, birth date (+40 for women), serial."""
    region = rng.choice(("3578", "3515", "3525", "3173", "3273", "3374", "3507", "3509", "1271", "6471"))
    sub = f"{rng.randint(1, 31):02d}"
    day = rng.randint(1, 28) + (40 if rng.random() < 0.5 else 0)
    return f"{region}{sub}{day:02d}{rng.randint(1, 12):02d}{rng.randint(50, 99):02d}{rng.randint(1, 999):04d}"


def _kk(rng: random.Random) -> str:
    return f"3578{rng.randint(10, 31)}{rng.randint(10**7, 10**8 - 1)}{rng.randint(10, 99)}"[:16]


def _group(digits: str, sizes: Sequence[int], sep: str) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(digits[pos : pos + size])
        pos += size
    if pos < len(digits):
        parts.append(digits[pos:])
    return sep.join(p for p in parts if p)


def _mobile(rng: random.Random) -> str:
    return (
        "08"
        + rng.choice(("1", "2", "5", "7", "8", "9"))
        + "".join(rng.choice("0123456789") for _ in range(rng.choice((8, 9))))
    )


def _name(rng: random.Random) -> str:
    return (
        f"{rng.choice(_GIVEN)} {rng.choice(_FAMILY)}"
        if rng.random() < 0.8
        else rng.choice(_GIVEN) + " " + rng.choice(_GIVEN)
    )


# Each form returns (text to insert, the secret that must disappear).
Form = Callable[[random.Random], tuple[str, str]]


def _nik_forms() -> dict[str, Form]:
    def plain(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        return f"NIK {n}", n

    def spaced(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        return f"nik: {_group(n, (4, 4, 4, 4), ' ')}", _group(n, (4, 4, 4, 4), " ")

    def dotted(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        v = _group(n, r.choice(((2, 2, 2, 6, 4), (4, 4, 4, 4), (6, 6, 4))), ".")
        return f"NIK.{v}", v

    def dashed(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        v = _group(n, r.choice(((4, 4, 4, 4), (6, 6, 4), (4, 2, 6, 4))), "-")
        return f"nik={v}", v

    def literal_newline(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        return f"\\nNIK : {n}\\n", n

    def glued_newline(r: random.Random) -> tuple[str, str]:
        n = _nik(r)
        return f"data saya\\n{n}\\nmohon dicek", n

    def kk(r: random.Random) -> tuple[str, str]:
        n = _kk(r)
        return f"No KK {n}", n

    def bare(r: random.Random) -> tuple[str, str]:
        n = "".join(r.choice("0123456789") for _ in range(16))
        return f"nomor {n}", n

    return {
        "nik_plain": plain,
        "nik_spaced": spaced,
        "nik_dotted": dotted,
        "nik_dashed": dashed,
        "nik_literal_newline": literal_newline,
        "nik_glued_newline": glued_newline,
        "kk": kk,
        "nik_random_16_digits": bare,
    }


def _phone_forms() -> dict[str, Form]:
    def mobile(r: random.Random) -> tuple[str, str]:
        m = _mobile(r)
        return f"hp {m}", m

    def mobile_sep(r: random.Random) -> tuple[str, str]:
        m = _mobile(r)
        v = _group(m, (4, 4, 4), r.choice((" ", "-", ".")))
        return f"no hp {v}", v

    def plus62(r: random.Random) -> tuple[str, str]:
        m = _mobile(r)[1:]
        v = "+62 " + _group(m, (3, 4, 4), r.choice((" ", "-", "")))
        return f"WA {v}", v

    def c628(r: random.Random) -> tuple[str, str]:
        m = "62" + _mobile(r)[1:]
        return f"wa.{m}", m

    def glued(r: random.Random) -> tuple[str, str]:
        m = _mobile(r)
        return f"telp\\n{m}\\nterima kasih", m

    def landline(r: random.Random) -> tuple[str, str]:
        area = r.choice(_AREA_CODES)
        num = "".join(r.choice("0123456789") for _ in range(8 - len(area) + 3))
        num = str(r.randint(2, 9)) + num[1:]
        v = r.choice((f"({area}) {num}", f"{area}-{num}", f"{area} {num}", f"({area}) {num[:3]} {num[3:]}"))
        return f"telp kantor {v}", v

    return {
        "mobile": mobile,
        "mobile_separated": mobile_sep,
        "mobile_plus62": plus62,
        "mobile_628": c628,
        "mobile_literal_newline": glued,
        "landline": landline,
    }


def _email_forms() -> dict[str, Form]:
    def email(r: random.Random) -> tuple[str, str]:
        sep = r.choice((".", "_", ""))
        user = f"{r.choice(_GIVEN).lower()}{sep}{r.choice(_FAMILY).lower()}{r.randint(1, 99)}"
        v = f"{user}@{r.choice(_MAIL_DOMAINS)}"
        return r.choice((f"email {v}", f"email: {v}", f"\\n{v}")), v

    return {"email": email}


def _name_forms() -> dict[str, Form]:
    def cue(template: str, upper: bool = False) -> Form:
        def form(r: random.Random) -> tuple[str, str]:
            n = _name(r)
            n = n.upper() if upper else n
            return template.format(n), n

        return form

    return {
        "name_atas_nama": cue("atas nama {}"),
        "name_an": cue("a.n. {}"),
        "name_nama_saya": cue("nama saya {}"),
        "name_nama_saya_lower": lambda r: (lambda n: (f"nama saya {n}", n))(_name(r).lower()),
        "name_bapak": cue("Bapak {}"),
        "name_ibu": cue("Ibu {}"),
        "name_bu_pak": lambda r: (lambda n: (f"{r.choice(('Pak', 'Bu', 'Bpk.'))} {n}", n))(_name(r)),
        "name_label": cue("\\nNama : {}\\n"),
        "name_label_upper": cue("Nama: {}", upper=True),
        "name_atas_nama_upper": cue("ATAS NAMA {}", upper=True),
    }


def _ordinary_numbers(r: random.Random) -> list[str]:
    """Non-personal numbers that redaction must keep."""
    d, m, y = r.randint(1, 28), r.randint(1, 12), r.randint(2019, 2024)
    return [
        r.choice((f"{d:02d}-{m:02d}-{y}", f"{d}/{m}/{y}", f"{d:02d}.{m:02d}.{y}", f"{y}-{m:02d}-{d:02d}")),
        r.choice(
            (
                f"RT {r.randint(1, 15):02d} RW {r.randint(1, 12):02d}",
                f"RT.{r.randint(1, 15):03d}/RW.{r.randint(1, 12):03d}",
            )
        ),
        r.choice(
            (
                f"No. {r.randint(1, 250)}",
                f"no {r.randint(1, 99)}{r.choice('ABC')}",
                f"Blok C{r.randint(1, 30)}",
            )
        ),
        r.choice(
            (
                f"Rp {r.randint(1, 999)}.{r.randint(0, 999):03d}.000",
                f"Rp{r.randint(10, 9999)}000",
                f"Rp. {r.randint(1, 99)}.{r.randint(0, 999):03d}.{r.randint(0, 999):03d}.000",
            )
        ),
        f"kode pos {r.choice(('60', '61', '65', '40', '10'))}{r.randint(100, 999)}",
        r.choice(
            (
                f"jam {r.randint(0, 23):02d}.{r.choice(('00', '15', '30', '45'))}",
                f"pukul {r.randint(7, 22)}:{r.randint(0, 59):02d}",
            )
        ),
        f"tahun {y}",
        f"{r.randint(2, 500)} meter",
    ]


FORMS: dict[str, Form] = {**_nik_forms(), **_phone_forms(), **_email_forms(), **_name_forms()}

_NUMBER = re.compile(r"\d+(?:[.,:/\-]\d+)*")


@dataclass(frozen=True)
class Planted:
    """One host text with planted identifiers (``secrets``) and the numbers that must survive."""

    text: str
    secrets: tuple[tuple[str, str], ...]  # (form, value)
    numbers: tuple[str, ...]


def plant(texts: Sequence[str], *, seed: int = 0, per_text: int = 2) -> list[Planted]:
    """Insert ``per_text`` identifiers (forms cycled so each is used) and ordinary numbers into each text."""
    rng = random.Random(seed)
    forms = list(FORMS.items())
    out: list[Planted] = []
    k = 0
    for host in texts:
        words = host.split(" ")
        secrets: list[tuple[str, str]] = []
        inserts: list[str] = []
        for _ in range(per_text):
            name, form = forms[k % len(forms)]
            k += 1
            snippet, secret = form(rng)
            secrets.append((name, secret))
            inserts.append(snippet)
        ordinary = rng.sample(_ordinary_numbers(rng), 2)
        inserts.extend(ordinary)
        for snippet in inserts:
            words.insert(rng.randint(0, len(words)), snippet)
        text = " ".join(words)
        numbers = tuple(_NUMBER.findall(host)) + tuple(n for o in ordinary for n in _NUMBER.findall(o))
        out.append(Planted(text, tuple(secrets), numbers))
    return out


@dataclass
class Report:
    """Per-form recall of planted identifiers and the share of ordinary numbers kept."""

    found: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    numbers_kept: int = 0
    numbers_total: int = 0
    misses: list[tuple[str, str]] = field(default_factory=list)

    @property
    def recall(self) -> float:
        return sum(self.found.values()) / max(1, sum(self.total.values()))

    @property
    def numbers_kept_share(self) -> float:
        return self.numbers_kept / max(1, self.numbers_total)

    def table(self) -> str:
        rows = [f"{'form':28s} {'removed':>8s}"]
        for form in FORMS:
            if self.total.get(form):
                rows.append(f"{form:28s} {self.found[form] / self.total[form]:8.1%}  ({self.total[form]})")
        rows.append(f"{'ALL identifiers':28s} {self.recall:8.2%}")
        rows.append(f"{'ordinary numbers kept':28s} {self.numbers_kept_share:8.2%}  ({self.numbers_total})")
        return "\n".join(rows)


def _removed(secret: str, output: str) -> bool:
    if secret in output:
        return False
    digits = re.sub(r"\D", "", secret)
    return not (len(digits) >= 8 and digits in re.sub(r"\D", "", output))


def evaluate(redactor: Callable[[str], str], cases: Sequence[Planted]) -> Report:
    """Run ``redactor`` on every planted case and count removed identifiers and kept numbers."""
    report = Report()
    for case in cases:
        output = redactor(case.text)
        for form, secret in case.secrets:
            report.total[form] += 1
            if _removed(secret, output):
                report.found[form] += 1
            elif len(report.misses) < 200:
                report.misses.append((form, secret))
        remaining = _NUMBER.findall(output)
        pool: defaultdict[str, int] = defaultdict(int)
        for n in remaining:
            pool[n] += 1
        for n in case.numbers:
            report.numbers_total += 1
            if pool[n] > 0:
                pool[n] -= 1
                report.numbers_kept += 1
    return report


def lokal_only(text: str) -> str:
    """Baseline redactor: lokal-id's ``detect_pii`` alone, restricted to the same kinds as :func:`redact`."""
    from lokal import detect_pii  # noqa: PLC0415

    from lapor_nlp.text.redact import LOKAL_TYPES  # noqa: PLC0415

    out, pos = [], 0
    types: list[Any] = list(LOKAL_TYPES)
    for m in detect_pii(text, types=types):
        out.append(text[pos : m.start])
        out.append(LOKAL_TYPES[m.type])
        pos = m.end
    out.append(text[pos:])
    return "".join(out)
