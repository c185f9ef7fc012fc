"""The plan as data: cleaning of its fields, its canonical content and hash, the reporting
schedule and KPI values. No writes here: services.py does those."""

import calendar
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from kl14.dates import in_range, out_of_range_message
from kl14.text import text_refusal
from ledger.hashing import canonical_json, sha256
from units.models import Membership, Role
from workdays.calendar import deadline_from

from .models import CADENCE_MONTHS, MONITOR_PERMISSION, Cadence, Direction, PlanMonitor

# Progress reports are due this many working days after the end of their period, like the final
# report after the end of the work (Decree 73).
REPORT_DUE_WORKING_DAYS = 5
FINAL_REPORT_WORKING_DAYS = 5
MAX_PLAN_YEARS = 5
MAX_ROWS = 50

SCALAR_FIELDS = (
    "start_date",
    "end_date",
    "reporting_cadence",
    "budget_amount",
    "budget_details",
    "people",
    "equipment",
    "risk_declaration",
)
PLAN_FIELDS = (*SCALAR_FIELDS, "milestones", "kpis", "monitors")
RESOURCE_FIELDS = ("budget_amount", "budget_details", "people", "equipment")
# What an adjustment may change (the issue: dates, KPIs or resources).
ADJUSTABLE_FIELDS = ("start_date", "end_date", "milestones", "kpis", *RESOURCE_FIELDS)
TEXT_LIMITS = {"budget_details": 5000, "people": 5000, "equipment": 5000, "risk_declaration": 20000}


def _add(errors, field, message):
    errors.setdefault(field, []).append(message)


def to_date(value):
    """A date from a date or an ISO string; None when empty; ValueError when not a date."""
    if value in (None, ""):
        return None
    if isinstance(value, date):
        return value
    parsed = parse_date(str(value))
    if parsed is None:
        raise ValueError(value)
    return parsed


class DateOutOfRange(ValueError):
    """A date outside kl14.dates' range (before 2000 or after 2100)."""


def to_input_date(value):
    """`to_date` for what a person typed: also refuses dates outside the accepted range."""
    day = to_date(value)
    if day is not None and not in_range(day):
        raise DateOutOfRange(value)
    return day


def date_error(error: ValueError) -> str:
    """The message for a date `to_input_date` refused."""
    if isinstance(error, DateOutOfRange):
        return out_of_range_message()
    return _("Enter a valid date.")


def to_decimal(value) -> Decimal:
    if isinstance(value, bool) or value in (None, ""):
        raise ValueError(value)
    try:
        number = Decimal(str(value).strip().replace(",", "."))
    except InvalidOperation:
        raise ValueError(value) from None
    if not number.is_finite() or abs(number) >= Decimal(10) ** 16:
        raise ValueError(value)
    return number.quantize(Decimal("0.0001"))


def decimal_text(value) -> str:
    """A decimal as the shortest plain string ("12.5", "100"), as the canonical content has it."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text


def _id(value):
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        raise ValueError(value) from None


def _text(value, field, errors, *, limit):
    value = "" if value is None else str(value).strip()
    if refusal := text_refusal(value):
        _add(errors, field, refusal)
    elif len(value) > limit:
        _add(errors, field, _("At most %(n)d characters.") % {"n": limit})
    return value


def clean_plan(data: dict, *, home_unit, only=None, plan=None) -> tuple[dict, dict]:
    """Validates the form of plan fields (completeness is checked at co-signature and start).

    `data` holds any of PLAN_FIELDS (or of `only`; others are refused). Returns (clean, errors):
    the fields normalised (dates, Decimals, monitor users) and the field errors, which the caller
    raises as Invalid. With `plan`, dates left out are the plan's (an adjustment of milestones
    only is checked against the plan's dates)."""
    allowed = only or PLAN_FIELDS
    errors: dict = {}
    clean: dict = {}
    for name in data:
        if name not in allowed:
            _add(errors, name, _("This field cannot be changed here."))
    for name in ("start_date", "end_date"):
        if name in data:
            try:
                clean[name] = to_input_date(data[name])
            except ValueError as error:
                _add(errors, name, date_error(error))
    start = clean.get("start_date", plan.start_date if plan else None)
    end = clean.get("end_date", plan.end_date if plan else None)
    if start and end and ("start_date" in clean or "end_date" in clean):
        if end <= start:
            _add(errors, "end_date", _("The end date must be after the start date."))
        elif end > _add_months(start, 12 * MAX_PLAN_YEARS):
            _add(
                errors,
                "end_date",
                _("A plan runs for at most %(years)d years.") % {"years": MAX_PLAN_YEARS},
            )
    if "reporting_cadence" in data:
        cadence = data["reporting_cadence"] or Cadence.MONTHLY
        if cadence not in Cadence.values:
            _add(errors, "reporting_cadence", _("Choose a valid option."))
        clean["reporting_cadence"] = cadence
    if "budget_amount" in data:
        amount = data["budget_amount"]
        if amount in (None, ""):
            clean["budget_amount"] = None
        else:
            try:
                number = to_decimal(amount)
                if number < 0 or number != number.to_integral_value():
                    raise ValueError(amount)
                clean["budget_amount"] = int(number)
            except ValueError:
                # A number too large for a budget is told the bound, not that it is negative.
                _add(
                    errors,
                    "budget_amount",
                    _(
                        "Enter a whole, non-negative number of đồng, less than "
                        "10,000,000,000,000,000."
                    ),
                )
    for name, limit in TEXT_LIMITS.items():
        if name in data:
            clean[name] = _text(data[name], name, errors, limit=limit)
    if "milestones" in data:
        clean["milestones"] = _clean_milestones(data["milestones"], errors, start, end)
    if "kpis" in data:
        clean["kpis"] = _clean_kpis(data["kpis"], errors)
    if "monitors" in data:
        clean["monitors"] = _clean_monitors(data["monitors"], errors, home_unit)
    return clean, errors


def _rows(value, field, errors) -> list:
    if value is None:
        return []
    if isinstance(value, str | bytes | dict) or not hasattr(value, "__iter__"):
        _add(errors, field, _("Give a list."))
        return []
    value = list(value)
    if len(value) > MAX_ROWS:
        _add(errors, field, _("At most %(n)d rows.") % {"n": MAX_ROWS})
        return []
    return value


def _clean_milestones(value, errors, start, end) -> list[dict]:
    clean = []
    for number, row in enumerate(_rows(value, "milestones", errors), start=1):
        if not isinstance(row, dict):
            _add(errors, "milestones", _("Milestone %(n)d is not valid.") % {"n": number})
            continue
        name = str(row.get("name") or "").strip()
        try:
            due = to_input_date(row.get("due_date"))
            pk = _id(row.get("id"))
        except DateOutOfRange:
            _add(
                errors,
                "milestones",
                _("Milestone %(n)d: %(error)s") % {"n": number, "error": out_of_range_message()},
            )
            continue
        except ValueError:
            _add(errors, "milestones", _("Milestone %(n)d: enter a valid date.") % {"n": number})
            continue
        if not name or due is None:
            _add(
                errors,
                "milestones",
                _("Milestone %(n)d: give its name and due date.") % {"n": number},
            )
            continue
        if len(name) > 300:
            _add(errors, "milestones", _("Milestone %(n)d: the name is too long.") % {"n": number})
        if start and end and not start <= due <= end:
            _add(
                errors,
                "milestones",
                _("Milestone “%(name)s” is due outside the plan's dates.") % {"name": name},
            )
        clean.append({"id": pk, "name": name, "due_date": due})
    return sorted(clean, key=lambda m: (m["due_date"], m["name"]))


def _clean_kpis(value, errors) -> list[dict]:
    clean = []
    names = set()
    for number, row in enumerate(_rows(value, "kpis", errors), start=1):
        if not isinstance(row, dict):
            _add(errors, "kpis", _("KPI %(n)d is not valid.") % {"n": number})
            continue
        name = str(row.get("name") or "").strip()
        unit = str(row.get("unit") or "").strip()
        label = name or str(number)
        try:
            pk = _id(row.get("id"))
        except ValueError:
            pk = None
            _add(errors, "kpis", _("KPI “%(kpi)s” is not valid.") % {"kpi": label})
        if not name or not unit:
            _add(
                errors,
                "kpis",
                _("KPI %(n)d: give its name and unit of measure.") % {"n": number},
            )
            continue
        if len(name) > 200 or len(unit) > 50:
            _add(errors, "kpis", _("KPI “%(kpi)s”: the name or unit is too long.") % {"kpi": name})
        if name.casefold() in names:
            _add(errors, "kpis", _("KPI “%(kpi)s” is listed twice.") % {"kpi": name})
        names.add(name.casefold())
        numbers = {}
        for key, message in (
            ("baseline", _("KPI “%(kpi)s”: the baseline must be a number.")),
            ("target", _("KPI “%(kpi)s”: the target must be a number.")),
        ):
            try:
                numbers[key] = to_decimal(row.get(key))
            except ValueError:
                _add(errors, "kpis", message % {"kpi": name})
        direction = row.get("direction") or Direction.HIGHER
        if direction not in Direction.values:
            _add(errors, "kpis", _("KPI “%(kpi)s”: choose a valid direction.") % {"kpi": name})
        if len(numbers) < 2:
            continue
        if numbers["baseline"] == numbers["target"]:
            _add(
                errors,
                "kpis",
                _("KPI “%(kpi)s”: the target must differ from the baseline.") % {"kpi": name},
            )
        elif (direction == Direction.HIGHER) != (numbers["target"] > numbers["baseline"]):
            _add(
                errors,
                "kpis",
                _("KPI “%(kpi)s”: the target does not improve on the baseline in its direction.")
                % {"kpi": name},
            )
        clean.append({"id": pk, "name": name, "unit": unit, "direction": direction, **numbers})
    return clean


def _clean_monitors(value, errors, home_unit) -> list:
    """Inspectors of the home unit or of one of its ancestors (lifecycle.md: inspectors monitor
    the pilots of their unit's subtree)."""
    rows = _rows(value, "monitors", errors)
    ids = set()
    for row in rows:
        pk = getattr(row, "pk", row)
        try:
            ids.add(int(pk))
        except (TypeError, ValueError):
            _add(errors, "monitors", _("Choose inspectors from the list."))
    if not ids:
        return []
    eligible = set(
        Membership.objects.filter(
            user_id__in=ids,
            role=Role.INSPECTOR,
            unit__path__in=home_unit.ancestor_paths(include_self=True),
        ).values_list("user_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    for pk in sorted(ids - eligible):
        user = users.get(pk)
        _add(
            errors,
            "monitors",
            _("%(name)s is not an inspector of the home unit or of a unit above it.")
            % {"name": user.get_full_name() if user else pk},
        )
    return [users[pk] for pk in sorted(eligible)]


def eligible_monitors(home_unit):
    """Inspectors of the home unit and of its ancestors, for the plan form."""
    return (
        User.objects.filter(
            memberships__role=Role.INSPECTOR,
            memberships__unit__path__in=home_unit.ancestor_paths(include_self=True),
        )
        .distinct()
        .order_by("full_name", "username")
    )


# --- canonical content ----------------------------------------------------------------------


def monitor_grants(plan):
    return PlanMonitor.objects.filter(
        content_object=plan, permission__codename=MONITOR_PERMISSION
    ).select_related("user")


def kpi_content(kpi) -> dict:
    return {
        "id": kpi.id,
        "name": kpi.name,
        "unit": kpi.unit,
        "baseline": decimal_text(kpi.baseline),
        "target": decimal_text(kpi.target),
        "direction": kpi.direction,
    }


def milestone_content(milestone) -> dict:
    return {
        "id": milestone.id,
        "name": milestone.name,
        "due_date": milestone.due_date.isoformat(),
    }


def plan_snapshot(plan) -> dict:
    """Everything a plan version freezes."""
    monitors = sorted(
        (
            {"username": g.user.username, "name": g.user.get_full_name()}
            for g in monitor_grants(plan)
        ),
        key=lambda m: m["username"],
    )
    own = plan_own_fields(plan)
    return {  # in the order versions were always frozen in
        "proposal": plan.proposal.code,
        "start_date": own["start_date"],
        "end_date": own["end_date"],
        "reporting_cadence": own["reporting_cadence"],
        "milestones": [milestone_content(m) for m in plan.milestones.order_by("due_date", "pk")],
        "kpis": [
            kpi_content(k) for k in plan.kpis.filter(retired=False).order_by("position", "pk")
        ],
        "resources": own["resources"],
        "monitors": monitors,
        "risk_declaration": own["risk_declaration"],
    }


def plan_own_fields(plan) -> dict:
    """The part of a plan version that the plan's own row holds (dates, cadence, budget and
    resources, risk declaration), as a version freezes it: no other row is read."""
    return {
        "start_date": plan.start_date.isoformat() if plan.start_date else None,
        "end_date": plan.end_date.isoformat() if plan.end_date else None,
        "reporting_cadence": plan.reporting_cadence,
        "resources": {
            "budget_amount": plan.budget_amount,
            "budget_details": plan.budget_details,
            "people": plan.people,
            "equipment": plan.equipment,
        },
        "risk_declaration": plan.risk_declaration,
    }


def plan_hash(content: dict) -> str:
    return sha256(canonical_json(content))


def as_json(clean: dict) -> dict:
    """Cleaned plan fields in the JSON form of the canonical content (for adjustments)."""
    out = {}
    for name, value in clean.items():
        if name in ("start_date", "end_date"):
            out[name] = value.isoformat() if value else None
        elif name == "milestones":
            out[name] = [
                {"id": m["id"], "name": m["name"], "due_date": m["due_date"].isoformat()}
                for m in value
            ]
        elif name == "kpis":
            out[name] = [
                {
                    "id": k["id"],
                    "name": k["name"],
                    "unit": k["unit"],
                    "baseline": decimal_text(k["baseline"]),
                    "target": decimal_text(k["target"]),
                    "direction": k["direction"],
                }
                for k in value
            ]
        elif name == "monitors":
            out[name] = sorted(u.username for u in value)
        else:
            out[name] = value
    return out


def current_json(content: dict, name: str):
    """The value of field `name` in a snapshot, in the form of `as_json`."""
    if name in RESOURCE_FIELDS:
        return content["resources"][name]
    return content[name]


# The parts of the plan that plan_errors() names, as the page shows them.
PLAN_PARTS = {
    "plan": gettext_lazy("Implementation plan"),
    "start_date": gettext_lazy("Start date"),
    "end_date": gettext_lazy("End date"),
    "budget_amount": gettext_lazy("Budget (VND)"),
    "people": gettext_lazy("People"),
    "equipment": gettext_lazy("Equipment and facilities"),
    "risk_declaration": gettext_lazy("Risk declaration"),
    "milestones": gettext_lazy("Milestones"),
    "kpis": gettext_lazy("KPIs"),
    "monitors": gettext_lazy("Monitors"),
    "cosignature": gettext_lazy("Co-signature"),
}


def plan_errors(plan, *, for_start: bool) -> dict:
    """What is missing before the co-signature (and, with for_start, before the start)."""
    errors: dict = {}
    if plan is None:
        return {"plan": [_("Prepare the implementation plan first.")]}
    required = _("This part of the plan is required.")
    for name in ("start_date", "end_date", "people", "equipment", "risk_declaration"):
        if not getattr(plan, name):
            _add(errors, name, required)
    if plan.budget_amount is None:
        _add(errors, "budget_amount", required)
    if not plan.milestones.exists():
        _add(errors, "milestones", _("Add at least one milestone."))
    if not plan.kpis.filter(retired=False).exists():
        _add(errors, "kpis", _("Add at least one KPI with its baseline and target."))
    if not monitor_grants(plan).exists():
        _add(errors, "monitors", _("Assign at least one inspector to monitor the work."))
    if for_start:
        if not plan.is_cosigned:
            _add(
                errors,
                "cosignature",
                _(
                    "The approving head must co-sign the risk declaration of the current "
                    "version of the plan."
                ),
            )
        if plan.end_date and plan.end_date < timezone.localdate():
            _add(errors, "end_date", _("The plan's end date has passed: revise the plan."))
    return errors


# --- reporting schedule ---------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    year, month = divmod(day.month - 1 + months, 12)
    year, month = day.year + year, month + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compute_schedule(start, end, cadence) -> list[dict]:
    """The progress-report periods between start and end, each due REPORT_DUE_WORKING_DAYS
    working days after it ends; the last one stops at the end date."""
    if not start or not end:
        return []
    months = CADENCE_MONTHS[Cadence(cadence)]
    periods = []
    number, period_start = 1, start
    while period_start <= end:
        period_end = min(_add_months(start, number * months) - timedelta(days=1), end)
        periods.append(
            {
                "period": number,
                "start": period_start.isoformat(),
                "end": period_end.isoformat(),
                "due": deadline_from(period_end, REPORT_DUE_WORKING_DAYS).isoformat(),
            }
        )
        number += 1
        period_start = period_end + timedelta(days=1)
    return periods


def next_unfiled(schedule, filed: set[int]) -> dict | None:
    for period in schedule:
        if period["period"] not in filed:
            return period
    return None


# --- KPI values -----------------------------------------------------------------------------


def kpi_value_problem(kpi, value):
    """Why a reported value cannot be a value of this KPI, or None. A KPI whose baseline and target
    are both zero or more (a time, a count, a rate) has no negative value; a percentage whose
    baseline and target lie between 0 and 100 (a share, "tỷ lệ") has none above 100. A KPI the plan
    set otherwise (a change that may be negative, a growth past 100 %) takes any number."""
    if value < 0 <= kpi.baseline and kpi.target >= 0:
        return _("“%(kpi)s” cannot be negative (its baseline and target are not).") % {
            "kpi": kpi.name
        }
    share = kpi.unit.strip() == "%" and 0 <= kpi.baseline <= 100 and 0 <= kpi.target <= 100
    if share and value > 100:
        return _("“%(kpi)s” is a percentage: at most 100.") % {"kpi": kpi.name}
    return None


def clean_kpi_values(kpis, kpi_values, errors, *, require_all: bool) -> dict:
    """{Kpi: Decimal} from [{"kpi": id or name, "value": x}, …] or {id or name: x}. A value for a
    KPI that is not in the plan is refused with a message naming the plan's KPIs."""
    by_id = {k.pk: k for k in kpis}
    by_name = {k.name.casefold(): k for k in kpis}
    if kpi_values is None or kpi_values == "":
        kpi_values = []
    if isinstance(kpi_values, dict):
        pairs = list(kpi_values.items())
    elif isinstance(kpi_values, list | tuple):
        pairs = []
        for row in kpi_values:
            if not isinstance(row, dict) or "kpi" not in row:
                _add(errors, "kpi_values", _("Each value names its KPI and gives a value."))
                return {}
            pairs.append((row["kpi"], row.get("value")))
    else:
        _add(errors, "kpi_values", _("Give the KPI values as a list."))
        return {}
    values: dict = {}
    names = ", ".join(f"“{k.name}”" for k in kpis) or _("none")
    for key, raw in pairs:
        kpi = None
        if isinstance(key, int) or (isinstance(key, str) and key.strip().isdigit()):
            kpi = by_id.get(int(key))
        if kpi is None and isinstance(key, str):
            kpi = by_name.get(key.strip().casefold())
        if kpi is None:
            _add(
                errors,
                "kpi_values",
                _("“%(kpi)s” is not a KPI of this plan. The plan's KPIs are: %(names)s.")
                % {"kpi": key, "names": names},
            )
            continue
        if kpi in values:
            _add(errors, "kpi_values", _("“%(kpi)s” is given twice.") % {"kpi": kpi.name})
            continue
        try:
            value = to_decimal(raw)
        except ValueError:
            _add(
                errors,
                "kpi_values",
                _("The value for “%(kpi)s” must be a number.") % {"kpi": kpi.name},
            )
            continue
        problem = kpi_value_problem(kpi, value)
        if problem:
            _add(errors, "kpi_values", problem)
            continue
        values[kpi] = value
    if require_all and not errors.get("kpi_values"):
        missing = [k.name for k in kpis if k not in values]
        if missing:
            _add(
                errors,
                "kpi_values",
                _("Give the final value of every KPI. Missing: %(names)s.")
                % {"names": ", ".join(f"“{n}”" for n in missing)},
            )
    return values


def values_payload(values: dict) -> list[dict]:
    return [
        {"kpi": kpi.pk, "name": kpi.name, "unit": kpi.unit, "value": decimal_text(value)}
        for kpi, value in sorted(values.items(), key=lambda kv: (kv[0].position, kv[0].pk))
    ]
