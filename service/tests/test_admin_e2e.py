"""The review page end to end in a real headless Chromium (Debian's package, driven by Playwright)."""

from __future__ import annotations

import os
import re
import struct
import zlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from service.app.main import create_app
from service.tests.conftest import ADMIN, ADMIN_KEY, INTAKE, INTAKE_KEY, make_settings
from service.tests.fakes import FakeIndex, FakeRouter
from service.tests.helpers import live_server

CHROMIUM = os.environ.get("LAPOR_NLP_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOTS = Path(os.environ.get("LAPOR_NLP_SCREENSHOT_DIR", "reports/screenshots"))

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not Path(CHROMIUM).is_file(), reason=f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    ),
]

COMPLAINTS = [
    {
        "text": "Mohon bantuan, warga kami belum menerima bantuan sembako bulan ini di gang melati",
        "id": "Q-1",
        "location": {"kecamatan": "Rungkut", "kelurahan": "Medokan Ayu"},
    },
    {"text": "Jalan rusak parah depan sekolah", "id": "A-1"},
    {"text": "Tolong pohon tumbang menutup saluran air di gang kenanga", "id": "Q-2"},
    {
        "text": "Mohon bantuan, warga kami belum menerima bantuan sembako bulan ini di gang melati RT 3",
        "id": "Q-3",
    },
    {"text": "Tolong perbaiki pintu air yang macet sejak minggu lalu", "id": "Q-4"},
]
# Fictional; the export stores line breaks as the two characters backslash + n.
NEWLINES = {
    "text": "Selamat pagi\\nPohon besar di taman kota roboh\\nMohon segera ditangani",
    "id": "N-1",
    "submitted_at": "2023-02-14T20:47:00+00:00",  # 15 Feb 2023 03.47 in Jakarta (UTC+7)
}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[str]:
    app = create_app(
        make_settings(f"sqlite:///{tmp_path / 'db.sqlite'}"), router=FakeRouter(), index_factory=FakeIndex
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


def _sign_in(page, key: str = ADMIN_KEY, lang: str | None = "en") -> None:  # type: ignore[no-untyped-def]
    page.goto("/admin" + (f"?lang={lang}" if lang else ""))
    page.fill("#key", key)
    page.fill("#reviewer-name", "Ani Reviewer")
    page.press("#key", "Enter")


def _png_size_and_colours(path: Path) -> tuple[int, int, int]:
    """Width, height and the number of distinct row-sampled colours of an 8-bit RGB(A) PNG."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    width, height, depth, colour_type = struct.unpack(">IIBB", data[16:26])
    idat = b"".join(
        data[i + 8 : i + 8 + struct.unpack(">I", data[i : i + 4])[0]] for i in _chunks(data, b"IDAT")
    )
    raw = zlib.decompress(idat)
    channels = {2: 3, 6: 4}[colour_type]
    stride = width * channels + 1
    colours: set[bytes] = set()
    prev = bytearray(stride - 1)
    for y in range(height):
        line = bytearray(raw[y * stride + 1 : (y + 1) * stride])
        f = raw[y * stride]
        for x in range(len(line)):  # undo the PNG filter of this row
            a = line[x - channels] if x >= channels else 0
            b = prev[x]
            c = prev[x - channels] if x >= channels else 0
            if f == 1:
                line[x] = (line[x] + a) & 255
            elif f == 2:
                line[x] = (line[x] + b) & 255
            elif f == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        if y % 8 == 0:
            colours.update(bytes(line[i : i + 3]) for i in range(0, len(line), channels * 4))
        prev = line
    assert depth == 8
    return width, height, len(colours)


def _chunks(data: bytes, kind: bytes) -> Iterator[int]:
    i = 8
    while i < len(data):
        length = struct.unpack(">I", data[i : i + 4])[0]
        if data[i + 4 : i + 8] == kind:
            yield i
        i += 12 + length


def test_admin_login_rejects_wrong_keys(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, "not-a-key")
    expect(page.locator("#login-error")).to_have_text("Unknown key.")
    _sign_in(page, INTAKE_KEY)
    expect(page.locator("#login-error")).to_have_text("That key is not an admin key.")
    assert page.is_hidden("#app")


def test_admin_queue_screenshot(page, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page)
    page.wait_for_selector("#queue-list li.selected")
    items = page.locator("#queue-list li")
    assert items.count() == 4  # the auto-routed "jalan rusak" is not in the review queue
    assert items.nth(0).locator(".q-id").text_content() == "#1"  # oldest first
    assert page.text_content("#backlog") == "4"
    assert "sembako" in page.text_content("#cur-text")
    assert page.locator("#target-agency .topk li").count() == 3
    width = page.eval_on_selector("#target-agency .fill", "el => el.getBoundingClientRect().width")
    track = page.eval_on_selector("#target-agency .bar", "el => el.getBoundingClientRect().width")
    assert 0.5 < width / track < 0.6  # the confidence bar shows 55 %
    assert page.text_content("#target-agency .pct") == "55%"
    assert page.locator("#cur-text mark").count() >= 1  # the words that drove the suggestion
    page.keyboard.press("j")
    page.keyboard.press("j")  # the near copy of #1: both complaints side by side
    expect(page.locator("#dup-text")).to_contain_text("sembako")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / "review-queue.png"
    page.screenshot(path=str(shot), full_page=True)
    w, h, colours = _png_size_and_colours(shot)
    assert w == 1280 and h >= 700
    assert colours > 20  # not a blank or error page


def test_admin_keyboard_accept_change_and_duplicate(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    queue = page.locator("#queue-list li")
    _sign_in(page)
    page.wait_for_selector("#queue-list li.selected")
    page.keyboard.press("a")  # accept #1
    expect(queue).to_have_count(3)
    expect(page.locator("#toast")).to_contain_text("accepted")

    page.keyboard.press("j")  # move to the third complaint (#4, a near copy of #1)
    assert page.text_content("#cur-id").startswith("#4")
    expect(page.locator("#dup-text")).to_contain_text("sembako")
    assert page.text_content("#dup-pos").startswith("#1")
    page.keyboard.press("d")  # mark #4 a duplicate of #1
    expect(queue).to_have_count(2)

    page.keyboard.press("k")
    assert page.text_content("#cur-id").startswith("#3")
    page.keyboard.press("g")  # change the agency from the searchable list: Enter takes it, Enter saves
    page.keyboard.type("Dinas Lingkungan Hidup")
    page.keyboard.press("Enter")
    expect(queue).to_have_count(2)  # taken into the field, not saved yet
    page.keyboard.press("Enter")
    expect(queue).to_have_count(1)
    page.keyboard.press("c")
    page.keyboard.type("Kategori Baru")  # not a known label: Enter asks first, and Enter cancels
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-new")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#confirm-new")).to_be_hidden()
    expect(queue).to_have_count(1)
    page.keyboard.press("Enter")  # saving again asks again; the reviewer confirms explicitly
    page.click("#confirm-new-yes")
    page.wait_for_selector("#queue-empty", state="visible")
    expect(page.locator("#toast")).to_contain_text("flagged")

    with httpx.Client(base_url=server, headers=ADMIN) as http:
        decided = {i["id"]: i["decision"] for i in http.get("/v1/suggestions?status=decided").json()["items"]}
    assert decided["Q-1"]["outcome"] == "accepted" and decided["Q-1"]["reviewer"] == "Ani Reviewer"
    assert decided["Q-3"]["outcome"] == "duplicate" and decided["Q-3"]["duplicate_of"] == 1
    assert (decided["Q-2"]["outcome"], decided["Q-2"]["agency"]) == ("overridden", "Dinas Lingkungan Hidup")
    assert decided["Q-4"]["category"] == "Kategori Baru" and decided["Q-4"]["unknown_category"] is True


GUARD = {
    "target_precision": 0.95,
    "targets": {
        "agency": {
            "Dinas Lingkungan Hidup": {
                "reviewed": 40,
                "correct": 38,
                "lower_bound": 0.83,
                "auto": False,
                "since": "2026-11-30T10:00:00+00:00",
                "reason": "lower bound below the target",
            },
            "Dinas Perhubungan": {"reviewed": 90, "correct": 89, "lower_bound": 0.96, "auto": True},
        }
    },
}
DATE_ID = r"\d{1,2} (Jan|Feb|Mar|Apr|Mei|Jun|Jul|Agu|Sep|Okt|Nov|Des) \d{4} \d{2}\.\d{2}"


def _post_newlines(server: str) -> int:
    with httpx.Client(base_url=server, headers=INTAKE) as http:
        r = http.post("/v1/route", json=NEWLINES)
    assert r.status_code == 200
    return int(r.json()["suggestion_id"])


def _screenshot(page, name: str) -> Path:  # type: ignore[no-untyped-def]
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    shot = SCREENSHOTS / name
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot.resolve()}")
    w, h, colours = _png_size_and_colours(shot)
    assert w == 1280 and h >= 700 and colours > 20
    return shot


def test_admin_is_indonesian_by_default(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sid = _post_newlines(server)
    page.goto("/admin")
    assert page.get_attribute("html", "lang") == "id"
    expect(page.locator("#login h2")).to_have_text("Masuk dengan kunci admin")
    page.fill("#key", "bukan-kunci")
    page.fill("#reviewer-name", "Ani")
    page.press("#key", "Enter")
    expect(page.locator("#login-error")).to_have_text("Kunci tidak dikenal.")
    _sign_in(page, lang=None)
    page.wait_for_selector("#queue-list li.selected")
    expect(page.locator(".queue h2")).to_contain_text("Menunggu tinjauan")
    expect(page.locator("#btn-accept")).to_contain_text("Terima")
    expect(page.locator("#target-agency h3")).to_have_text("Instansi tujuan")
    expect(page.locator("#target-agency .conf-title")).to_have_text("Keyakinan")
    expect(page.locator("#target-agency .badge")).to_have_text("perlu ditinjau")
    # the service's guard has paused nothing yet: the panel says so, in Indonesian
    expect(page.locator("#guard-summary")).to_contain_text(
        "Penjaga presisi tidak menjeda label apa pun (target presisi 95%)."
    )
    assert re.fullmatch(DATE_ID, page.text_content("#queue-list li .q-date") or "")

    page.click(f'#queue-list li[data-id="{sid}"]')
    expect(page.locator("#cur-meta")).to_have_text("15 Feb 2023 03.47 WIB")
    text = page.locator("#cur-text")
    assert "\\n" not in (text.text_content() or "")
    assert text.inner_text().split("\n") == [
        "Selamat pagi",
        "Pohon besar di taman kota roboh",
        "Mohon segera ditangani",
    ]
    height = page.eval_on_selector("#cur-text", "el => el.getBoundingClientRect().height")
    line = page.eval_on_selector("#cur-text", "el => parseFloat(getComputedStyle(el).lineHeight)")
    assert height >= 2.5 * line  # drawn on three lines
    assert "\\n" not in (page.text_content(f'#queue-list li[data-id="{sid}"] .q-text') or "")
    page.keyboard.press("?")
    expect(page.locator("#help h2")).to_have_text("Pintasan papan ketik")
    _screenshot(page, "review-queue-help-id.png")
    page.keyboard.press("Escape")
    _screenshot(page, "review-queue-id.png")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_contain_text("diterima")


def test_admin_switch_to_english_is_remembered(page, server: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    sid = _post_newlines(server)
    _sign_in(page, lang=None)
    page.wait_for_selector("#queue-list li.selected")
    page.click("#lang-en")
    page.wait_for_selector("#queue-list li.selected")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator(".queue h2")).to_contain_text("Waiting for review")
    page.goto("/admin")  # reload without ?lang: the choice is remembered
    page.wait_for_selector("#queue-list li.selected")
    assert page.get_attribute("html", "lang") == "en"
    expect(page.locator("#btn-accept")).to_contain_text("Accept suggestion")
    expect(page.locator("#target-agency .conf-title")).to_have_text("Confidence")
    page.click(f'#queue-list li[data-id="{sid}"]')
    expect(page.locator("#cur-meta")).to_have_text("15 Feb 2023 03:47 WIB")
    _screenshot(page, "review-queue-en.png")
    page.click("#lang-id")
    page.wait_for_selector("#queue-list li.selected")
    expect(page.locator(".queue h2")).to_contain_text("Menunggu tinjauan")


def test_admin_shows_paused_auto_routing(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    def with_guard(route) -> None:  # type: ignore[no-untyped-def]
        response = route.fetch()
        route.fulfill(response=response, json={**response.json(), "guard": GUARD})

    page.route("**/v1/model", with_guard)
    _sign_in(page, lang=None)
    page.wait_for_selector("#queue-list li.selected")
    expect(page.locator("#guard-summary")).to_have_text(
        "1 label dijeda dari perutean otomatis (target presisi 95%)"
    )
    assert page.locator("#guard-rows tr").count() == 1
    assert not page.is_visible("#guard-rows")  # collapsed until asked
    page.click("#guard-summary")
    cells = page.locator("#guard-rows tr td").all_text_contents()
    assert cells == ["Instansi tujuan", "Dinas Lingkungan Hidup", "40", "38", "83%", "30 Nov 2026 17.00 WIB"]
    _screenshot(page, "review-queue-guard-id.png")


def test_admin_maps_server_errors_to_messages(page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    body = {"type": "DatabaseUnavailable", "detail": "the database is unavailable; nothing was stored"}
    page.route("**/decision", lambda route: route.fulfill(status=503, json=body))
    _sign_in(page, lang=None)
    page.wait_for_selector("#queue-list li.selected")
    page.keyboard.press("a")
    expect(page.locator("#toast")).to_have_text(
        "Tidak tersimpan: basis data tidak tersedia; tidak ada yang disimpan, coba lagi sebentar lagi."
    )
    assert page.locator("#queue-list li").count() == 4  # nothing left the queue


def _shown_ids(page) -> list[int]:  # type: ignore[no-untyped-def]
    return [int(i) for i in page.locator("#queue-list li").evaluate_all("els => els.map(e => e.dataset.id)")]


def test_admin_two_reviewers_work_through_claims(server: str) -> None:
    """Two tabs as two reviewers never show the same complaint; sign-out hands the rest over."""
    sync_api = pytest.importorskip("playwright.sync_api")
    expect = sync_api.expect
    with httpx.Client(base_url=server, headers=INTAKE) as http:
        for i in range(10):  # 14 complaints waiting for review; the page claims 10 at a time
            assert http.post("/v1/route", json={"text": f"Tolong dibantu urusan warga nomor {i}"}).is_success
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 860}, base_url=server)
        ani, budi = context.new_page(), context.new_page()
        errors: list[str] = []
        for pg in (ani, budi):
            pg.on("pageerror", lambda exc: errors.append(str(exc)))
        for pg, name in ((ani, "Ani"), (budi, "Budi")):
            pg.goto("/admin?lang=en")
            pg.fill("#key", ADMIN_KEY)
            pg.fill("#reviewer-name", name)
            pg.press("#key", "Enter")
            pg.wait_for_selector("#queue-list li.selected")
        held_ani, held_budi = _shown_ids(ani), _shown_ids(budi)
        assert len(held_ani) == 10 and len(held_budi) == 4
        assert not set(held_ani) & set(held_budi)
        assert ani.text_content("#cur-id") != budi.text_content("#cur-id")
        assert held_ani[0] == 1  # oldest first

        # A supervisor takes one of Ani's complaints: Ani's decision on it is refused and it leaves her page.
        taken = held_ani[0]
        with httpx.Client(base_url=server, headers=ADMIN) as http:
            http.post("/v1/suggestions/release", json={"reviewer": "Ani", "ids": [taken]})
            assert http.post(f"/v1/suggestions/{taken}/claim", json={"reviewer": "Citra"}).is_success
        ani.keyboard.press("a")
        expect(ani.locator("#toast")).to_contain_text(f"#{taken} is being handled by Citra")
        expect(ani.locator("#queue-list li")).to_have_count(9)

        # Budi decides his four; nothing is free for him until Ani signs out.
        for left in (3, 2, 1):
            budi.keyboard.press("a")
            expect(budi.locator("#queue-list li")).to_have_count(left)
        budi.keyboard.press("a")
        budi.wait_for_selector("#queue-empty", state="visible")
        ani.click("#logout")
        expect(ani.locator("#login")).to_be_visible()
        budi.keyboard.press("r")
        expect(budi.locator("#queue-list li")).to_have_count(9)
        assert sorted(_shown_ids(budi)) == sorted(set(held_ani) - {taken})
        browser.close()
    assert errors == [], errors
    with httpx.Client(base_url=server, headers=ADMIN) as http:
        decided = http.get("/v1/suggestions", params={"status": "decided"}).json()["items"]
    assert sorted(d["suggestion_id"] for d in decided) == sorted(held_budi)
    assert {d["decision"]["reviewer"] for d in decided} == {"Budi"}
