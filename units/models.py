from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from kl14.choices import ChoiceLabels


class Role(models.TextChoices):
    CADRE = "cadre", _("Cadre")
    DEPUTY = "deputy", _("Deputy head")
    HEAD = "head", _("Head")
    PARTY_COMMITTEE = "party_committee", _("Party committee")
    STANDING_COMMITTEE = "standing_committee", _("Standing committee of the Party committee")
    INSPECTOR = "inspector", _("Inspector")
    ORGANIZATION_BOARD = "organization_board", _("Organization board")
    ADMIN = "admin", _("Administrator")


# Roles whose reach is the unit's whole subtree (lifecycle.md, "Organisation"). The standing
# committee decides recognition and replication for the whole subtree (Amendments 2026-11-29).
SUBTREE_ROLES = (Role.INSPECTOR, Role.ORGANIZATION_BOARD, Role.STANDING_COMMITTEE, Role.ADMIN)
LEADERSHIP_ROLES = (Role.HEAD, Role.DEPUTY)


class Unit(ChoiceLabels, MP_Node):
    """An organisation unit. The tree is a materialised path (django-treebeard):
    ancestors and descendants are one query each, whatever the depth."""

    class Kind(models.TextChoices):
        PARTY_COMMITTEE = "party_committee", _("Party committee")
        # The bodies a Party committee sets up beside it (Ban Tổ chức, Ban Tuyên giáo và Dân
        # vận, Văn phòng…) and the inspection commission it elects: Party bodies, not state ones.
        PARTY_ADVISORY = "party_advisory", _("Advisory and support body of a Party committee")
        PARTY_INSPECTION = "party_inspection", _("Inspection commission of a Party committee")
        STATE_AGENCY = "state_agency", _("State agency")
        PUBLIC_SERVICE = "public_service", _("Public service unit")
        ENTERPRISE = "enterprise", _("Enterprise")
        OTHER = "other", _("Other")

    code = models.CharField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, default=Kind.OTHER)

    node_order_by = ["code"]

    class Meta:
        verbose_name = _("unit")
        verbose_name_plural = _("units")
        ordering = ["path"]
        indexes = [
            # The roots, found without reading the tree (units.selectors.outside_tree).
            models.Index(fields=["path"], condition=models.Q(depth=1), name="unit_root"),
            # A level of a subtree (a unit's children on the dashboard and the period form):
            # 34 provinces under the root found among 50,000 units without reading them all.
            models.Index(fields=["depth", "path"], name="unit_depth"),
        ]

    def __str__(self):
        return self.name

    @property
    def parent_path(self) -> str:
        return self.path[: -self.steplen]

    def ancestor_paths(self, include_self: bool = True) -> list[str]:
        """Paths of the ancestors, computed from the path itself: no query."""
        last = self.depth if include_self else self.depth - 1
        return [self.path[: self.steplen * level] for level in range(1, last + 1)]


# The kinds of unit that are Party bodies: they issue documents in the Party's format.
PARTY_KINDS = (Unit.Kind.PARTY_COMMITTEE, Unit.Kind.PARTY_ADVISORY, Unit.Kind.PARTY_INSPECTION)
# Party bodies that decide as a collective and sign for it (T/M); an advisory body's head signs
# in their own name.
COLLECTIVE_PARTY_KINDS = (Unit.Kind.PARTY_COMMITTEE, Unit.Kind.PARTY_INSPECTION)


class Membership(ChoiceLabels, models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("position"), max_length=150, blank=True)
    # blank: left empty in a form, the services take today.
    started_on = models.DateField(_("since"), default=timezone.localdate, blank=True)

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit__path", "role"]
        constraints = [
            models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership"),
        ]
        indexes = [models.Index(fields=["unit", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit}"


class PastMembership(models.Model):
    """A membership that ended (a move, a retirement, a change of post): the history of who held
    which role where. Active memberships stay in Membership alone, so every role check reads only
    what holds now; nothing here grants anything."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="past_memberships",
        verbose_name=_("user"),
    )
    unit = models.ForeignKey(
        Unit, on_delete=models.CASCADE, related_name="past_memberships", verbose_name=_("unit")
    )
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    title = models.CharField(_("position"), max_length=150, blank=True)
    started_on = models.DateField(_("since"))
    ended_on = models.DateField(_("until"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("ended by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("past membership")
        verbose_name_plural = _("past memberships")
        ordering = ["-ended_on", "unit__path", "role"]
        indexes = [models.Index(fields=["user", "unit", "role"])]

    def __str__(self):
        return f"{self.user} — {self.get_role_display()} — {self.unit} ({self.ended_on})"
