"""The registry of proposal transitions: one entry per transition of lifecycle.md, naming its
service, its inputs (a DRF serializer, also used to build the HTML form and the OpenAPI schema) and
who may fire it. The API's `/transitions/` endpoints and the buttons on the proposal page read it;
the pilots and reviews apps register their own transitions the same way."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from rest_framework import serializers

from . import permissions as perms
from . import services
from .models import Mode


@dataclass(frozen=True)
class TransitionSpec:
    name: str
    label: str
    service: Callable
    may_fire: Callable  # (user, proposal) -> bool: the role check, whatever the state
    serializer: type[serializers.Serializer] | None = None
    style: str = "primary"
    confirm: str = ""
    form_class: type[forms.Form] | None = field(default=None)
    # Offered only where it can succeed at all (e.g. escalate needs a superior unit); firing it
    # anyway still answers with the service's own error.
    possible: Callable | None = None  # (proposal) -> bool

    def inputs(self) -> dict:
        return dict(self.serializer().fields) if self.serializer else {}

    def form(self, *args, **kwargs) -> forms.Form:
        form_class = self.form_class or form_from_serializer(self.serializer, self.name)
        return form_class(*args, **kwargs)

    def describe_fields(self) -> list[dict]:
        described = []
        for name, f in self.inputs().items():
            item = {
                "name": name,
                "type": _field_type(f),
                "required": f.required,
                "label": str(f.label or name),
            }
            if isinstance(f, serializers.ChoiceField):
                item["choices"] = [{"value": k, "label": str(v)} for k, v in f.choices.items()]
            described.append(item)
        return described


_registry: dict[str, TransitionSpec] = {}


def register(spec: TransitionSpec) -> None:
    _registry[spec.name] = spec


def get(name: str) -> TransitionSpec | None:
    return _registry.get(name)


def all_specs() -> list[TransitionSpec]:
    return list(_registry.values())


def available(user, proposal) -> list[TransitionSpec]:
    """The transitions this user may fire now: the role allows it and the state admits it."""
    return [
        spec
        for spec in _registry.values()
        if can_proceed(getattr(proposal, spec.name))
        and spec.may_fire(user, proposal)
        and (spec.possible is None or spec.possible(proposal))
    ]


def _field_type(f) -> str:
    if isinstance(f, serializers.ChoiceField):
        return "choice"
    if isinstance(f, serializers.BooleanField):
        return "boolean"
    if isinstance(f, serializers.DateField):
        return "date"
    if isinstance(f, serializers.DecimalField):
        return "decimal"
    if isinstance(f, serializers.ListField):
        return "list"
    if isinstance(f, serializers.DictField | serializers.JSONField):
        return "object"
    return "text"


def form_from_serializer(serializer_class, name) -> type[forms.Form]:
    """A plain Django form with the serializer's fields, for the HTML decision forms."""
    attrs = {}
    if serializer_class is not None:
        for fname, f in serializer_class().fields.items():
            common = {"required": f.required, "label": f.label, "help_text": f.help_text or ""}
            if isinstance(f, serializers.ChoiceField):
                attrs[fname] = forms.ChoiceField(choices=list(f.choices.items()), **common)
            elif isinstance(f, serializers.BooleanField):
                attrs[fname] = forms.BooleanField(**{**common, "required": False})
            elif isinstance(f, serializers.DateField):
                attrs[fname] = forms.DateField(
                    widget=forms.DateInput(attrs={"type": "date"}), **common
                )
            elif isinstance(f, serializers.DecimalField):
                attrs[fname] = forms.DecimalField(**common)
            else:
                attrs[fname] = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 3}), max_length=5000, **common
                )
    return type(f"{name.title().replace('_', '')}Form", (forms.Form,), attrs)


# --- the decision stage ------------------------------------------------------------------------


class ReasonInput(serializers.Serializer):
    reason = serializers.CharField(label=_("Reason"), max_length=5000)


class CommentInput(serializers.Serializer):
    comment = serializers.CharField(
        label=_("What should be revised"),
        max_length=5000,
        help_text=_("The authors see this comment and can resubmit a revised version."),
    )


class ApproveInput(serializers.Serializer):
    mode = serializers.ChoiceField(label=_("Approve for"), choices=Mode.choices)
    override_reason = serializers.CharField(
        label=_("Reasons for approving although the vote did not pass"),
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_(
            "Only when the vote has not passed. The ledger records that you bear personal "
            "responsibility for this decision (Decree 73, Art. 8)."
        ),
    )


class RejectInput(serializers.Serializer):
    reasons = serializers.CharField(label=_("Reasons for not approving"), max_length=5000)


register(
    TransitionSpec(
        "submit",
        _("Submit to the head of the unit"),
        services.proposal_submit,
        perms.TRANSITION_ACTORS["submit"],
        confirm=_("Submit this proposal? The dossier is frozen as a new numbered version."),
    )
)
register(
    TransitionSpec(
        "withdraw",
        _("Withdraw"),
        services.proposal_withdraw,
        perms.TRANSITION_ACTORS["withdraw"],
        ReasonInput,
        style="outline-danger",
    )
)
register(
    TransitionSpec(
        "open_review",
        _("Open the review"),
        services.proposal_open_review,
        perms.TRANSITION_ACTORS["open_review"],
    )
)
register(
    TransitionSpec(
        "return_for_revision",
        _("Return for revision"),
        services.proposal_return_for_revision,
        perms.TRANSITION_ACTORS["return_for_revision"],
        CommentInput,
        style="outline-secondary",
    )
)
register(
    TransitionSpec(
        "escalate",
        _("Escalate to the superior unit"),
        services.proposal_escalate,
        perms.TRANSITION_ACTORS["escalate"],
        ReasonInput,
        style="outline-secondary",
        possible=lambda proposal: proposal.deciding_unit.depth > 1,
    )
)
register(
    TransitionSpec(
        "approve",
        _("Approve"),
        services.proposal_approve,
        perms.TRANSITION_ACTORS["approve"],
        ApproveInput,
        style="success",
    )
)
register(
    TransitionSpec(
        "reject",
        _("Do not approve"),
        services.proposal_reject,
        perms.TRANSITION_ACTORS["reject"],
        RejectInput,
        style="outline-danger",
    )
)
