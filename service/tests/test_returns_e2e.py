"""The review page shows a complaint the receiving office sent back first, with who and why."""

from __future__ import annotations

import httpx

from service.tests.conftest import ADMIN
from service.tests.test_admin_e2e import _sign_in, page, pytestmark, server  # noqa: F401 - fixtures

BINA_MARGA = "Dinas Sumber Daya Air dan Bina Marga"


def test_admin_lists_a_returned_complaint_first_with_the_reason(page, server: str) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    from playwright.sync_api import expect

    with httpx.Client(base_url=server, headers=ADMIN) as http:
        items = http.get("/v1/suggestions?status=auto").json()["items"]
        sent = next(i for i in items if i["id"] == "A-1")
        assert sent["agency"]["label"] == BINA_MARGA
        r = http.post(
            f"/v1/suggestions/{sent['suggestion_id']}/return",
            json={"agency": BINA_MARGA, "reason": "Jalan kampung, urusan kelurahan", "by": "operator-bm"},
        )
        assert r.status_code == 200, r.text
    _sign_in(page, lang="en")
    page.wait_for_selector("#queue-list li.selected")
    first = page.locator("#queue-list li").first
    expect(first.locator(".q-returned")).to_have_text(f"returned by {BINA_MARGA}")
    expect(page.locator("#cur-returned")).to_contain_text(f"Returned by {BINA_MARGA} (operator-bm)")
    expect(page.locator("#cur-returned")).to_contain_text("Jalan kampung, urusan kelurahan")
    assert page.input_value("#in-agency") != BINA_MARGA  # never pre-selected again
    assert page.locator("#queue-list .q-returned").count() == 1
