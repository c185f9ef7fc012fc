"""The registry of proposal transitions: one entry per transition of lifecycle.md, naming its
service, its inputs (a DRF serializer, also used to build the HTML form and the OpenAPI schema) and
who may fire it. The API's `/transitions/` endpoints and the buttons on the proposal page read it;
the pilots and reviews apps register their own transitions the same way.

Beyond who and when, a spec says why an action is not possible yet and what it will do, so the
pages never offer a step that fails after submit:
- `prerequisites(proposal) -> [str]`: what is still missing, each in words that name who provides
  it ("The Party committee of X has not given its opinion yet"). The button is shown disabled with
  these reasons; the service still refuses (400) if fired anyway.
- `preview(proposal) -> [str]`: for an irreversible step, what will happen and what is still open
  (missing reports, open milestones), shown before confirming; `irreversible=True` adds a
  checkbox the person must tick ("I have read this and confirm").
- `shown(proposal) -> bool`: offered as a button at all (e.g. a never-submitted draft is deleted,
  not withdrawn); the API lists the transition regardless.
- `emphasis(proposal) -> style`: the button's style now (e.g. "complete" is primary only once the
  planned end date is reached).
`offers(user, proposal)` gives the buttons of a page, each with its missing prerequisites."""

from collections.abc import Callable
from dataclasses import dataclass, field

from django import forms
from django.utils.translation import gettext_lazy as _
from django_fsm import can_proceed
from rest_framework import serializers

from . import permissions as perms
from . import services
from .forms import field_label
from .models import Mode, State
from .selectors import current_opinion, opinion_disagrees, proposal_tally, regulation_flag

# The checkbox of an irreversible step's form; never passed to the service (see service_inputs).
CONFIRM_FIELD = "confirmed"


def _confirm_field():
    return forms.BooleanField(
        label=_("I have read what this step does and what is still open, and I confirm it."),
        required=True,
        error_messages={"required": _("Tick the box to confirm this step.")},
    )


def service_inputs(cleaned_data) -> dict:
    """A transition form's cleaned data as the service's keyword arguments."""
    return {k: v for k, v in (cleaned_data or {}).items() if k != CONFIRM_FIELD}


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
    prerequisites: Callable | None = None  # (proposal) -> [str]: what is missing, in words
    preview: Callable | None = None  # (proposal) -> [str]: what will happen, what is open
    irreversible: bool = False
    shown: Callable | None = None  # (proposal) -> bool: offered as a button
    emphasis: Callable | None = None  # (proposal) -> str: the button's style now

    def missing(self, proposal) -> list[str]:
        return [str(m) for m in self.prerequisites(proposal)] if self.prerequisites else []

    def consequences(self, proposal) -> list[str]:
        return [str(m) for m in self.preview(proposal)] if self.preview else []

    def style_for(self, proposal) -> str:
        return self.emphasis(proposal) if self.emphasis else self.style

    def inputs(self) -> dict:
        return dict(self.serializer().fields) if self.serializer else {}

    def form(self, *args, **kwargs) -> forms.Form:
        form_class = self.form_class or form_from_serializer(self.serializer, self.name)
        if self.irreversible:
            form_class = type(form_class.__name__, (form_class,), {CONFIRM_FIELD: _confirm_field()})
        return form_class(*args, **kwargs)

    def has_inputs(self) -> bool:
        """Whether its page has a form (inputs, or the confirmation of an irreversible step)."""
        return bool(self.serializer or self.form_class or self.irreversible)

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


@dataclass(frozen=True)
class Offer:
    """An action as a page offers it: enabled, or disabled with what is missing."""

    spec: TransitionSpec
    missing: list
    style: str

    @property
    def ready(self) -> bool:
        return not self.missing

    @property
    def name(self) -> str:
        return self.spec.name

    @property
    def label(self) -> str:
        return self.spec.label


def offers(user, proposal, names=None) -> list[Offer]:
    """The buttons of a page: every transition this user may fire in this state (restricted to
    `names` when given), each with its missing prerequisites; hidden ones (`shown`) left out."""
    return [
        Offer(spec, spec.missing(proposal), spec.style_for(proposal))
        for spec in available(user, proposal)
        if (names is None or spec.name in names) and (spec.shown is None or spec.shown(proposal))
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
    if isinstance(f, serializers.FileField):
        return "file"
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
            elif isinstance(f, serializers.FileField):
                attrs[fname] = forms.FileField(**common)
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


ASSESSMENT_CHOICES = [("met", _("Met")), ("not_met", _("Not met"))]


ASSESSMENT_REQUIRED = _(
    "Record the collective's assessment of this condition (Decree 73, Art. 5(1))."
)


def _assessment(label):
    """Required: the collective assesses every condition at the decision (issue 11, point 7)."""
    return serializers.ChoiceField(
        label=label,
        choices=ASSESSMENT_CHOICES,
        help_text=_("The collective's assessment of this condition (Decree 73, Art. 5(1))."),
        error_messages={
            "required": ASSESSMENT_REQUIRED,
            "null": ASSESSMENT_REQUIRED,
            "blank": ASSESSMENT_REQUIRED,
        },
    )


class ApproveInput(serializers.Serializer):
    mode = serializers.ChoiceField(label=_("Approve for"), choices=Mode.choices)
    override_reason = serializers.CharField(
        label=_("The head's written reasons for approving"),
        required=False,
        allow_blank=True,
        max_length=5000,
        help_text=_(
            "Needed when the vote has not passed (the ledger records that you bear personal "
            "responsibility, Decree 73, Art. 8) and when the Party committee disagreed."
        ),
    )
    assessment_bottleneck = _assessment(_("Removes a bottleneck in a mechanism or policy"))
    assessment_common_good = _assessment(_("Serves the common good"))
    assessment_urgent_need = _assessment(_("Meets an urgent practical need without harm"))
    assessment_reform = _assessment(
        _("Promotes decentralisation, reform or digital transformation")
    )


class ApproveForm(form_from_serializer(ApproveInput, "approve")):
    """The approve form: an assessment starts empty ("not assessed"), never pre-set to "met", and
    must be chosen for each condition."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in services.ASSESSMENT_INPUTS:
            self.fields[name].choices = [("", _("— Not assessed —")), *ASSESSMENT_CHOICES]
            self.fields[name].error_messages["required"] = ASSESSMENT_REQUIRED


class RejectInput(serializers.Serializer):
    reasons = serializers.CharField(label=_("Reasons for not approving"), max_length=5000)


def _submit_missing(proposal) -> list[str]:
    missing = services.submission_errors(proposal)
    if not missing:
        return []
    names = ", ".join(field_label(name) for name in missing)
    return [
        _("The dossier is not complete yet: %(parts)s. Edit the dossier first.") % {"parts": names}
    ]


def _opinion_missing(proposal) -> list[str]:
    if current_opinion(proposal) is not None:
        return []
    unit = proposal.deciding_unit.name if proposal.deciding_unit_id else ""
    return [
        _(
            "The Party committee of %(unit)s has not given its opinion yet: the decision waits "
            "for it (Decree 73, Art. 4)."
        )
        % {"unit": unit}
    ]


def _reject_missing(proposal) -> list[str]:
    if proposal_tally(proposal).passed:
        return [_("The collective voted in favour: the proposal can only be approved or returned.")]
    return []


def _approve_preview(proposal) -> list[str]:
    lines = []
    if proposal_tally(proposal).passed:
        lines.append(_("The vote of the leadership collective has passed."))
    else:
        lines.append(
            _(
                "The vote has not passed: approving anyway needs your written reasons, and you "
                "bear personal responsibility for it."
            )
        )
    if opinion_disagrees(proposal):
        lines.append(
            _(
                "The Party committee disagreed: approving anyway needs your written reasons, "
                "recorded with the decision."
            )
        )
    flag = regulation_flag(proposal)
    if flag:
        lines.append(flag)
    return lines


register(
    TransitionSpec(
        "submit",
        _("Submit to the head of the unit"),
        services.proposal_submit,
        perms.TRANSITION_ACTORS["submit"],
        confirm=_("Submit this proposal? The dossier is frozen as a new numbered version."),
        prerequisites=_submit_missing,
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
        irreversible=True,
        preview=lambda proposal: [
            _(
                "The proposal is withdrawn for good: nothing more happens to it, and it cannot be "
                "submitted again."
            )
        ],
        # A draft that was never submitted is deleted, not withdrawn.
        shown=lambda proposal: not (proposal.state == State.DRAFT and not proposal.version),
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
        form_class=ApproveForm,
        prerequisites=_opinion_missing,
        preview=_approve_preview,
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
        prerequisites=_reject_missing,
    )
)
