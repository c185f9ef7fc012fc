"""Escaping: what users type (a proposal's title, summary and bottleneck, a progress report, an
inspection, an opinion, a notification, a unit's name, a KPI's name, the causes of an evaluation,
a lesson, a recognition's note) is shown as text on every page, in the JSON the charts read, in
e-mails and in the PDF, never run or fetched."""

import datetime
import io
from email.header import decode_header, make_header
from types import SimpleNamespace
from unittest import mock

import pytest
from django.db import transaction
from django.utils import timezone

from notifications.emails import digest_email, notification_email
from notifications.models import Notification
from notifications.services import notifications_create
from pilots import services as pilots
from proposals import services as proposals
from reviews import services as reviews
from tests.exports.flows import exported
from tests.factories.pilots import approved, plan_data
from tests.factories.proposals import ProposalFactory, committee_reference, fresh, under_review
from tests.factories.reviews import minutes, recognised
from tests.factories.units import UnitFactory, grant
from units.models import Role, Unit

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"
ATTR = '"><img src=x onerror=alert(1)>'
# What must never reach a page unescaped; each is a complete tag an attacker would rely on.
RAW = ("<script>alert(1)</script>", "<img src=x onerror=alert(1)>", '<img src="http://attacker')
ESCAPED_SCRIPT = "&lt;script&gt;alert(1)&lt;/script&gt;"
BOTH = f"{SCRIPT}{ATTR}"
# Markup that makes a renderer fetch something (WeasyPrint resolves http and file URLs).
FETCH = '<img src="http://attacker.invalid/x.png"><link rel=stylesheet href="file:///etc/passwd">'


def _build():
    province = Unit.objects.get(pk=UnitFactory(code="X", name="Tỉnh").pk)
    agency = Unit.objects.get(pk=UnitFactory(code="X-A", name=f"Sở {BOTH}", parent=province).pk)
    w = SimpleNamespace(
        agency=agency,
        head=grant(agency, Role.HEAD, username="x_head", full_name=f"Hùng {BOTH}"),
        deputy=grant(agency, Role.DEPUTY, username="x_deputy"),
        cadre=grant(agency, Role.CADRE, username="x_cadre", full_name=f"Hương {BOTH}"),
        party=grant(agency, Role.PARTY_COMMITTEE, username="x_party"),
        inspector=grant(province, Role.INSPECTOR, username="x_inspector"),
        orgboard=grant(province, Role.ORGANIZATION_BOARD, username="x_orgboard"),
        outsider=grant(province, Role.CADRE, username="x_outsider"),
    )
    dossier = {
        "title": f"Đề xuất {BOTH}",
        "summary": f"Tóm tắt {BOTH}",
        "bottleneck": f"{BOTH}{FETCH}",
    }

    # One proposal still awaiting the decision (inbox, vote and opinion queues, action form).
    pending = ProposalFactory(home_unit=agency, created_by=w.cadre, **dossier)
    w.pending = under_review(pending, w.cadre, w.head)
    proposals.opinion_record(
        proposal=w.pending,
        actor=w.party,
        stage="decision",
        stance="agree",
        text=f"Ý kiến {BOTH}",
        **committee_reference(),
    )

    # One taken through the pilot to a published lesson, with user text at every step.
    p = ProposalFactory(home_unit=agency, created_by=w.cadre, **dossier)
    p = approved(p, author=w.cadre, head=w.head, party=w.party, voters=[w.deputy])
    start = timezone.localdate() - datetime.timedelta(days=40)
    data = plan_data(monitors=[w.inspector], start=start, risk_declaration=f"Rủi ro {BOTH}")
    data["kpis"][0]["name"] = f"KPI {BOTH}"
    data["milestones"][0]["name"] = f"Mốc {BOTH}"
    pilots.plan_save(proposal=fresh(p), actor=w.head, **data)
    pilots.plan_cosign(proposal=fresh(p), actor=w.head)
    pilots.pilot_start(proposal=fresh(p), actor=w.head)
    kpi = fresh(p).plan.kpis.order_by("pk").first()
    pilots.report_file(
        proposal=fresh(p),
        actor=w.cadre,
        narrative=f"Tiến độ {BOTH}",
        kpi_values=[{"kpi": kpi.pk, "value": "20"}],
    )
    pilots.inspection_record(
        proposal=fresh(p),
        actor=w.inspector,
        date=timezone.localdate(),
        findings=f"Phát hiện {BOTH}",
        recommendations=f"Kiến nghị {BOTH}",
        assessment="concerns",
    )
    pilots.adjustment_request(
        proposal=fresh(p), actor=w.cadre, reasons=f"Lý do {BOTH}", changes={"people": BOTH}
    )
    w.pilot = fresh(p)
    pilots.pilot_complete(proposal=fresh(p), actor=w.cadre)
    pilots.pilot_submit_final_report(
        proposal=fresh(p),
        actor=w.cadre,
        report=f"Báo cáo cuối {BOTH}",
        kpi_values={k.name: "12" for k in fresh(p).plan.kpis.all()},
    )
    proposals.opinion_record(
        proposal=fresh(p),
        actor=w.party,
        stage="evaluation",
        stance="agree",
        text=f"KQ {BOTH}",
        **committee_reference(),
    )
    reviews.proposal_evaluate(
        proposal=fresh(p),
        actor=w.head,
        outcome="achieved",
        causes_objective=f"Khách quan {BOTH}",
        causes_subjective=f"Chủ quan {BOTH}",
        meeting_date=timezone.localdate(),
        minutes=minutes(),
        override_reason=f"Tập thể chưa biểu quyết {BOTH}",
    )
    recognised(p, board=w.orgboard, kind="praise", grounds=f"Khen {BOTH}")
    reviews.lesson_publish(proposal=fresh(p), actor=w.head, lessons=f"Bài học {BOTH}")
    w.lesson = fresh(p)
    w.issue, _ = reviews.dossier_issue(proposal=w.lesson, actor=w.cadre)

    (w.notification,) = notifications_create(
        recipient_ids=[w.cadre.pk],
        kind=Notification.Kind.INFO,
        title=f"Thông báo {BOTH}",
        body=f"Nội dung {BOTH}",
        url=w.pending.get_absolute_url(),
        unit=agency,
    )
    return w


@pytest.fixture(scope="module")
def xw(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build()
        transaction.set_rollback(True)


# (who reads, path): every page that shows something a user typed.
PAGES = [
    ("head", lambda w: f"/proposals/{w.pending.pk}/"),
    ("head", lambda w: f"/proposals/{w.lesson.pk}/"),  # with the whole timeline
    ("cadre", lambda w: "/proposals/"),
    ("head", lambda w: "/proposals/inbox/"),
    ("deputy", lambda w: "/proposals/votes/"),
    ("party", lambda w: "/proposals/opinions/"),
    ("head", lambda w: f"/proposals/{w.pending.pk}/actions/approve/"),
    ("cadre", lambda w: f"/proposals/{w.pending.pk}/versions/diff/?old=1&new=1"),
    ("cadre", lambda w: f"/proposals/{w.pending.pk}/verify/"),
    ("head", lambda w: f"/pilots/{w.pilot.pk}/"),
    ("cadre", lambda w: "/pilots/mine/"),
    ("head", lambda w: "/pilots/unit/"),
    ("inspector", lambda w: "/pilots/monitored/"),
    ("head", lambda w: f"/reviews/{w.lesson.pk}/"),
    ("orgboard", lambda w: f"/reviews/{w.lesson.pk}/replication/"),
    ("outsider", lambda w: "/lessons/"),
    ("outsider", lambda w: "/lessons/?q=alert"),
    ("outsider", lambda w: f"/lessons/{w.lesson.pk}/"),
    ("orgboard", lambda w: "/recognitions/"),
    ("orgboard", lambda w: "/dashboard/"),
    ("orgboard", lambda w: f"/dashboard/?unit={w.agency.pk}"),
    ("outsider", lambda w: f"/dossiers/verify/?code={w.issue.code}"),
    ("cadre", lambda w: "/notifications/"),
    ("cadre", lambda w: "/"),
    ("head", lambda w: "/"),
    ("orgboard", lambda w: "/calendar/"),
]


@pytest.mark.parametrize(("who", "path"), PAGES)
def test_user_text_is_escaped_on_every_page(xw, client, who, path):
    client.force_login(getattr(xw, who))
    response = client.get(path(xw))
    assert response.status_code == 200
    body = response.content.decode()
    for raw in RAW:
        assert raw not in body, f"unescaped {raw!r} on {path(xw)}"


@pytest.mark.parametrize(
    ("who", "path", "shown"),
    [
        ("head", lambda w: f"/proposals/{w.pending.pk}/", "Đề xuất " + ESCAPED_SCRIPT),
        ("head", lambda w: f"/proposals/{w.pending.pk}/", "Ý kiến " + ESCAPED_SCRIPT),
        ("head", lambda w: f"/pilots/{w.pilot.pk}/", "Tiến độ " + ESCAPED_SCRIPT),
        ("head", lambda w: f"/pilots/{w.pilot.pk}/", "Phát hiện " + ESCAPED_SCRIPT),
        ("head", lambda w: f"/reviews/{w.lesson.pk}/", "Khách quan " + ESCAPED_SCRIPT),
        ("outsider", lambda w: "/lessons/", "Đề xuất " + ESCAPED_SCRIPT),
        ("cadre", lambda w: "/notifications/", "Thông báo " + ESCAPED_SCRIPT),
    ],
)
def test_the_text_is_shown_escaped_not_dropped(xw, client, who, path, shown):
    client.force_login(getattr(xw, who))
    assert shown in client.get(path(xw)).content.decode()


@pytest.mark.parametrize(
    ("who", "path", "element"),
    [
        ("head", lambda w: f"/pilots/{w.pilot.pk}/", "kpi-chart-data"),
        ("orgboard", lambda w: f"/dashboard/?unit={w.agency.pk}", "dashboard-data"),
    ],
)
def test_chart_data_goes_through_json_script(xw, client, who, path, element):
    """json_script escapes <, > and & inside the JSON, so a name cannot close the script."""
    import json
    import re

    client.force_login(getattr(xw, who))
    body = client.get(path(xw)).content.decode()
    match = re.search(rf'<script id="{element}" type="application/json">(.*?)</script>', body, re.S)
    assert match, element
    assert "<" not in match.group(1)
    assert "alert(1)" in match.group(1)  # the name is there, as data
    json.loads(match.group(1))


def test_the_notification_email_escapes_its_html_part(xw):
    message = notification_email(Notification.objects.get(pk=xw.notification.pk))
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    for raw in RAW:
        assert raw not in html
    assert "Thông báo " + ESCAPED_SCRIPT in html
    # The plain-text part is not HTML: it carries the text as typed.
    assert "Thông báo " + BOTH in message.body


def test_the_digest_escapes_its_html_part(xw):
    message = digest_email(
        xw.cadre, [Notification.objects.get(pk=xw.notification.pk)], day=timezone.localdate()
    )
    ((html, _mimetype),) = message.alternatives
    for raw in RAW:
        assert raw not in html
    assert "Thông báo " + ESCAPED_SCRIPT in html


@pytest.mark.parametrize(
    "title",
    ["Đề xuất\rBcc: victim@example.vn", "Đề xuất\r\nBcc: victim@example.vn"],
    ids=["cr", "crlf"],
)
def test_a_title_with_line_breaks_cannot_stop_its_reminder_email(xw, title):
    """Reminders carry the proposal's title in their own title, which becomes the e-mail's
    subject (notifications/deadlines.py -> notifications/emails.py). The API accepts a title
    with a carriage return; the subject must still be one clean line (Django refuses to send a
    header with CR or LF, so the e-mail would never go out and the task would retry for ever)."""
    notification = Notification.objects.create(
        recipient=xw.cadre, kind=Notification.Kind.INFO, title=title, body="x", url="/"
    )
    message = notification_email(notification).message()  # BadHeaderError today
    subject = str(make_header(decode_header(message["Subject"])))
    assert "\r" not in subject and "\n" not in subject
    assert message["Bcc"] is None


def test_the_protection_dossier_pdf_fetches_nothing_a_user_typed(xw, client):
    """WeasyPrint resolves URLs in the HTML it renders (http, file). User text is escaped, so an
    <img> or <link> typed into a proposal is printed, not fetched."""
    from weasyprint.urls import URLFetcher

    fetched = []
    original = URLFetcher.fetch

    def spy(self, url, *args, **kwargs):
        fetched.append(url)
        return original(self, url, *args, **kwargs)

    client.force_login(xw.cadre)
    with mock.patch.object(URLFetcher, "fetch", spy):
        response = exported(client, "dossier", proposal=xw.lesson.pk)
    assert response.status_code == 200
    pdf = b"".join(response.streaming_content)
    assert not [u for u in fetched if "attacker.invalid" in u or "/etc/" in u]
    # ... and printed as text instead.
    from pypdf import PdfReader

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    assert "attacker.invalid" in text.replace("\n", "")


# --- messages and form errors that repeat what the user typed --------------------------------


def test_flash_messages_are_escaped(xw, client):
    """ "The draft “<title>” is deleted.", "Recorded: praise for <names>." ..."""
    draft = ProposalFactory(home_unit=xw.agency, created_by=xw.cadre, title=f"Nháp {BOTH}")
    client.force_login(xw.cadre)
    page = client.post(f"/proposals/{draft.pk}/delete/", follow=True)
    client.force_login(xw.orgboard)
    page2 = client.post(
        f"/reviews/{xw.lesson.pk}/recognition-requests/",
        {"kind": "reward", "grounds": "x"},
        follow=True,
    )
    for response in (page, page2):
        assert response.status_code == 200
        body = response.content.decode()
        assert ESCAPED_SCRIPT in body  # the message is there ...
        for raw in RAW:
            assert raw not in body  # ... as text


def test_an_uploaded_files_name_in_an_error_is_escaped(xw, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    draft = ProposalFactory(home_unit=xw.agency, created_by=xw.cadre)
    client.force_login(xw.cadre)
    response = client.post(
        f"/proposals/{draft.pk}/attachments/",
        {"file": SimpleUploadedFile(f"{SCRIPT}.exe", b"MZ\x90\x00" * 64)},
    )
    assert response.status_code == 400
    assert SCRIPT not in response.content.decode()
