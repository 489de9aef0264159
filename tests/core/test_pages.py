from __future__ import annotations

from pathlib import Path

import pytest
from django.test import Client

from forandra.municipalities.models import DigitalisationGroup
from tests.conftest import Users

pytestmark = pytest.mark.django_db
TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "forandra"


def test_csp_forbids_inline_scripts_and_styles(client: Client) -> None:
    policy = client.get("/")["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy
    assert directives["frame-ancestors"] == "'none'"


def test_no_template_has_an_inline_script_or_style_or_event_handler() -> None:
    offenders = []
    for template in TEMPLATES.rglob("templates/**/*.html"):
        text = template.read_text(encoding="utf-8")
        for marker in ("<script>", "<style", " style=", " onclick=", " onload=", "javascript:"):
            if marker in text:
                offenders.append(f"{template.name}: {marker}")
        # A JSON data block (`type="application/json"`) is data the browser never runs.
        scripts = text.count("<script") - text.count('<script type="application/json"')
        if scripts and scripts != text.count("<script src="):
            offenders.append(f"{template.name}: <script> without src")
    assert offenders == []


def test_anonymous_start_page_explains_and_offers_login(client: Client) -> None:
    body = client.get("/").content.decode()

    assert 'lang="sv"' in body
    assert 'href="/accounts/login/"' in body
    assert '<a class="skip-link" href="#main">' in body
    assert '<main id="main"' in body


def test_start_page_leads_each_role_to_its_work(
    client: Client, users: Users, home_group: DigitalisationGroup
) -> None:
    client.force_login(users.coordinator)
    assert "/regions/24/" in client.get("/").content.decode()
    client.force_login(users.member)
    assert "/municipalities/2404/group/" in client.get("/").content.decode()
    client.force_login(users.admin)
    admin_body = client.get("/").content.decode()
    assert "/regions/01/" in admin_body and "/admin/" in admin_body


def test_navigation_is_by_role(client: Client, users: Users) -> None:
    client.force_login(users.leadership)
    body = client.get("/").content.decode()

    assert "/municipalities/2404/" in body
    assert "/admin/" not in body


def test_accessibility_statement_is_public_and_names_the_law_and_the_supervisor(
    client: Client,
) -> None:
    body = client.get("/accessibility/").content.decode()

    assert "DIGG" in body and "WCAG 2.1" in body


def test_a_page_reads_in_english_after_the_switch(client: Client) -> None:
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/accessibility/"})
    assert response.status_code == 302

    body = client.get("/accessibility/").content.decode()

    assert 'lang="en"' in body
    assert "Accessibility statement" in body
    assert "Tillgänglighetsredogörelse" not in body


def test_an_english_browser_still_gets_swedish_until_the_switch(client: Client) -> None:
    swedish = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    english = client.get("/", HTTP_ACCEPT_LANGUAGE="sv").content.decode()

    assert '<html lang="sv">' in swedish
    assert '<html lang="en">' in english
