"""Review in few keys, in a real headless Chromium: suggestions by number, the agency table, aliases, undo.

Each test counts the keys a reviewer presses from a selected complaint to the saved decision.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from lapor_nlp.routing import AgencyPolicy
from service.app.main import create_app
from service.tests.conftest import ADMIN, INTAKE, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.helpers import live_server
from service.tests.test_admin_e2e import ARGS, CHROMIUM, _screenshot, _sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]

# Fictional complaints the fake router is unsure about (both go to review).
COMPLAINTS = [
    {"text": "Mohon dicek kondisi di gang mawar sudah lama", "id": "K-1"},
    {
        "text": "Tolong tindak lanjuti laporan kami minggu lalu",
        "id": "K-2",
        "location": {"kecamatan": "Rungkut", "kelurahan": "Medokan Ayu"},
    },
]


def _table() -> AgencyPolicy:
    """Street lights go to the environment office in this table; 'lainnya' to the kecamatan."""
    rows = [("lampu-pju", "Dinas Lingkungan Hidup", "Rungkut")] * 6 + [
        ("lampu-pju", "Dinas Perhubungan", "Rungkut")
    ] * 2
    rows += [("lainnya", "Kecamatan Rungkut", "Rungkut")] * 2 + [
        ("lainnya", "Kecamatan Sukolilo", "Sukolilo")
    ] * 2
    cats, agencies, kec = zip(*rows, strict=True)
    times = [datetime(2022, 1, 1, tzinfo=UTC) + timedelta(days=i) for i in range(len(rows))]
    return AgencyPolicy().fit(cats, agencies, locations={"kecamatan": kec}, times=times)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    table = _table()
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}", audit_share=0.0),
        router=FakeRouter(),
        index_factory=FakeIndex,
        policy_loader=lambda model: table,
    )
    with live_server(app) as base:
        with httpx.Client(base_url=base, headers=INTAKE) as http:
            for body in COMPLAINTS:
                assert http.post("/v1/route", json=body).status_code == 200
        yield base


@pytest.fixture
def page(server: str) -> Iterator[object]:
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=server)
        pg = context.new_page()
        errors: list[str] = []
        pg.on("pageerror", lambda exc: errors.append(str(exc)))
        yield pg
        browser.close()
        assert errors == [], errors


def _decisions(server: str) -> dict[str, dict[str, object]]:
    with httpx.Client(base_url=server, headers=ADMIN) as http:
        items = http.get("/v1/suggestions?status=decided").json()["items"]
    return {i["id"]: i["decision"] for i in items}


def _suggested(server: str, intake_id: str) -> dict[str, list[str]]:
    with httpx.Client(base_url=server, headers=INTAKE) as http:
        body = http.get(f"/v1/complaints/{intake_id}").json()
    return {t: [c["label"] for c in body[t]["top_k"]] for t in ("category", "agency")}


def test_review_second_and_third_suggestion_in_two_keys(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    queue = page.locator("#queue-list li")
    _sign_in(page)
    page.wait_for_selector("#queue-list li.selected")
    expect(page.locator("#why-list")).to_contain_text("confidence 41% below the threshold 90%")
    first = _suggested(server, "K-1")
    page.keyboard.press("2")  # key 1: the 2nd suggested agency into the field
    expect(page.locator("#in-agency")).to_have_value(first["agency"][1])
    expect(page.locator("#target-agency .topk li.staged")).to_have_count(1)
    _screenshot(page, "review-keys-second-agency.png")
    page.keyboard.press("Enter")  # key 2: saved
    expect(queue).to_have_count(1)
    second = _suggested(server, "K-2")
    page.keyboard.press("Shift+Digit3")  # the 3rd suggested category ...
    page.keyboard.press("3")  # ... and the 3rd suggested agency
    page.keyboard.press("a")
    page.wait_for_selector("#queue-empty", state="visible")
    decided = _decisions(server)
    assert decided["K-1"]["agency"] == first["agency"][1] and decided["K-1"]["outcome"] == "overridden"
    assert decided["K-2"]["category"] == second["category"][2]
    assert decided["K-2"]["agency"] == second["agency"][2]


def test_review_category_change_carries_the_tables_agency(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page)
    page.wait_for_selector("#queue-list li.selected")
    page.keyboard.press("c")  # category search: c, a few letters, Enter takes the highlighted label
    page.keyboard.type("lampu")
    expect(page.locator("#pick-list li").first).to_have_text("lampu-pju")
    page.keyboard.press("Enter")
    expect(page.locator("#in-category")).to_have_value("lampu-pju")
    expect(page.locator("#in-agency")).to_have_value("Dinas Lingkungan Hidup")  # filled from the table
    # 6 of 8 rows, the 2 newer ones a little heavier: 74%
    expect(page.locator("#policy-note")).to_contain_text("Dinas Lingkungan Hidup (74% of 8 decisions)")
    _screenshot(page, "review-keys-category-carries-agency.png")
    page.keyboard.press("Enter")  # the one key after the category search
    expect(page.locator("#queue-list li")).to_have_count(1)
    # place-specific role: the kelurahan/kecamatan comes from the complaint's location
    page.keyboard.press("c")
    page.keyboard.type("lainnya")
    page.keyboard.press("Enter")
    expect(page.locator("#in-agency")).to_have_value("Kecamatan Rungkut")
    page.keyboard.press("2")  # the model's other suggestions are still one key away ...
    expect(page.locator("#in-agency")).not_to_have_value("Kecamatan Rungkut")
    page.keyboard.press("p")  # ... and p takes the table's agency again
    expect(page.locator("#in-agency")).to_have_value("Kecamatan Rungkut")
    page.keyboard.press("Enter")
    page.wait_for_selector("#queue-empty", state="visible")
    decided = _decisions(server)
    assert (decided["K-1"]["category"], decided["K-1"]["agency"]) == ("lampu-pju", "Dinas Lingkungan Hidup")
    assert (decided["K-2"]["category"], decided["K-2"]["agency"]) == ("lainnya", "Kecamatan Rungkut")


def test_review_search_by_short_name_and_undo(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    def with_aliases(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        aliases = {"Dinas Lingkungan Hidup": ["DLH"], "Dinas Perhubungan": ["Dishub"]}
        route.fulfill(response=response, json={**response.json(), "aliases": aliases})

    page.route("**/v1/model", with_aliases)
    queue = page.locator("#queue-list li")
    _sign_in(page, lang=None)
    page.wait_for_selector("#queue-list li.selected")
    expect(page.locator("#why-list")).to_contain_text("keyakinan 41% di bawah ambang 90%")
    page.keyboard.press("g")
    page.keyboard.type("dishub")
    expect(page.locator("#pick-list li").first).to_contain_text("Dinas Perhubungan")
    expect(page.locator("#pick-list li").first).to_contain_text("Dishub")  # full name and short name
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")
    page.keyboard.type("dlh")
    _screenshot(page, "review-keys-alias-search.png")
    page.keyboard.press("Enter")
    expect(page.locator("#in-agency")).to_have_value("Dinas Lingkungan Hidup")
    page.keyboard.press("Enter")
    expect(queue).to_have_count(1)
    assert _decisions(server)["K-1"]["agency"] == "Dinas Lingkungan Hidup"
    page.keyboard.press("u")  # undo: back in the queue, decision gone
    expect(queue).to_have_count(2)
    expect(page.locator("#toast")).to_contain_text("dibatalkan")
    assert "K-1" not in _decisions(server)
    assert page.text_content("#cur-id").startswith("#1")
    page.keyboard.press("?")
    expect(page.locator("#help")).to_contain_text("duplikat")
    expect(page.locator("#help")).to_contain_text("batalkan keputusan terakhir")
