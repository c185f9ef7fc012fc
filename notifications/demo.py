"""Demo: reminders for the demo proposals, and the last quarter's periodic reviews.

`seed_demo` runs the apps' demo modules in INSTALLED_APPS order inside one transaction, and this
app comes before `proposals`. So instead of sweeping now, `seed` asks for a sweep once that
transaction commits: by then every app's demo data is in the database, exactly as the beat task
would find it. A second seed sends nothing new (the sweep is exactly-once)."""

from contextlib import suppress

from django.db import transaction
from django.utils import timezone

from units.models import Membership, Role
from workdays.calendar import add_working_days, is_working_day

from .models import NotificationPreference
from .services import SweepError, periodic_reviews_send, preference_set, reminders_sweep


def working_day_for_demo():
    """Today, or on a weekend or holiday the last working day, so the demo always shows some."""
    today = timezone.localdate()
    return today if is_working_day(today) else add_working_days(today, -1)


def run_after_seed():
    day = working_day_for_demo()
    # A failing kind is logged with its traceback; the other kinds' reminders went out.
    with suppress(SweepError):
        reminders_sweep(today=day)
    periodic_reviews_send(today=day)


def seed(context: dict) -> None:
    # The organization boards read theirs in the evening digest; everyone else by immediate e-mail.
    boards = Membership.objects.filter(role=Role.ORGANIZATION_BOARD).select_related("user")
    for membership in boards:
        preference_set(user=membership.user, email=NotificationPreference.Email.DIGEST)
    transaction.on_commit(run_after_seed)
