from django.db import models
from django.utils.translation import gettext_lazy as _


class CalendarException(models.Model):
    """A date on which the official calendar departs from the rule "Monday to Friday, except public
    holidays": a compensatory or extra day off, or a make-up working day (often a Saturday)."""

    class Kind(models.TextChoices):
        DAY_OFF = "day_off", _("Day off")
        WORKING_DAY = "working_day", _("Working day")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    name = models.CharField(
        _("name"), max_length=200, help_text=_("For example: Compensatory day off, National Day.")
    )

    class Meta:
        verbose_name = _("calendar exception")
        verbose_name_plural = _("calendar exceptions")
        ordering = ["date"]

    def __str__(self):
        return f"{self.date:%d/%m/%Y} — {self.name}"
