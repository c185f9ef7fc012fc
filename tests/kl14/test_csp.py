"""Content-Security-Policy (django-csp): scripts only from the app's static files. No template may
hold an inline <script> or an on…= handler attribute (the policy would block it in the browser):
this test fails on the first one anybody adds. Data for scripts goes in json_script blocks."""

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import grant
from tests.factories.proposals import ProposalFactory
from units.models import Role

ROOT = Path(settings.BASE_DIR)
TEMPLATES = sorted(
    p
    for p in ROOT.glob("**/templates/**/*.html")
    if not {".venv", "node_modules", "var", "staticfiles"} & set(p.relative_to(ROOT).parts)
)
SCRIPT = re.compile(r"<script\b([^>]*)>", re.I)
HANDLER = re.compile(r"<[a-z][^>]*\son[a-z]+\s*=", re.I | re.S)


def inline_problems(html: str) -> list[str]:
    """Inline scripts (a <script> without src, not a JSON data block) and handler attributes."""

    class Finder(HTMLParser):
        problems: list[str] = []

        def handle_starttag(self, tag, attrs):
            names = dict(attrs)
            data_block = names.get("type") in ("application/json", "application/ld+json")
            if tag == "script" and "src" not in names and not data_block:
                self.problems.append(f"inline <script {attrs}>")
            self.problems.extend(
                f"<{tag} {name}=…>" for name, _ in attrs if name.lower().startswith("on")
            )

    finder = Finder()
    finder.problems = []
    finder.feed(html)
    return finder.problems


def test_there_are_templates():
    assert len(TEMPLATES) > 20


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_template_holds_an_inline_script_or_handler(path):
    text = path.read_text()
    if path.name.endswith("_pdf.html"):
        return  # rendered by WeasyPrint, never by a browser
    for match in SCRIPT.finditer(text):
        attributes = match.group(1)
        assert "src=" in attributes or 'type="application/json"' in attributes, (
            f"inline <script> in {path.relative_to(ROOT)}: move it to a static .js file"
        )
    found = HANDLER.search(text)
    assert found is None, f"on…= handler in {path.relative_to(ROOT)}: {found.group(0)[:80]}"


def test_the_finder_finds_what_it_must():
    assert inline_problems("<p><script>alert(1)</script></p>")
    assert inline_problems('<button onclick="x()">x</button>')
    assert not inline_problems('<script src="/static/x.js"></script>')
    assert not inline_problems('<script id="d" type="application/json">{}</script>')


@pytest.fixture
def people(tree):
    agency = tree["agency"]
    return {
        "cadre": grant(agency, Role.CADRE, username="cadre"),
        "head": grant(agency, Role.HEAD, username="head"),
        "board": grant(tree["province"], Role.ORGANIZATION_BOARD, username="board"),
    }


@pytest.mark.django_db
def test_pages_carry_the_policy_and_no_inline_script(people, tree):
    proposal = ProposalFactory(home_unit=tree["agency"], created_by=people["cadre"])
    pages = {
        None: ["/accounts/login/", "/accounts/password/reset/", "/api/v1/docs/"],
        "cadre": [
            "/",
            "/proposals/",
            "/proposals/new/",
            f"/proposals/{proposal.pk}/",
            "/lessons/",
            "/notifications/",
            "/accounts/tokens/",
            "/accounts/password/change/",
        ],
        "head": ["/proposals/inbox/", "/proposals/votes/"],
        "board": ["/dashboard/"],
    }
    for who, paths in pages.items():
        client = Client()
        if who:
            client.force_login(people[who])
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (who, path, response.status_code)
            policy = response["Content-Security-Policy"]
            assert (
                "script-src 'self'" in policy
                and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
            ), policy
            assert inline_problems(response.content.decode()) == [], (who, path)
