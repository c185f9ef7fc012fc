from html import escape

from django import template
from django.conf import settings
from django.utils import numberformat
from django.utils.formats import date_format, get_format
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from proposals.models import State
from reviews.models import Decision, Outcome

register = template.Library()

STATE_STYLES = {
    State.SUCCEEDED: "success",
    State.REPLICATED: "success",
    State.INSTITUTIONALIZED: "success",
    State.LIABILITY_EXCLUDED: "info",
    State.EXEMPTED: "info",
    State.REDUCED: "warning",
    State.HELD_RESPONSIBLE: "danger",
    State.REFERRED: "danger",
    State.ABUSE_REVIEW: "danger",
    State.RESPONSIBILITY_REVIEW: "warning",
    State.RESPONSIBILITY_DECIDED: "info",
    State.EVALUATING: "primary",
}
OUTCOME_STYLES = {
    Outcome.ACHIEVED: "success",
    Outcome.PARTIAL: "warning",
    Outcome.NOT_ACHIEVED: "secondary",
    Outcome.DAMAGE: "danger",
}
DECISION_STYLES = {
    Decision.LIABILITY_EXCLUDED: "info",
    Decision.EXEMPTED: "info",
    Decision.REDUCED: "warning",
    Decision.HELD_RESPONSIBLE: "danger",
}


@register.simple_tag
def review_state(state):
    label = State(state).label if state in State.values else state
    style = STATE_STYLES.get(state, "secondary")
    text = " text-dark" if style in ("warning", "info") else ""
    return format_html('<span class="badge text-bg-{}{}">{}</span>', style, text, label)


@register.simple_tag
def outcome_badge(evaluation):
    if not evaluation:  # None, or "" when the template could not resolve it
        return ""
    style = OUTCOME_STYLES.get(evaluation.outcome, "secondary")
    text = " text-dark" if style == "warning" else ""
    return format_html(
        '<span class="badge text-bg-{}{}">{}</span>', style, text, evaluation.get_outcome_display()
    )


@register.simple_tag
def decision_badge(decision):
    if not decision:
        return ""
    style = DECISION_STYLES.get(decision.decision, "secondary")
    text = " text-dark" if style in ("warning", "info") else ""
    return format_html(
        '<span class="badge text-bg-{}{}">{}</span>', style, text, decision.get_decision_display()
    )


@register.simple_tag
def due_badge(due, today=None):
    """A due date, flagged once it has passed."""
    if not due:
        return ""
    from django.utils import timezone

    today = today or timezone.localdate()
    when = format_html(
        '<time datetime="{}">{}</time>', due.isoformat(), date_format(due, "SHORT_DATE_FORMAT")
    )
    if due < today:
        return format_html('{} <span class="badge text-bg-danger">{}</span>', when, _("Overdue"))
    return when


@register.filter
def state_label(state):
    return State(state).label if state in State.values else state


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


def _integer_format():
    """A function writing an integer as `{{ n }}` writes it in the active language, with the
    language's number format looked up once (django.utils.formats.number_format looks it up for
    every number)."""
    language = get_language()
    decimal, grouping, thousands = (
        get_format(name, language)
        for name in ("DECIMAL_SEPARATOR", "NUMBER_GROUPING", "THOUSAND_SEPARATOR")
    )
    if not (settings.USE_THOUSAND_SEPARATOR and grouping):
        return str  # what numberformat.format does with an integer then
    return lambda n: str(numberformat.format(n, decimal, None, grouping, thousands))


@register.simple_tag
def count_cells(counts, zero=""):
    """One right-aligned table cell per count, written (localized, escaped) as `{{ n }}` would
    write it, a zero as `zero`: the dashboard's tables, hundreds of cells."""
    number = _integer_format()
    cells = (escape(number(n)) if n else zero for n in counts)
    return mark_safe("".join(f'<td class="text-end">{cell}</td>' for cell in cells))  # noqa: S308
