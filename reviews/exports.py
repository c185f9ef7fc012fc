"""The review stage's heavy files as export jobs (exports app): the period report of an
organization board's subtree (sơ kết, tổng kết; .xlsx or signed PDF) and a proposal's protection
dossier (signed PDF, registered as issued so that /dossiers/verify/ recognises it). Built by a
worker, never in the request."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exports import kinds
from kl14.dbrouter import replica_reads
from kl14.errors import Conflict, Invalid
from ledger.selectors import ledger_head
from proposals.permissions import access_proposal

from . import permissions as perms
from .dossier import verification_code
from .forms import PeriodForm
from .models import DossierIssue
from .stats import QUARTER, YEAR, Period

PERIOD_REPORT, DOSSIER = "period_report", "dossier"
FORMATS = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


# --- the period report ------------------------------------------------------------------------


def _period_of(params) -> Period:
    if params["period"] == QUARTER:
        return Period.quarter(params["year"], params["quarter"])
    if params["period"] == YEAR:
        return Period.year(params["year"])
    return Period()


def report_clean(user, params) -> kinds.Request:
    """The unit (default: the user's top-most organization board), the period (all time, a
    quarter or a year, as on the dashboard) and the format (xlsx or pdf)."""
    units = perms.board_subtree_units(user)  # 403 for anyone but an organization board
    fmt = params.get("format") or "xlsx"
    form = PeriodForm(
        {k: params.get(k) for k in ("unit", "period", "year", "quarter") if params.get(k)},
        units=units,
    )
    errors = {}
    if not form.is_valid():
        errors = {name: [str(m) for m in messages] for name, messages in form.errors.items()}
    if fmt not in FORMATS:
        errors["format"] = [_("Choose xlsx or pdf.")]
    if errors:
        raise Invalid(errors=errors)
    unit = form.cleaned_data["unit"] or perms.board_units(user).first()
    period = form.cleaned_data["the_period"]
    normalised = {
        "unit": unit.pk,
        "period": period.kind or PeriodForm.ALL,
        "year": period.start.year if period.start else None,
        "quarter": period.number if period.kind == QUARTER else None,
        "format": fmt,
    }
    title = _("Period report: %(period)s — %(unit)s (.%(format)s)") % {
        "period": period.label,
        "unit": unit.name,
        "format": fmt,
    }
    return kinds.Request(params=normalised, title=title)


def report_check_access(user, job) -> None:
    perms.access_board_unit(user, job.params.get("unit"))


def report_build(job, progress) -> kinds.Built:
    from . import services
    from .reports import period_report, period_report_xlsx, report_filename

    user, params = job.requested_by, job.params
    unit = perms.access_board_unit(user, params.get("unit"))
    period = _period_of(params)
    progress(10)
    with replica_reads():
        report = period_report(unit, period)
    progress(50)
    fmt = params["format"]
    if fmt == "pdf":
        content = services.period_report_issue_pdf(report=report, actor=user, language=job.language)
    else:
        content = period_report_xlsx(report, language=job.language)
    progress(95)
    return kinds.Built(
        content=content, filename=report_filename(report, fmt), content_type=FORMATS[fmt]
    )


# --- the protection dossier -------------------------------------------------------------------


def dossier_clean(user, params) -> kinds.Request:
    try:
        pk = int(params.get("proposal"))
    except (TypeError, ValueError):
        raise Invalid(errors={"proposal": [_("Choose the proposal.")]}) from None
    proposal = access_proposal(user, pk)  # 404 when not visible
    if not proposal.version:
        raise Conflict(_("A draft has no protection dossier."), code="wrong_state")
    title = _("Protection dossier %(code)s: %(title)s") % {
        "code": proposal.code,
        "title": proposal.title,
    }
    return kinds.Request(params={"proposal": proposal.pk}, title=title)


def dossier_check_access(user, job) -> None:
    access_proposal(user, job.params.get("proposal"))


def dossier_build(job, progress) -> kinds.Built:
    from . import services

    proposal = access_proposal(job.requested_by, job.params.get("proposal"))
    progress(5)
    issue, pdf, _document = services.dossier_issue_pdf(
        proposal=proposal, actor=job.requested_by, language=job.language, progress=progress
    )
    return kinds.Built(
        content=pdf,
        filename=f"ho-so-bao-ve-{proposal.code}.pdf",
        content_type=FORMATS["pdf"],
        reference=issue.code,
    )


def dossier_is_current(job) -> bool:
    """The dossier still ends at the ledger's head: nothing happened since it was issued."""
    issue = DossierIssue.objects.filter(code=job.reference).select_related("proposal").first()
    if issue is None:
        return False
    _seq, head = ledger_head(issue.proposal)
    return verification_code(issue.proposal.code, head) == job.reference


def register() -> None:
    kinds.register(
        kinds.Kind(
            name=PERIOD_REPORT,
            label=gettext_lazy("Period report"),
            clean=report_clean,
            build=report_build,
            check_access=report_check_access,
        )
    )
    kinds.register(
        kinds.Kind(
            name=DOSSIER,
            label=gettext_lazy("Protection dossier"),
            clean=dossier_clean,
            build=dossier_build,
            check_access=dossier_check_access,
            is_current=dossier_is_current,
        )
    )
