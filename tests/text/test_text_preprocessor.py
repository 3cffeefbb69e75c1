"""Preprocessor: table-driven output, switches, estimator contract, placeholders, bad input."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from lapor_nlp.errors import InputError, TextTypeError
from lapor_nlp.text import Preprocessor

CASES = [
    json.loads(line)
    for line in (Path(__file__).parent / "fixtures" / "preprocess.jsonl").open(encoding="utf-8")
]
DOCS = [
    "Lampu PJU di jln. Sukomanunggal matiii, tolonggg diperbaiki",
    "Saluran mampet, banjir setiap hujan di RT 05 RW 03 kel. Keputih",
    "Bantuan PKH belum cair, NIK saya 3578012345678901 hp 0812-3456-7890",
    "Parkir liar di depan Indomaret, jukir minta Rp 5.000",
    "Sampah menumpuk di TPS, bau sekali, mohon segera diangkut",
    "Pohon tumbang menutup jalan, mohon perantingan",
]
LABELS = ["pju", "saluran", "sosial", "parkir", "sampah", "pohon"]


@pytest.mark.parametrize("case", CASES, ids=[c["text"][:40] for c in CASES])
def test_preprocessor_table(case: dict[str, str]) -> None:
    assert Preprocessor().fit_transform([case["text"]]) == [case["expected"]]


@pytest.mark.parametrize(
    "est",
    [
        Preprocessor(),
        Preprocessor(stem=False),
        Preprocessor(redact=False, slang=False, stopwords=False, stem=False),
    ],
    ids=repr,
)
def test_estimator_contract(est: Preprocessor) -> None:
    assert clone(est).get_params() == est.get_params()
    assert est.fit(DOCS) is est
    out = est.transform(DOCS)
    assert isinstance(out, list) and len(out) == len(DOCS) and all(isinstance(t, str) for t in out)
    assert pickle.loads(pickle.dumps(est)).transform(DOCS) == out
    with pytest.raises(ValueError, match="single string"):
        est.transform("satu teks saja")
    with pytest.raises(ValueError, match="single string"):
        est.fit("satu teks saja")


def test_works_in_pipeline() -> None:
    pipe = Pipeline(
        [("prep", Preprocessor()), ("tfidf", TfidfVectorizer()), ("clf", LogisticRegression(max_iter=200))]
    )
    pipe.fit(DOCS, LABELS)
    assert list(pipe.predict(DOCS)) == LABELS
    assert clone(pipe).get_params()["prep__stem"] is True
    assert pickle.loads(pickle.dumps(pipe)).predict(DOCS[:2]).tolist() == LABELS[:2]
    assert list(Preprocessor().get_feature_names_out()) == ["text"]


def test_switches_change_output() -> None:
    text = ["Sdh lama jalan rusak, tolong diperbaiki yg cepat, hp 081234567890"]
    full = Preprocessor().fit_transform(text)[0]
    assert full == "sudah lama jalan rusak tolong perbaiki cepat ponsel __phone__"
    assert "diperbaiki" in Preprocessor(stem=False).fit_transform(text)[0]
    assert "yang" in Preprocessor(stopwords=False).fit_transform(text)[0]
    assert "sdh" in Preprocessor(slang=False).fit_transform(text)[0]
    assert "081234567890" in Preprocessor(redact=False).fit_transform(text)[0]
    assert "05" not in Preprocessor(numbers=False).fit_transform(["RT 05"])[0]


def test_placeholders_are_single_stable_tokens() -> None:
    out = Preprocessor().fit_transform(
        ["[NAME_1] [NIK_2] [PHONE_1] [ADDRESS_1] [EMAIL] [NUMBER] [KK_1]", "[NIK] [PHONE] [EMAIL] [NAME]"]
    )
    assert out[0].split() == [
        "__name__",
        "__nik__",
        "__phone__",
        "__address__",
        "__email__",
        "__number__",
        "__nik__",
    ]
    assert out[1].split() == ["__nik__", "__phone__", "__email__", "__name__"]
    tokens = TfidfVectorizer().fit(out).get_feature_names_out()
    assert "nik" not in tokens and "phone" not in tokens and "__nik__" in tokens


def test_masked_and_freshly_redacted_text_agree() -> None:
    masked, raw = Preprocessor().fit_transform(
        [
            "NIK [NIK_1] atas nama [NAME_1] hp [PHONE_1]",
            "NIK 3578012345678901 atas nama Budi Santoso hp 081234567890",
        ]
    )
    assert masked == raw


def test_accepts_arrays_series_and_missing_values() -> None:
    import pandas as pd

    est = Preprocessor()
    assert est.transform(np.array(["jalan rusak", None], dtype=object)) == ["jalan rusak", ""]
    assert est.transform(pd.Series(["jalan rusak", float("nan")])) == ["jalan rusak", ""]
    assert est.transform(np.array([["jalan rusak"], ["lampu mati"]], dtype=object)) == [
        "jalan rusak",
        "lampu mati",
    ]
    assert est.transform([]) == []
    assert est.transform(["", "   ", "\\n\\n"]) == ["", "", ""]


@pytest.mark.parametrize(
    ("bad", "error", "match"),
    [
        ("a string", InputError, "single string"),
        (b"bytes", InputError, "single string"),
        (["ok", 3], TextTypeError, "position 1"),
        (["ok", b"bytes"], TextTypeError, "position 1"),
        (42, TextTypeError, "iterable"),
        (np.array([["a", "b"]], dtype=object), InputError, "shape"),
    ],
)
def test_bad_input_gives_clear_errors(bad: object, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        Preprocessor().transform(bad)  # type: ignore[arg-type]


def test_refuses_dataframe() -> None:
    import pandas as pd

    with pytest.raises(InputError, match="one column"):
        Preprocessor().transform(pd.DataFrame({"text": ["a"]}))


@pytest.mark.slow
def test_one_megabyte_text_and_surrogates() -> None:
    text = "Jalan rusak di RT 05, hp 081234567890, mohon diperbaiki. " * 18_000 + "\ud800"
    out = Preprocessor().transform([text])[0]
    assert out.count("__phone__") == 18_000 and "\ud800" not in out


@pytest.mark.slow
def test_runs_on_real_complaints(surabaya_csv: Path) -> None:
    import pandas as pd

    texts = pd.read_csv(surabaya_csv, usecols=["text"])["text"].tolist()[:1500]
    out = Preprocessor().fit_transform(texts)
    assert len(out) == len(texts) and sum(1 for t in out if t) >= 0.99 * len(texts)
    vocab = {w for t in out for w in t.split()}
    assert not {"yg", "gak", "tdk", "sdh", "dgn", "utk"} & vocab
    assert not any(
        w.startswith("n") and w[1:] in {"mohon", "saya", "kami", "nama"} for w in vocab
    )  # literal \n


def test_import_loads_no_heavy_dependency() -> None:
    import subprocess
    import sys

    code = (
        "import sys; from lapor_nlp.text import Preprocessor; "
        "out = Preprocessor().fit_transform(['Lampu PJU di jln. Sukomanunggal matiii, RT 05']); "
        "heavy = ('sklearn', 'numpy', 'scipy', 'pandas', 'lokal'); "
        "print(out[0], sorted(m for m in heavy if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["lampu", "pju", "jalan", "sukomanunggal", "mati", "rt", "05", "[]"]


def test_sklearn_sees_a_string_transformer() -> None:
    from sklearn.utils import get_tags

    tags = get_tags(Preprocessor())
    assert tags.input_tags.string and not tags.input_tags.two_d_array and not tags.requires_fit
    assert tags.transformer_tags is not None
    assert repr(Preprocessor(stem=False, numbers=False)) == "Preprocessor(stem=False, numbers=False)"
    assert Preprocessor().set_params(stem=False).stem is False
    with pytest.raises(ValueError, match="valid parameters"):
        Preprocessor().set_params(stemming=False)
