"""Router contract on the hand-written mini-corpus: types, top-k, decisions, places, explanations."""

from __future__ import annotations

import dataclasses

import pandas as pd
import pytest

from lapor_nlp import Router, Suggestion, TargetSuggestion
from lapor_nlp.errors import DataFormatError, EmptyComplaintError, InputError
from lapor_nlp.routing import EmptyTextWarning, RareLabelWarning


def test_router_predict_returns_typed_suggestion(trained_router: Router) -> None:
    s = trained_router.predict("lampu penerangan jalan mati di gang", location={"kelurahan": "Medokan Ayu"})
    assert isinstance(s, Suggestion)
    agency = s["agency"]
    assert isinstance(agency, TargetSuggestion) and agency is s.targets["agency"]
    assert agency.label == "Dinas Perhubungan"
    assert s["topic"].label == "PJU"
    assert agency.decision in {"auto", "review"}
    assert len(agency.top_k) == 3 and agency.top_k[0] == (agency.label, agency.score)
    scores = [p for _, p in agency.top_k]
    assert scores == sorted(scores, reverse=True) and all(0.0 <= p <= 1.0 for p in scores)
    with pytest.raises(dataclasses.FrozenInstanceError):
        agency.label = "x"  # type: ignore[misc]


def test_router_properties(trained_router: Router) -> None:
    assert trained_router.targets == ("topic", "agency")
    assert trained_router.text_column == "text"
    assert trained_router.location_columns == ("kecamatan", "kelurahan")
    assert "Kelurahan Medokan Ayu" in trained_router.labels("agency")
    assert trained_router.labels("topic") == ("Bansos", "PJU", "Sampah", "Surat Kelurahan")
    assert trained_router.version
    with pytest.raises(InputError, match="unknown target"):
        trained_router.labels("nope")


def test_router_explanation_uses_surface_words_of_the_text(trained_router: Router) -> None:
    text = "Tumpukan SAMPAH di pinggir jalan belum diangkut, nomor saya 081234567890"
    s = trained_router.predict(text)
    words = s["agency"].explanation
    assert words and all(w in text for w in words)  # surface words as written, not stems
    assert any(w.lower() in {"sampah", "tumpukan", "diangkut"} for w in words)
    assert not any(ch.isdigit() for w in words for ch in w)


def test_router_already_redacted_skips_redaction_with_the_same_answer(
    trained_router: Router, monkeypatch: pytest.MonkeyPatch
) -> None:
    from lapor_nlp.routing import router as router_module
    from lapor_nlp.text import redact

    text = "Tumpukan sampah belum diangkut, hubungi 081234567890 atau budi@example.com"
    expected = trained_router.predict(text, location={"kelurahan": "Medokan Ayu"})
    redacted = redact(text)
    monkeypatch.setattr(router_module, "redact", lambda t: pytest.fail("redacted twice"))
    again = trained_router.predict(redacted, location={"kelurahan": "Medokan Ayu"}, already_redacted=True)
    assert again == expected
    frame = pd.DataFrame({"text": [redacted], "kelurahan": ["Medokan Ayu"]})
    assert trained_router.predict(frame, already_redacted=True) == [expected]


def test_router_resolves_place_from_location_column(trained_router: Router) -> None:
    s = trained_router.predict(
        "surat keterangan domisili dari kelurahan belum jadi",
        location={"kecamatan": "Rungkut", "kelurahan": "Kali Rungkut"},
    )
    assert s["agency"].label == "Kelurahan Kali Rungkut"


def test_router_builds_label_for_place_unseen_as_agency(trained_router: Router) -> None:
    s = trained_router.predict(
        "pelayanan di kantor kelurahan lambat sekali", location={"kelurahan": "Gunung Anyar"}
    )
    assert s["agency"].label == "Kelurahan Gunung Anyar"


def test_router_resolves_place_named_in_text_when_no_column(trained_router: Router) -> None:
    s = trained_router.predict("surat pengantar di kelurahan jemur wonosari dipersulit")
    assert s["agency"].label == "Kelurahan Jemur Wonosari"


def test_router_unresolvable_place_goes_to_review(trained_router: Router) -> None:
    s = trained_router.predict("surat keterangan tidak mampu dari kelurahan lama sekali")
    assert s["agency"].decision == "review"
    assert s["agency"].label == "Kelurahan {kelurahan}"


def test_router_predict_dataframe_and_top_k(trained_router: Router, complaints: pd.DataFrame) -> None:
    out = trained_router.predict(complaints.head(10), top_k=2)
    assert isinstance(out, list) and len(out) == 10
    assert all(len(s["topic"].top_k) == 2 for s in out)
    right = sum(s["agency"].label == a for s, a in zip(out, complaints.agency.head(10), strict=True))
    assert right >= 9
    with pytest.raises(InputError, match="top_k"):
        trained_router.predict("lampu mati", top_k=0)


def test_router_works_without_location_columns(complaints: pd.DataFrame) -> None:
    router = Router.train(complaints, text="text", targets=["topic"], progress=False)
    assert router.location_columns == ()
    assert router.predict("sampah menumpuk belum diangkut")["topic"].label == "Sampah"


def test_router_empty_text_is_refused(trained_router: Router, complaints: pd.DataFrame) -> None:
    with pytest.raises(EmptyComplaintError):
        trained_router.predict("   ")
    bad = complaints.head(3).copy()
    bad.loc[1, "text"] = ""
    with pytest.warns(EmptyTextWarning, match="rows \\[1\\]"):
        out = trained_router.predict(bad)
    assert out[1]["agency"] == TargetSuggestion("", 0.0, (), "review", ())
    assert out[0]["agency"].label and out[2]["agency"].label


def test_router_train_misspelt_column_suggests_match(complaints: pd.DataFrame) -> None:
    with pytest.raises(DataFormatError, match="did you mean 'agency'"):
        Router.train(complaints, text="text", targets=["agnecy"], progress=False)
    with pytest.raises(DataFormatError, match="did you mean 'text'"):
        Router.train(complaints, text="Text", targets=["agency"], progress=False)


def test_router_train_one_class_is_refused(complaints: pd.DataFrame) -> None:
    df = complaints.assign(agency="Dinas Sosial")
    with pytest.raises(InputError, match="single usable class"):
        Router.train(df, text="text", targets=["agency"], progress=False)


def test_router_train_all_texts_empty_is_refused(complaints: pd.DataFrame) -> None:
    with pytest.raises(EmptyComplaintError):
        Router.train(complaints.assign(text=" "), text="text", targets=["agency"], progress=False)


def test_router_train_labels_seen_once_warn_and_are_left_out(complaints: pd.DataFrame) -> None:
    df = complaints.copy()
    df.loc[0, "topic"] = "Topik Sekali Saja"
    with pytest.warns(RareLabelWarning, match="Topik Sekali Saja"):
        router = Router.train(df, text="text", targets=["topic"], progress=False)
    assert "Topik Sekali Saja" not in router.labels("topic")
    assert router.metadata["targets"]["topic"]["left_out_labels"] == ["Topik Sekali Saja"]


def test_router_rare_classes_always_review(complaints: pd.DataFrame) -> None:
    router = Router.train(
        complaints,
        text="text",
        targets=["agency"],
        location=["kecamatan", "kelurahan"],
        progress=False,
        min_auto_count=1000,
    )
    assert all(v is None for v in router.thresholds["agency"].values())
    assert router.predict("lampu jalan mati")["agency"].decision == "review"


def test_router_metadata_records_training(trained_router: Router) -> None:
    meta = trained_router.metadata
    assert meta["sklearn_version"] and meta["python_version"] and meta["lapor_nlp_version"]
    assert meta["data"]["n_rows"] == 96 and len(meta["data"]["sha256"]) == 64
    assert meta["data"]["date_range"]["column"] == "submitted_at"
    assert meta["targets"]["agency"]["labels"]["Dinas Sosial"] == 24
    assert "Kelurahan {kelurahan}" in meta["thresholds"]["agency"]
    cv = meta["metrics"]["cross_validated"]["agency"]
    assert 0.0 <= cv["top1_accuracy"] <= 1.0 and "coverage_at_0.95_precision" in cv


def test_router_explanation_never_shows_personal_data(trained_router: Router) -> None:
    text = "atas nama Budi Santoso, email budi.santoso@contoh.id: lampu jalan mati di gang rumah"
    words = trained_router.predict(text)["agency"].explanation
    assert words
    assert not {"Budi", "Santoso", "budi", "santoso", "contoh"} & set(words)


def test_router_labels_include_place_specific_labels_of_known_places(complaints: pd.DataFrame) -> None:
    df = complaints[complaints.agency != "Kelurahan Manukan Kulon"]
    df = pd.concat(
        [df, complaints[complaints.agency == "Kelurahan Manukan Kulon"].assign(agency="Dinas Sosial")]
    )
    router = Router.train(df, text="text", targets=["agency"], location=["kelurahan"], progress=False)
    assert "Kelurahan Manukan Kulon" not in router.metadata["targets"]["agency"]["labels"]
    assert "Kelurahan Manukan Kulon" in router.labels("agency")  # buildable from a known kelurahan
    assert "Kelurahan {kelurahan}" not in router.labels("agency")
