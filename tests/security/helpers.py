"""What the security tests share: sending a request of any method, and a fingerprint of
everything a write could change (to prove that a refused request changed nothing)."""

import json
from collections.abc import Callable
from dataclasses import dataclass, field

from django.urls import reverse

from ledger.models import LedgerEntry
from pilots.models import (
    Adjustment,
    ImplementationPlan,
    Inspection,
    Milestone,
    PlanVersion,
    ProgressReport,
    ReportAttachment,
)
from proposals.models import Attachment, Opinion, Proposal, ProposalVersion, Vote
from reviews.models import DossierIssue, Lesson, Recognition, Replication


@dataclass(frozen=True)
class Route:
    """One URL of the app applied to one object of the world.

    `path(w)` builds it; `target(w)` is the proposal (or other object) whose title must not leak;
    `reader`, when given, is someone entitled to it, who gets `reader_status`."""

    label: str
    method: str
    path: Callable
    api: bool = False
    data: dict = field(default_factory=dict)
    reader: str | None = None
    reader_status: int = 200

    def __str__(self):
        return f"{self.method} {self.label}"


def url(name, *args):
    return lambda w: reverse(name, args=[a(w) if callable(a) else a for a in args])


def pk(attr):
    """The primary key of the world's object `attr` (resolved when the test runs)."""
    return lambda w: getattr(w, attr).pk


def send(client, method, path, data=None, *, api=False):
    data = data or {}
    if method == "GET":
        return client.get(path, data)
    if api:
        return client.generic(
            method,
            path,
            data=json.dumps(data),
            content_type="application/json",
        )
    if method != "POST":
        return client.generic(method, path)
    return client.post(path, data)


def fingerprint() -> dict:
    """Every row a write of this app could add, change or remove."""
    return {
        "ledger": LedgerEntry.objects.count(),
        "proposals": list(
            Proposal.objects.order_by("pk").values_list(
                "pk", "state", "version", "title", "published_at", "deciding_unit_id"
            )
        ),
        "versions": ProposalVersion.objects.count(),
        "attachments": sorted(Attachment.objects.values_list("pk", flat=True)),
        "votes": list(Vote.objects.order_by("pk").values_list("pk", "choice")),
        "opinions": Opinion.objects.count(),
        "plans": list(
            ImplementationPlan.objects.order_by("pk").values_list("pk", "version", "cosigned_by")
        ),
        "plan_versions": PlanVersion.objects.count(),
        "milestones": list(Milestone.objects.order_by("pk").values_list("pk", "done")),
        "reports": ProgressReport.objects.count(),
        "report_files": ReportAttachment.objects.count(),
        "inspections": Inspection.objects.count(),
        "adjustments": list(Adjustment.objects.order_by("pk").values_list("pk", "status")),
        "recognitions": Recognition.objects.count(),
        "lessons": list(Lesson.objects.order_by("pk").values_list("pk", "lessons")),
        "replications": Replication.objects.count(),
        "dossier_issues": DossierIssue.objects.count(),
    }
