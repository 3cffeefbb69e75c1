"""AgencyPolicy: the category -> agency role table, its place filling, recency and persistence."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from lapor_nlp.errors import DataFormatError, InputError, ModelIntegrityError
from lapor_nlp.routing import AgencyPolicy, PolicyAnswer
from lapor_nlp.types import Suggestion, TargetSuggestion

T0 = datetime(2022, 1, 1)
# category, agency, kecamatan, kelurahan: street lights go to the transport office, blocked drains to the
# kelurahan of the place, administration letters to the kecamatan.
ROWS = (
    [("PJU", "Dinas Perhubungan", "Rungkut", "Medokan Ayu")] * 6
    + [("PJU", "Dinas Lingkungan Hidup", "Rungkut", "Medokan Ayu")] * 2
    + [("Saluran", "Kelurahan Medokan Ayu", "Rungkut", "Medokan Ayu")] * 3
    + [("Saluran", "Kelurahan Keputih", "Sukolilo", "Keputih")] * 3
    + [("Saluran", "Kelurahan Gebang Putih", "Sukolilo", "Gebang Putih")] * 2
    + [("Surat", "Kecamatan Sukolilo", "Sukolilo", "Keputih")] * 2
    + [("Surat", "Kecamatan Rungkut", "Rungkut", "Medokan Ayu")] * 2
)


def _fit(**params: float) -> AgencyPolicy:
    cats, agencies, kec, kel = zip(*ROWS, strict=True)
    times = [T0 + timedelta(days=i) for i in range(len(ROWS))]
    return AgencyPolicy(**params).fit(
        cats, agencies, locations={"kecamatan": kec, "kelurahan": kel}, times=times
    )


def test_policy_lookup_gives_the_usual_agency_with_its_share() -> None:
    answer = _fit().lookup("PJU")
    assert answer.agency == "Dinas Perhubungan" and answer.n == 8
    assert 0.7 < answer.share < 0.8  # 6 of 8 rows, the newer two (DLH) weigh a little more


@pytest.mark.parametrize(
    ("category", "location", "expected"),
    [
        ("Saluran", {"kecamatan": "Gunung Anyar", "kelurahan": "Keputih"}, "Kelurahan Keputih"),
        ("Saluran", {"kelurahan": "Medokan Ayu"}, "Kelurahan Medokan Ayu"),
        ("Surat", {"kecamatan": "Rungkut"}, "Kecamatan Rungkut"),
        ("Saluran", {}, None),  # the role needs a kelurahan
        ("Unknown", {"kelurahan": "Keputih"}, None),
    ],
)
def test_policy_fills_the_place_from_the_location(
    category: str, location: dict[str, str], expected: str | None
) -> None:
    assert _fit().lookup(category, location).agency == expected


def test_policy_role_is_reported_when_the_place_is_missing() -> None:
    answer = _fit().lookup("Saluran")
    assert answer.role == "Kelurahan {kelurahan}" and answer.agency is None and answer.n == 8
    assert _fit().lookup("Unknown") == PolicyAnswer(None, None, 0.0, 0)


def test_policy_reviewer_decisions_change_practice_quickly() -> None:
    policy = _fit(half_life_days=60.0, reviewer_weight=4.0)
    later = T0 + timedelta(days=120)
    for i in range(3):  # practice changed: street lights now go to the environment office
        policy.update("PJU", "Dinas Lingkungan Hidup", when=later + timedelta(days=i))
    answer = policy.lookup("PJU")
    assert answer.agency == "Dinas Lingkungan Hidup" and answer.share > 0.7 and answer.n == 11
    # place-specific decisions count for the role, not for one place
    policy.update("Surat", "Kelurahan Keputih", when=later)
    policy.update("Surat", "Kelurahan Keputih", when=later)
    assert policy.lookup("Surat", {"kelurahan": "Medokan Ayu"}).agency == "Kelurahan Medokan Ayu"


def test_policy_older_decision_arriving_late_weighs_less() -> None:
    a, b = _fit(), _fit()
    a.update("PJU", "Dinas Lingkungan Hidup", when=T0 + timedelta(days=30))
    b.update("PJU", "Dinas Lingkungan Hidup", when=T0 - timedelta(days=300))
    assert a.lookup("PJU").share < b.lookup("PJU").share  # DLH gained more weight in a


def test_policy_round_trips_through_json(tmp_path: Path) -> None:
    policy = _fit()
    path = policy.save(tmp_path)
    assert path.name == "agency_policy.json"
    loaded = AgencyPolicy.load(tmp_path)
    for cat, loc in [("PJU", {}), ("Saluran", {"kelurahan": "Keputih"}), ("Surat", {"kecamatan": "Rungkut"})]:
        assert loaded.lookup(cat, loc) == policy.lookup(cat, loc)
    data = json.loads(path.read_text())
    data["weights"]["PJU"]["Dinas Perhubungan"] = -1
    path.write_text(json.dumps(data))
    with pytest.raises(ModelIntegrityError, match="negative"):
        AgencyPolicy.load(path)
    path.write_text("{not json")
    with pytest.raises(ModelIntegrityError, match="JSON"):
        AgencyPolicy.load(path)
    with pytest.raises(FileNotFoundError, match="lapor-nlp policy"):
        AgencyPolicy.load(tmp_path / "missing.json")


def test_policy_bad_input_says_what_to_do() -> None:
    with pytest.raises(InputError, match="not fitted"):
        AgencyPolicy().lookup("PJU")
    with pytest.raises(InputError, match="same length"):
        AgencyPolicy().fit(["PJU"], ["a", "b"])
    with pytest.raises(InputError, match="not one string"):
        AgencyPolicy().fit("PJU", ["a"])
    with pytest.raises(InputError, match="half_life_days"):
        AgencyPolicy(half_life_days=0).fit(["PJU"], ["a"])
    with pytest.raises(DataFormatError, match="nothing to learn"):
        AgencyPolicy().fit(["", None], ["a", "b"])
    with pytest.raises(InputError, match="category and an agency"):
        _fit().update("PJU", " ")


def test_suggestion_decision_default_routes_on_agency() -> None:
    s = Suggestion(
        {
            "topic": TargetSuggestion("PJU", 0.4, (), "review"),
            "agency": TargetSuggestion("Dinas Perhubungan", 0.97, (), "auto", threshold=0.9),
        }
    )
    assert s.decision() == "auto" and s.decision(["topic", "agency"]) == "review" and not s.auto
    assert s.decision("topic") == "review"
    with pytest.raises(InputError, match="routing targets"):
        s.decision(["category"])


def test_policy_time_on_the_shelf_does_not_age_the_training_rows() -> None:
    policy = _fit(half_life_days=60.0, reviewer_weight=2.0)
    years_later = T0 + timedelta(days=4 * 365)
    policy.update("PJU", "Dinas Lingkungan Hidup", when=years_later)  # one odd decision
    assert policy.lookup("PJU").agency == "Dinas Perhubungan"
    for i in range(1, 4):  # ... but a sustained change wins within days
        policy.update("PJU", "Dinas Lingkungan Hidup", when=years_later + timedelta(days=i))
    assert policy.lookup("PJU").agency == "Dinas Lingkungan Hidup"


def test_read_aliases_checks_labels(tmp_path: Path) -> None:
    from lapor_nlp.routing import read_aliases

    path = tmp_path / "aliases.tsv"
    path.write_text("# x\n\nDinas Perhubungan\tDishub\nDinas Perhubungan\tDishub\nDinas LH\tDLH\n")
    assert read_aliases(tmp_path) == {"Dinas Perhubungan": ("Dishub",), "Dinas LH": ("DLH",)}
    with pytest.raises(DataFormatError, match="not a label"):
        read_aliases(path, ["Dinas Perhubungan"])
    path.write_text("Dinas Perhubungan Dishub\n")
    with pytest.raises(DataFormatError, match="label<TAB>alias"):
        read_aliases(path)
    assert read_aliases(tmp_path / "none.tsv") == {}


def test_default_model_aliases_name_known_agencies() -> None:
    import json

    from lapor_nlp.routing import read_aliases

    model = Path(__file__).resolve().parents[2] / "models" / "default"
    labels = json.loads((model / "metadata.json").read_text())["targets"]["agency"]["labels"]
    aliases = read_aliases(model, list(labels))
    flat = {a for names in aliases.values() for a in names}
    assert {"Dishub", "DLH", "DSDABM", "Satpol PP", "Kominfo", "Dispendukcapil"} <= flat


def test_cli_policy_writes_the_table_beside_the_model(saved_router: Path, complaints, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from lapor_nlp.cli import main

    model = tmp_path / "model"
    shutil.copytree(saved_router, model)
    data = tmp_path / "labelled.csv"
    complaints.to_csv(data, index=False)
    assert main(["policy", str(model), str(data), "--quiet"]) == 0
    table = AgencyPolicy.load(model)
    row = complaints.iloc[0]
    answer = table.lookup(row["topic"], {"kecamatan": row["kecamatan"], "kelurahan": row["kelurahan"]})
    expected = complaints[complaints["topic"] == row["topic"]]
    assert answer.n == len(expected)
    same_place = expected[expected["kelurahan"] == row["kelurahan"]]["agency"].mode()[0]
    assert answer.agency == same_place
    assert main(["policy", str(model), str(data), "--category-column", "nope", "--quiet"]) != 0
