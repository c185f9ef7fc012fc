"""Small pieces of the proposal pages: state badges, due dates with the overdue flag, labels."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ..models import AuthorPost, Mode, Opinion, ProposalAuthor, Vote
from ..selectors import is_overdue
from ..views.presenters import STATE_STYLES, state_label

register = template.Library()


@register.simple_tag
def state_badge(state):
    return format_html(
        '<span class="badge text-bg-{}">{}</span>',
        STATE_STYLES.get(state, "secondary"),
        state_label(state),
    )


@register.simple_tag
def due_date(proposal, today=None):
    """The decision due date, flagged when it has passed."""
    return due_on(proposal.decision_due, today, overdue=is_overdue(proposal, today))


@register.simple_tag
def due_on(day, today=None, overdue=None):
    """A due date, flagged when it has passed (`overdue`: the caller's own judgement)."""
    if not day:
        return format_html('<span class="text-body-secondary">{}</span>', "—")
    when = format_html(
        '<time datetime="{}">{}</time>', day.isoformat(), date_format(day, "SHORT_DATE_FORMAT")
    )
    if overdue is None:
        overdue = day < (today or timezone.localdate())
    if overdue:
        return format_html('{} <span class="badge text-bg-danger">{}</span>', when, _("Overdue"))
    return when


def _label(choices, value):
    try:
        return choices(value).label
    except ValueError:
        return value or ""


@register.filter
def vote_label(value):
    return _label(Vote.Choice, value)


@register.filter
def stance_label(value):
    return _label(Opinion.Stance, value)


@register.filter
def mode_label(value):
    return _label(Mode, value)


@register.filter
def short_hash(value, length=12):
    return (value or "")[: int(length)]


@register.filter
def post_note(authorship):
    """What an author may expect, by post (Decree 73, Art. 2): protection is considered for a
    leadership or management post, encouragement for the others — always "if they qualify"."""
    if authorship.post == AuthorPost.LEADERSHIP:
        return _(
            "considered for protection under Conclusion 14-KL/TW and Decree 73/2023/NĐ-CP if "
            "they qualify"
        )
    if authorship.post == AuthorPost.STAFF:
        return _("encouraged under Conclusion 14-KL/TW and Decree 73/2023/NĐ-CP if they qualify")
    return _("post not declared")


@register.filter
def author_post(user, proposal):
    """The post of `user` as an author of `proposal` (its label), or ""."""
    authorship = ProposalAuthor.objects.filter(proposal=proposal, user=user).first()
    return authorship.get_post_display() if authorship and authorship.post else ""
