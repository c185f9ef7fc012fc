"""Periodic reviews (sơ kết each quarter, tổng kết each year): which periods are due, and the
spreadsheet that summarises a unit's subtree for one of them."""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.db.models import Count
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

from units.models import Unit
from units.selectors import unit_descendants
from workdays.calendar import add_working_days, deadline_from

from .models import PeriodicReview


@dataclass(frozen=True)
class Period:
    kind: str  # PeriodicReview.Period
    start: date
    end: date

    @property
    def label(self) -> str:
        if self.kind == PeriodicReview.Period.YEAR:
            return _("Yearly review (tổng kết) %(year)s") % {"year": self.start.year}
        return _("Quarterly review (sơ kết) Q%(quarter)s/%(year)s") % {
            "quarter": (self.start.month - 1) // 3 + 1,
            "year": self.start.year,
        }

    def bounds(self) -> tuple[datetime, datetime]:
        """The period as aware datetimes [start, end + 1 day) in local time."""
        tz = timezone.get_default_timezone()
        return (
            datetime.combine(self.start, time.min, tzinfo=tz),
            datetime.combine(self.end + timedelta(days=1), time.min, tzinfo=tz),
        )


def quarter_start(day: date) -> date:
    return date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


def periods_due(today: date) -> list[Period]:
    """The periods whose review goes out from the first working day of the quarter on: the last
    quarter, and in the first quarter also the last year."""
    start = quarter_start(today)
    if today < add_working_days(start - timedelta(days=1), 1):
        return []
    last_end = start - timedelta(days=1)
    periods = [Period(PeriodicReview.Period.QUARTER, quarter_start(last_end), last_end)]
    if start.month == 1:
        periods.append(Period(PeriodicReview.Period.YEAR, date(last_end.year, 1, 1), last_end))
    return periods


def _local_date(moment):
    return timezone.localtime(moment).date() if moment else None


def _write_table(sheet, row: int, header: list[str], rows: list[list]) -> int:
    bold = Font(bold=True)
    for column, value in enumerate(header, start=1):
        sheet.cell(row=row, column=column, value=value).font = bold
    for offset, values in enumerate(rows, start=1):
        for column, value in enumerate(values, start=1):
            sheet.cell(row=row + offset, column=column, value=value)
    return row + len(rows) + 2


def _fit_columns(sheet, widths: dict[int, int]):
    for column, width in widths.items():
        sheet.column_dimensions[get_column_letter(column)].width = width


def review_report(unit: Unit, period: Period, *, language: str) -> bytes:
    """The .xlsx summary of the unit's subtree: proposals per state, the period's decisions made
    on time and late, and the outcomes so far. Six queries whatever the size of the subtree."""
    from proposals.models import DECISION_STATES, RESPONSIBILITY_OUTCOMES, Proposal, State
    from proposals.services import DECISION_WORKING_DAYS

    start, end = period.bounds()
    subtree = Proposal.objects.filter(home_unit__path__startswith=unit.path).exclude(
        state=State.DRAFT
    )
    existing = subtree.filter(submitted_at__lt=end)
    per_state = dict(existing.values_list("state").annotate(n=Count("pk")).order_by())
    submitted = dict(
        existing.filter(submitted_at__gte=start).values_list("state").annotate(n=Count("pk"))
    )
    per_unit: dict[tuple[int, str], int] = {
        (unit_id, state): n
        for unit_id, state, n in existing.values_list("home_unit_id", "state")
        .annotate(n=Count("pk"))
        .order_by()
    }
    decisions = list(
        subtree.filter(decided_at__gte=start, decided_at__lt=end)
        .select_related("deciding_unit")
        .order_by("decided_at", "pk")
    )
    overdue = subtree.filter(state__in=DECISION_STATES, decision_due__lt=period.end).count()
    units = list(unit_descendants(unit, include_self=True).order_by("path"))

    # The due date each decision had: 7 working days after its (last) submission.
    due_on: dict[date, date] = {}
    for proposal in decisions:
        submitted_on = _local_date(proposal.submitted_at)
        if submitted_on and submitted_on not in due_on:
            due_on[submitted_on] = deadline_from(submitted_on, DECISION_WORKING_DAYS)

    with translation.override(language):
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = _("Summary")[:31]
        sheet["A1"] = f"{period.label} — {unit.name}"
        sheet["A1"].font = Font(bold=True, size=14)
        sheet["A2"] = _("Period: %(start)s – %(end)s") % {
            "start": date_format(period.start, "SHORT_DATE_FORMAT"),
            "end": date_format(period.end, "SHORT_DATE_FORMAT"),
        }
        sheet["A3"] = _("Generated: %(moment)s") % {
            "moment": date_format(timezone.localtime(), "SHORT_DATETIME_FORMAT")
        }
        states = [s for s in State if s != State.DRAFT]
        row = _write_table(
            sheet,
            5,
            [
                _("State"),
                pgettext("count column", "Proposals"),
                _("Of which submitted in the period"),
            ],
            [[str(s.label), per_state.get(s.value, 0), submitted.get(s.value, 0)] for s in states]
            + [[_("Total"), sum(per_state.values()), sum(submitted.values())]],
        )

        decision_rows, on_time, late = [], 0, 0
        for proposal in decisions:
            submitted_on = _local_date(proposal.submitted_at)
            due = due_on.get(submitted_on)
            decided_on = _local_date(proposal.decided_at)
            in_time = due is None or decided_on <= due
            on_time += in_time
            late += not in_time
            decision_rows.append(
                [
                    proposal.code,
                    proposal.title,
                    proposal.deciding_unit.name if proposal.deciding_unit else "",
                    str(proposal.get_state_display()),
                    submitted_on,
                    due,
                    decided_on,
                    _("on time") if in_time else _("late"),
                ]
            )
        row = _write_table(
            sheet,
            row,
            [_("Decisions in the period"), _("Number")],
            [
                [_("Decided on time"), on_time],
                [_("Decided late"), late],
                [_("Still awaiting a decision after its deadline"), overdue],
            ],
        )
        outcomes = [
            State.SUCCEEDED,
            *RESPONSIBILITY_OUTCOMES,
            State.REFERRED,
            State.REPLICATED,
            State.INSTITUTIONALIZED,
        ]
        _write_table(
            sheet,
            row,
            [_("Outcomes so far"), pgettext("count column", "Proposals")],
            [[str(s.label), per_state.get(s.value, 0)] for s in outcomes],
        )
        _fit_columns(sheet, {1: 48, 2: 14, 3: 30})

        by_unit = workbook.create_sheet(_("By unit")[:31])
        _write_table(
            by_unit,
            1,
            [_("Code"), _("Unit"), *(str(s.label) for s in states), _("Total")],
            [
                [
                    u.code,
                    "  " * (u.depth - unit.depth) + u.name,
                    *(per_unit.get((u.pk, s.value), 0) for s in states),
                    sum(per_unit.get((u.pk, s.value), 0) for s in states),
                ]
                for u in units
            ],
        )
        _fit_columns(by_unit, {1: 14, 2: 40})

        detail = workbook.create_sheet(_("Decisions")[:31])
        _write_table(
            detail,
            1,
            [
                _("Code"),
                _("Title"),
                _("Deciding unit"),
                _("State now"),
                pgettext("date column", "Submitted"),
                _("Due"),
                _("Decided"),
                _("Timeliness"),
            ],
            decision_rows,
        )
        for column in (5, 6, 7):
            for cell in detail[get_column_letter(column)][1:]:
                cell.number_format = "DD/MM/YYYY"
        _fit_columns(detail, {1: 18, 2: 50, 3: 30, 4: 20, 5: 12, 6: 12, 7: 12, 8: 12})

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
