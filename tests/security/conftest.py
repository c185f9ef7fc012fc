"""One fixture tree for the whole security audit, built once per test module.

    province (P) ── agency (P-A, the home unit of every proposal below) ── office (P-A-O)
                └─ commune (P-C, a sibling subtree: everyone there is an outsider)

Objects of the agency, each in the state its routes need: a draft, a proposal under review, a
running pilot (plan, progress report with a file, inspection, pending adjustment), an evaluated
success (recognition, dossier, lesson published then withdrawn), a published lesson, a
notification and a periodic review. Titles are unique markers so that a 404 page can be checked
for leaks.

The tree is created inside one transaction that is rolled back when the module ends; each test
runs in a savepoint of it (pytest-django's `db`), so tests may write freely."""

import datetime
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone
from django.utils.functional import empty

from documents.models import OfficialDocument
from notifications.models import Notification, PeriodicReview
from pilots import services as pilots
from proposals import services as proposals
from reviews import services as reviews
from tests.factories.files import PDF, PNG
from tests.factories.notifications import NotificationFactory
from tests.factories.pilots import approved, started
from tests.factories.proposals import ProposalFactory, committee_reference, fresh, under_review
from tests.factories.reviews import evaluated, recognised, succeeded, through_pilot
from tests.factories.units import UnitFactory, grant
from units.models import Role, Unit

PASSWORD = "secret-pass-123"


def _unit(code, name, parent=None):
    return Unit.objects.get(pk=UnitFactory(code=code, name=name, parent=parent).pk)


def _people(units):
    province, agency, office, commune = (
        units["province"],
        units["agency"],
        units["office"],
        units["commune"],
    )
    return {
        # The agency: home and deciding unit of every proposal.
        "head": grant(agency, Role.HEAD, username="head"),
        "deputy": grant(agency, Role.DEPUTY, username="deputy"),
        "cadre": grant(agency, Role.CADRE, username="cadre"),
        "cadre2": grant(agency, Role.CADRE, username="cadre2"),
        "party": grant(agency, Role.PARTY_COMMITTEE, username="party"),
        "agency_admin": grant(agency, Role.ADMIN, username="agency_admin"),
        # Above it: oversight of the subtree, and a head who decides nothing here.
        "inspector": grant(province, Role.INSPECTOR, username="inspector"),
        "orgboard": grant(province, Role.ORGANIZATION_BOARD, username="orgboard"),
        "province_head": grant(province, Role.HEAD, username="province_head"),
        # Below it: a unit of its own.
        "office_head": grant(office, Role.HEAD, username="office_head"),
        # A sibling subtree: every role there is an outsider to the agency.
        "commune_head": grant(commune, Role.HEAD, username="commune_head"),
        "commune_cadre": grant(commune, Role.CADRE, username="commune_cadre"),
        "commune_party": grant(commune, Role.PARTY_COMMITTEE, username="commune_party"),
        "commune_inspector": grant(commune, Role.INSPECTOR, username="commune_inspector"),
        "commune_board": grant(commune, Role.ORGANIZATION_BOARD, username="commune_board"),
        "commune_admin": grant(commune, Role.ADMIN, username="commune_admin"),
    }


def _upload(name, content):
    return SimpleUploadedFile(name, content)


def build_world():
    province = _unit("P", "Tỉnh")
    agency = _unit("P-A", "Sở", province)
    office = _unit("P-A-O", "Phòng", agency)
    commune = _unit("P-C", "Xã", province)
    units = {"province": province, "agency": agency, "office": office, "commune": commune}
    w = SimpleNamespace(**units, **_people(units))

    # A draft with an attachment: its authors' working paper.
    w.draft = ProposalFactory(home_unit=agency, created_by=w.cadre, title="TITLE-DRAFT-8c1f")
    w.draft_attachment = proposals.attachment_add(
        proposal=w.draft, actor=w.cadre, uploaded=_upload("ke-hoach.pdf", PDF)
    )

    # Under review: an attachment, a vote and the Party committee's opinion.
    w.review = ProposalFactory(home_unit=agency, created_by=w.cadre, title="TITLE-REVIEW-3d9a")
    w.review_attachment = proposals.attachment_add(
        proposal=w.review, actor=w.cadre, uploaded=_upload("phu-luc.pdf", PDF)
    )
    w.review = under_review(w.review, w.cadre, w.head)
    proposals.vote_cast(proposal=w.review, actor=w.deputy, choice="for")
    proposals.opinion_record(
        proposal=fresh(w.review),
        actor=w.party,
        stage="decision",
        stance="agree",
        text="Đồng ý.",
        **committee_reference(),
    )
    w.review = fresh(w.review)

    # A running pilot: plan, a progress report with a file, an inspection, a pending adjustment.
    pilot = ProposalFactory(home_unit=agency, created_by=w.cadre, title="TITLE-PILOT-5e27")
    pilot = approved(pilot, author=w.cadre, head=w.head, party=w.party, voters=[w.deputy])
    w.pilot = started(pilot, head=w.head, monitors=[w.inspector])
    w.plan = w.pilot.plan
    w.milestone = w.plan.milestones.order_by("pk").first()
    w.report = pilots.report_file(
        proposal=w.pilot,
        actor=w.cadre,
        narrative="Báo cáo kỳ 1.",
        attachments=[_upload("anh.png", PNG)],
    )
    w.report_attachment = w.report.attachments.get()
    w.inspection = pilots.inspection_record(
        proposal=fresh(w.pilot),
        actor=w.inspector,
        date=timezone.localdate(),
        findings="Hồ sơ đầy đủ.",
        assessment="good",
    )
    w.adjustment = pilots.adjustment_request(
        proposal=fresh(w.pilot),
        actor=w.cadre,
        reasons="Cần thêm người.",
        changes={"people": "Thêm 1 cán bộ."},
    )
    w.pilot = fresh(w.pilot)

    # Evaluated as achieved: recognised, a dossier issued, a lesson published then withdrawn.
    done = ProposalFactory(home_unit=agency, created_by=w.cadre, title="TITLE-DONE-a4b0")
    w.done = succeeded(done, head=w.head, party=w.party)
    recognised(w.done, board=w.orgboard, kind="praise")
    w.dossier_issue, _ = reviews.dossier_issue(proposal=w.done, actor=w.cadre)
    reviews.lesson_publish(proposal=fresh(w.done), actor=w.head, lessons="Bài học nội bộ.")
    reviews.lesson_unpublish(proposal=fresh(w.done), actor=w.head)
    w.done = fresh(w.done)

    # Published to the lessons library, after a whole pilot (so it has a plan and final report).
    lesson = ProposalFactory(home_unit=agency, created_by=w.cadre, title="TITLE-LESSON-77c2")
    lesson = through_pilot(lesson, org=w)  # approved, planned, run, reported: evaluating
    w.lesson = evaluated(lesson, head=w.head, party=w.party)
    reviews.lesson_publish(proposal=w.lesson, actor=w.head, lessons="Bài học công khai.")
    w.lesson = fresh(w.lesson)
    # Their approval decisions (pending: the worker never ran inside this transaction).
    w.pilot_document = OfficialDocument.objects.get(proposal=w.pilot, kind="approval")
    w.lesson_document = OfficialDocument.objects.get(proposal=w.lesson, kind="approval")

    # The cadre's notification, and the agency's periodic review (for those who oversee it).
    w.notification = NotificationFactory(
        recipient=w.cadre, title="TITLE-NOTIFICATION-19fe", kind=Notification.Kind.INFO
    )
    w.periodic_review = PeriodicReview(
        unit=agency,
        period=PeriodicReview.Period.QUARTER,
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 3, 31),
    )
    w.periodic_review.report.save("P-A-quarter-2026-01.xlsx", ContentFile(b"PK\x03\x04"))
    return w


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        w = build_world()
        if default_storage._wrapped is empty:
            default_storage._setup()
        w.storage = default_storage._wrapped  # the files its tests download
        yield w
        transaction.set_rollback(True)


@pytest.fixture(autouse=True)
def _world_storage(request, _fresh_storage):
    """The root conftest gives every test an empty storage; a test on the world gets the world's."""
    if "world" in request.fixturenames:
        default_storage._wrapped = request.getfixturevalue("world").storage
    yield


@pytest.fixture
def as_user(client, db):
    """A test client signed in as `user` (None: anonymous)."""

    def sign_in(user, *, csrf=False):
        c = Client(enforce_csrf_checks=True) if csrf else client
        c.logout()
        if user is not None:
            c.force_login(user)
        return c

    return sign_in
