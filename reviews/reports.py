"""The period report of an organization board's subtree (sơ kết for a quarter, tổng kết for a year)
as a spreadsheet (openpyxl) and as a PDF (WeasyPrint): the dashboard's figures plus the lists
behind them. A fixed number of queries whatever the number of rows."""

import io
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from units.models import Unit

from .models import (
    AbuseReferral,
    Adoption,
    Evaluation,
    Institutionalization,
    Recognition,
    ResponsibilityDecision,
    current_decisions,
)
from .pdf import render_pdf
from .stats import QUARTER, Dashboard, Period, dashboard, decisions_queryset


@dataclass
class PeriodReport:
    unit: Unit
    period: Period
    figures: Dashboard
    decisions: list
    evaluations: list
    responsibility: list
    referrals: list
    recognitions: list
    adoptions: list
    institutionalizations: list
    generated_at: object

    @property
    def title(self) -> str:
        return f"{self.period.label} — {self.unit.name}"


def period_report(unit: Unit, period: Period) -> PeriodReport:
    """Eight queries for the figures, seven for the lists."""
    in_subtree = Q(proposal__home_unit__path__startswith=unit.path)
    in_period = period.q("created_at")
    return PeriodReport(
        unit=unit,
        period=period,
        figures=dashboard(unit, period),
        decisions=list(
            decisions_queryset(unit, period)
            .select_related("home_unit", "deciding_unit")
            .order_by("decided_at", "pk")
        ),
        evaluations=list(
            Evaluation.objects.filter(in_subtree, in_period)
            .select_related("proposal__home_unit")
            .prefetch_related("proposal__responsibility_decisions__author")
            .order_by("created_at", "pk")
        ),
        responsibility=list(
            # Each author's current decision, as the figures count them (a revision replaces
            # the decision complained of).
            ResponsibilityDecision.objects.filter(in_subtree, in_period, superseded_by__isnull=True)
            .select_related("proposal__home_unit", "decided_by")
            .order_by("created_at", "pk")
        ),
        referrals=list(
            AbuseReferral.objects.filter(in_subtree, in_period)
            .select_related("proposal__home_unit", "referred_by")
            .order_by("created_at", "pk")
        ),
        recognitions=list(
            Recognition.objects.filter(in_subtree, in_period)
            .select_related("recipient", "proposal__home_unit", "unit")
            .order_by("recipient__full_name", "created_at", "pk")
        ),
        adoptions=list(
            Adoption.objects.filter(
                Q(replication__source__home_unit__path__startswith=unit.path)
                | Q(unit__path__startswith=unit.path),
                period.q("replication__created_at"),
            )
            .select_related("unit", "proposal", "replication__source", "replication__board_unit")
            .order_by("replication__created_at", "pk")
        ),
        institutionalizations=list(
            Institutionalization.objects.filter(in_subtree, in_period)
            .select_related("proposal__home_unit", "board_unit")
            .order_by("created_at", "pk")
        ),
        generated_at=timezone.now(),
    )


def report_filename(report: PeriodReport, extension: str) -> str:
    """so-ket-2026-q1-BD.xlsx, tong-ket-2025-BD.pdf, toan-bo-BD.xlsx (all time)."""
    period, code = report.period, report.unit.code
    if period.start is None:
        return f"toan-bo-{code}.{extension}"
    if period.kind == QUARTER:
        return f"so-ket-{period.start:%Y}-q{period.number}-{code}.{extension}"
    return f"tong-ket-{period.start:%Y}-{code}.{extension}"


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _timeliness(proposal) -> str:
    if proposal.due_then is None:
        return ""
    return _("on time") if proposal.decided_on <= proposal.due_then else _("late")


def _key_figures(report: PeriodReport) -> list[list]:
    f = report.figures
    rows = [
        [_("Proposals in the subtree"), f.total],
        [_("Submitted in the period"), f.submitted],
        [_("Decided in the period"), f.decided],
        [_("Approved"), f.approved],
        [_("Approval rate (%)"), f.approval_rate if f.approval_rate is not None else ""],
        [_("Decided on time"), f.on_time],
        [_("Decided late"), f.late],
        [_("Average decision time (days)"), f.average_days if f.average_days is not None else ""],
        [_("Awaiting a decision after the deadline (now)"), f.overdue_now],
    ]
    rows += [[_("Evaluated: %(outcome)s") % {"outcome": label}, n] for _v, label, n in f.outcomes]
    rows += [[label, n] for _v, label, n in f.protection]
    rows += [[label, n] for _v, label, n in f.recognitions]
    rows += [
        [_("Adoptions (replication)"), f.adoptions],
        [_("Regulations proposed (institutionalisation)"), f.institutionalized],
        [_("Lessons published"), f.lessons],
    ]
    return rows


class _Sheet:
    HEADER = Font(bold=True, color="FFFFFF")
    FILL = PatternFill("solid", fgColor="8B1A1A")

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 1

    def cell(self, row, column, value):
        """A cell holding `value` as it is: text that starts with "=" stays text, never becomes
        a formula (titles and reasons come from users)."""
        cell = self.sheet.cell(row=row, column=column, value=value)
        if isinstance(value, str) and value.startswith("="):
            cell.data_type = "s"
        return cell

    def title(self, text, size=14):
        self.cell(self.row, 1, text).font = Font(bold=True, size=size)
        self.row += 1

    def line(self, text):
        self.cell(self.row, 1, text)
        self.row += 1

    def table(self, header, rows, *, dates=()):
        for column, value in enumerate(header, start=1):
            cell = self.cell(self.row, column, value)
            cell.font, cell.fill = self.HEADER, self.FILL
        for values in rows:
            self.row += 1
            for column, value in enumerate(values, start=1):
                cell = self.cell(self.row, column, value)
                cell.alignment = Alignment(wrap_text=isinstance(value, str) and len(value) > 40)
                if column in dates:
                    cell.number_format = "DD/MM/YYYY"
        self.row += 2

    def widths(self, *widths):
        for column, width in enumerate(widths, start=1):
            self.sheet.column_dimensions[get_column_letter(column)].width = width


def period_report_xlsx(report: PeriodReport, *, language=None) -> bytes:
    f = report.figures
    with translation.override(language or translation.get_language()):
        workbook = Workbook()
        summary = _Sheet(workbook.active)
        summary.sheet.title = pgettext("sheet", "Summary")[:31]
        summary.title(report.title)
        summary.line(
            _("Period: %(start)s – %(end)s")
            % {
                "start": date_format(report.period.start, "SHORT_DATE_FORMAT"),
                "end": date_format(report.period.end, "SHORT_DATE_FORMAT"),
            }
            if report.period.start
            else _("All time")
        )
        summary.line(
            _("Generated: %(moment)s")
            % {
                "moment": date_format(
                    timezone.localtime(report.generated_at), "SHORT_DATETIME_FORMAT"
                )
            }
        )
        summary.row += 1
        summary.table([_("Figure"), _("Number")], _key_figures(report))
        summary.table([_("State"), _("Proposals")], [[label, n] for _v, label, n in f.states])
        summary.table(
            [
                _("Deciding unit"),
                pgettext("count", "Decided"),
                _("Approved"),
                _("On time"),
                _("Late"),
                _("Average days"),
            ],
            [
                [r.unit_name, r.decided, r.approved, r.on_time, r.late, r.average_days]
                for r in f.decisions
            ],
        )
        summary.widths(52, 14, 12, 12, 12, 14)

        by_unit = _Sheet(workbook.create_sheet(_("By unit")[:31]))
        states = [(v, label) for v, label, _n in f.states]
        by_unit.table(
            [_("Code"), _("Unit"), *(label for _v, label in states), _("Total")],
            [
                [
                    row.unit.code,
                    "  " * row.indent + row.unit.name,
                    *(row.states.get(v, 0) for v, _label in states),
                    row.total,
                ]
                for row in f.units
            ],
        )
        by_unit.widths(14, 40)

        decisions = _Sheet(workbook.create_sheet(_("Decisions")[:31]))
        decisions.table(
            [
                _("Code"),
                _("Title"),
                _("Home unit"),
                _("Deciding unit"),
                pgettext("date", "Submitted"),
                _("Due"),
                _("Decided"),
                _("Timeliness"),
                _("State now"),
            ],
            [
                [
                    p.code,
                    p.title,
                    p.home_unit.name,
                    p.deciding_unit.name if p.deciding_unit else "",
                    _local_date(p.submitted_at),
                    p.due_then,
                    p.decided_on,
                    _timeliness(p),
                    p.get_state_display(),
                ]
                for p in report.decisions
            ],
            dates=(5, 6, 7),
        )
        decisions.widths(18, 50, 28, 28, 12, 12, 12, 12, 22)

        results = _Sheet(workbook.create_sheet(_("Results")[:31]))
        results.table(
            [
                _("Code"),
                _("Title"),
                _("Unit"),
                _("Evaluated"),
                _("Outcome"),
                _("Objective causes"),
                _("Subjective causes"),
                _("Responsibility decision"),
            ],
            [
                [
                    e.proposal.code,
                    e.proposal.title,
                    e.proposal.home_unit.name,
                    _local_date(e.created_at),
                    e.get_outcome_display(),
                    e.causes_objective,
                    e.causes_subjective,
                    _decision_label(e.proposal),
                ]
                for e in report.evaluations
            ],
            dates=(4,),
        )
        results.table(
            [
                _("Code"),
                _("Title"),
                _("Decided"),
                _("Decision"),
                _("Damage (VND)"),
                _("Reasons"),
            ],
            [
                [
                    d.proposal.code,
                    d.proposal.title,
                    _local_date(d.created_at),
                    d.get_decision_display(),
                    int(d.damage_amount) if d.damage_amount is not None else "",
                    d.reasons,
                ]
                for d in report.responsibility
            ]
            + [
                [
                    r.proposal.code,
                    r.proposal.title,
                    _local_date(r.created_at),
                    _("Referred for abuse"),
                    "",
                    r.evidence,
                ]
                for r in report.referrals
            ],
            dates=(3,),
        )
        results.widths(18, 44, 26, 12, 22, 40, 40, 26)

        recognitions = _Sheet(workbook.create_sheet(_("Recognition")[:31]))
        recognitions.table(
            [_("Cadre"), _("Recognition"), _("Proposal"), _("Unit"), _("Granted by"), _("Date")],
            [
                [
                    r.recipient.get_full_name(),
                    r.get_kind_display(),
                    f"{r.proposal.code} {r.proposal.title}",
                    r.proposal.home_unit.name,
                    r.unit.name,
                    _local_date(r.created_at),
                ]
                for r in report.recognitions
            ],
            dates=(6,),
        )
        recognitions.widths(28, 34, 50, 28, 28, 12)

        spread = _Sheet(workbook.create_sheet(_("Replication")[:31]))
        spread.table(
            [_("Model"), _("Adopted by"), _("Proposal in the unit"), _("State"), _("Directed")],
            [
                [
                    f"{a.replication.source.code} {a.replication.source.title}",
                    a.unit.name,
                    a.proposal.code,
                    a.proposal.get_state_display(),
                    _local_date(a.replication.created_at),
                ]
                for a in report.adoptions
            ],
            dates=(5,),
        )
        spread.table(
            [_("Proposal"), _("Regulation proposed"), _("Issuing level"), _("Proposed")],
            [
                [
                    f"{i.proposal.code} {i.proposal.title}",
                    i.title,
                    i.get_issuing_level_display(),
                    _local_date(i.created_at),
                ]
                for i in report.institutionalizations
            ],
            dates=(4,),
        )
        spread.widths(50, 40, 22, 22, 12)

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _decision_label(proposal) -> str:
    """The responsibility decision, or each author's ("name: decision") when they differ."""
    decisions = current_decisions(proposal.responsibility_decisions.all())
    if len({d.decision for d in decisions}) <= 1:
        return decisions[0].get_decision_display() if decisions else ""
    return "; ".join(
        f"{d.author.get_full_name() if d.author_id else ''}: {d.get_decision_display()}"
        for d in decisions
    )


def period_report_pdf(report: PeriodReport, *, language=None) -> bytes:
    with translation.override(language or translation.get_language()):
        for evaluation in report.evaluations:
            evaluation.responsibility_label = _decision_label(evaluation.proposal)
        context = {"report": report, "f": report.figures, "key_figures": _key_figures(report)}
        return render_pdf("reviews/period_report_pdf.html", context)


def review_report(unit: Unit, period, *, language: str) -> bytes:
    """The .xlsx of a periodic review, for the reminders (notifications.periodic): `period` is any
    object with `kind` ("quarter" or "year"), `start` and `end` (dates)."""
    report = period_report(unit, Period(period.kind, period.start, period.end))
    return period_report_xlsx(report, language=language)
