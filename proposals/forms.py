"""The HTML forms of the proposal pages. They only collect and shape input: every write goes
through proposals.services, whose errors are put back on the form next to their fields."""

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from kl14.errors import DomainError
from kl14.forms import ModelChoicesField
from units.models import Role
from units.roles import user_roles
from units.selectors import units_with_role

from .models import (
    CRITERIA_FIELDS,
    PLAN_FIELDS,
    AuthorPost,
    Field,
    Opinion,
    Proposal,
    RegulationStatus,
    Vote,
)

TEXT_MAX = 20000

# Labels and plain-Vietnamese explanations of the dossier (msgids in English).
GENERAL = {
    "title": (
        _("Title"),
        _(
            "A short name that says what will change, e.g. “Receiving land applications online at "
            "the commune”."
        ),
    ),
    "summary": (
        pgettext_lazy("dossier section", "Summary"),
        _("Two or three sentences: what you propose and why it matters."),
    ),
    "field": (_("Field"), _("The area of work the proposal belongs to.")),
}
# Decree 73, Art. 7(2), in the order of the plan.
PLAN = {
    "bottleneck": (
        _("The bottleneck to remove"),
        _(
            "Which rule, procedure or practice holds the work back today, and how. Name the "
            "document and article if there is one."
        ),
    ),
    "regulation_status": (
        _("Is the matter regulated?"),
        _(
            "Choose whether the matter is not regulated yet, is regulated in a way that no "
            "longer fits practice, or is already regulated and the rule still fits. Decree 73, "
            "Art. 5(1)(a) covers only the first two: a proposal on the third is flagged to the "
            "deciders."
        ),
    ),
    "purpose": (
        _("Necessity, purpose and requirements"),
        _(
            "Why this must change now, what you want to achieve, and what the solution must "
            "satisfy."
        ),
    ),
    "content": (
        _("Content, tasks and solutions"),
        _("What will be done, step by step: the tasks and how each will be solved."),
    ),
    "scope": (
        _("Scope"),
        _("Where and to whom it applies: which units, areas, procedures or people."),
    ),
    "implementers": (
        _("Implementers"),
        _("Who carries it out and who coordinates: the units and persons, and the role of each."),
    ),
    "timeline": (
        _("Timeline"),
        _("When it starts and ends, and the main milestones in between."),
    ),
    "resources": (
        _("Resources"),
        _("What it needs: budget (amount and source), people, equipment, data."),
    ),
    "feasibility": (
        _("Feasibility"),
        _(
            "Why it can be done: the conditions already in place, the legal basis, experience "
            "from elsewhere."
        ),
    ),
    "impact": (
        _("Positive and negative impact"),
        _(
            "What good it brings, what risks or drawbacks it may cause, and how you will limit "
            "them."
        ),
    ),
    "expected_results": (
        _("Expected effectiveness"),
        _(
            "What will be measurably better, with figures if you can (e.g. processing time down "
            "from 30 to 10 days)."
        ),
    ),
}
# Decree 73, Art. 5(1): the four criteria a proposal must meet.
CRITERIA = {
    "criterion_bottleneck": (
        _("It removes a bottleneck in a mechanism or policy"),
        _(
            "The matter is not regulated yet, or the rule no longer fits practice, and the "
            "proposal clears that blockage."
        ),
    ),
    "criterion_common_good": (
        _("It serves the common good"),
        _(
            "It brings practical benefit to the State, the people or the community — not to you "
            "or to a group."
        ),
    ),
    "criterion_urgent_need": (
        _("It meets an urgent practical need without causing harm"),
        _(
            "It arises from a real, pressing need and does not harm national defence, security, "
            "public order or other localities."
        ),
    ),
    "criterion_reform": (
        _("It advances reform"),
        _("It promotes decentralisation, administrative reform or digital transformation."),
    ),
}
DECLARATION = (
    _("I declare that I have no personal interest in this proposal"),
    _(
        "Neither you nor your family gains a personal benefit from it. Using the policy for "
        "self-interest is forbidden (Decree 73, Art. 6)."
    ),
)
SECTION_LABELS = {
    name: label for name, (label, _help) in {**GENERAL, **PLAN, **CRITERIA}.items()
} | {"declaration_no_personal_interest": DECLARATION[0], "home_unit": _("Home unit")}


def field_label(name: str) -> str:
    """The form label of a dossier field, for errors that name a field not on the form."""
    if name in SECTION_LABELS:
        return str(SECTION_LABELS[name])
    try:
        return str(Proposal._meta.get_field(name).verbose_name).capitalize()
    except Exception:
        return name


def apply_errors(form: forms.Form, error: DomainError) -> None:
    """Puts a service error on the form: each message next to its field, the rest on top."""
    if not error.errors:
        form.add_error(None, str(error.message))
        return
    for name, messages in error.errors.items():
        for message in messages if isinstance(messages, list | tuple) else [messages]:
            if name in form.fields:
                form.add_error(name, str(message))
            else:
                # A dossier section is named by its label; any other key ("opinion") is not
                # shown: the message says in words what is wrong.
                label = field_label(name)
                form.add_error(None, f"{label}: {message}" if label != name else str(message))


def _text(label, help_text, rows=4, required=False):
    return forms.CharField(
        label=label,
        help_text=help_text,
        required=required,
        max_length=TEXT_MAX,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


class UserChoiceField(ModelChoicesField):
    def label_from_instance(self, obj):
        return f"{obj.get_full_name()} ({obj.username})"


class ProposalForm(forms.Form):
    """Create (with the home unit) or edit a draft. Nothing is required but the title: a draft
    may be incomplete; completeness is checked when it is submitted."""

    home_unit = forms.ModelChoiceField(
        queryset=None,
        label=_("Home unit"),
        help_text=_(
            "The unit you work in. Its head decides on the proposal (or the superior "
            "unit's head, when you head this unit)."
        ),
        empty_label=None,
    )
    title = forms.CharField(
        label=GENERAL["title"][0], help_text=GENERAL["title"][1], max_length=300
    )
    summary = _text(*GENERAL["summary"], rows=3)
    field = forms.ChoiceField(
        label=GENERAL["field"][0], help_text=GENERAL["field"][1], choices=Field.choices
    )
    co_authors = UserChoiceField(
        queryset=None,
        required=False,
        label=_("Co-authors"),
        help_text=_(
            "Colleagues who write the proposal with you. They can edit and submit it and, "
            "like you, may be encouraged and protected under Conclusion 14-KL/TW and "
            "Decree 73/2023/NĐ-CP if they qualify."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    leadership_authors = UserChoiceField(
        queryset=None,
        required=False,
        label=_("Authors who hold a leadership or management post"),
        help_text=_(
            "Tick yourself and each co-author who holds a leadership or management post. Decree "
            "73/2023/NĐ-CP, Art. 2: they are considered for protection; the other authors are "
            "encouraged, if they qualify."
        ),
        widget=forms.CheckboxSelectMultiple,
    )
    bottleneck = _text(*PLAN["bottleneck"])
    regulation_status = forms.ChoiceField(
        label=PLAN["regulation_status"][0],
        help_text=PLAN["regulation_status"][1],
        choices=RegulationStatus.choices,
        required=False,
        widget=forms.RadioSelect,
    )
    purpose = _text(*PLAN["purpose"])
    content = _text(*PLAN["content"], rows=6)
    scope = _text(*PLAN["scope"], rows=3)
    implementers = _text(*PLAN["implementers"], rows=3)
    timeline = _text(*PLAN["timeline"], rows=3)
    resources = _text(*PLAN["resources"], rows=3)
    feasibility = _text(*PLAN["feasibility"])
    impact = _text(*PLAN["impact"])
    expected_results = _text(*PLAN["expected_results"])
    criterion_bottleneck = forms.BooleanField(
        required=False,
        label=CRITERIA["criterion_bottleneck"][0],
        help_text=CRITERIA["criterion_bottleneck"][1],
    )
    criterion_common_good = forms.BooleanField(
        required=False,
        label=CRITERIA["criterion_common_good"][0],
        help_text=CRITERIA["criterion_common_good"][1],
    )
    criterion_urgent_need = forms.BooleanField(
        required=False,
        label=CRITERIA["criterion_urgent_need"][0],
        help_text=CRITERIA["criterion_urgent_need"][1],
    )
    criterion_reform = forms.BooleanField(
        required=False,
        label=CRITERIA["criterion_reform"][0],
        help_text=CRITERIA["criterion_reform"][1],
    )
    declaration_no_personal_interest = forms.BooleanField(
        required=False, label=DECLARATION[0], help_text=DECLARATION[1]
    )

    def __init__(self, *args, user, proposal=None, **kwargs):
        self.user = user
        self.proposal = proposal
        if proposal is not None:
            kwargs.setdefault("initial", self.initial_from(proposal, user))
        super().__init__(*args, **kwargs)
        if proposal is None:
            self.fields["home_unit"].queryset = units_with_role(user).order_by("path")
        else:
            del self.fields["home_unit"]
        self.fields["co_authors"].queryset = self._colleagues()
        self.fields["leadership_authors"].queryset = self._possible_authors()
        if proposal is None and user_roles(user).unit_ids(Role.HEAD, Role.DEPUTY):
            self.initial.setdefault("leadership_authors", [user.pk])

    @staticmethod
    def initial_from(proposal, user) -> dict:
        initial = {name: getattr(proposal, name) for name in SECTION_LABELS if name != "home_unit"}
        initial["co_authors"] = [
            a.user_id
            for a in proposal.authorships.all()
            if a.user_id not in (proposal.created_by_id, user.pk)
        ]
        initial["leadership_authors"] = [
            a.user_id for a in proposal.authorships.all() if a.post == AuthorPost.LEADERSHIP
        ]
        return initial

    def _possible_authors(self):
        """Anyone who may be an author here: the colleagues, the user and the creator."""
        own = {self.user.pk}
        if self.proposal is not None:
            own.add(self.proposal.created_by_id)
        return (
            get_user_model()
            .objects.filter(Q(pk__in=self._colleagues().values("pk")) | Q(pk__in=own))
            .distinct()
            .order_by("full_name", "username")
        )

    def _author_ids(self) -> set:
        creator = self.proposal.created_by_id if self.proposal is not None else self.user.pk
        return {creator} | {u.pk for u in self.co_authors_for_service()}

    def clean(self):
        cleaned = super().clean()
        chosen = cleaned.get("leadership_authors") or []
        if "co_authors" in cleaned and any(u.pk not in self._author_ids() for u in chosen):
            self.add_error(
                "leadership_authors",
                _("Tick only yourself and the co-authors chosen above."),
            )
        return cleaned

    def posts_for_service(self) -> dict:
        """{user id: post} for every author: ticked → leadership, the others → staff."""
        chosen = {u.pk for u in self.cleaned_data.get("leadership_authors") or []}
        return {
            pk: AuthorPost.LEADERSHIP if pk in chosen else AuthorPost.STAFF
            for pk in self._author_ids()
        }

    def _colleagues(self):
        """Members of the home unit (on creation: of the user's units), plus the current
        co-authors so that none is dropped silently; never the creator nor the user, who are
        authors anyway."""
        excluded = {self.user.pk}
        if self.proposal is None:
            q = Q(memberships__unit_id__in=user_roles(self.user).unit_ids())
        else:
            q = Q(memberships__unit_id=self.proposal.home_unit_id)
            q |= Q(authorships__proposal=self.proposal)
            excluded.add(self.proposal.created_by_id)
        return (
            get_user_model()
            .objects.filter(q, is_active=True)
            .exclude(pk__in=excluded)
            .distinct()
            .order_by("full_name", "username")
        )

    def groups(self):
        """The fields as the page shows them: (legend, description, [bound fields])."""
        general = [
            n
            for n in ("home_unit", "title", "summary", "field", "co_authors", "leadership_authors")
            if n in self.fields
        ]
        return [
            (_("General information"), "", [self[n] for n in general]),
            (
                _("The plan (Decree 73/2023/NĐ-CP, Art. 7(2))"),
                _(
                    "Write each section in plain words. You can save a draft at any time and "
                    "come back later; every section must be filled in before you submit."
                ),
                [self[n] for n in PLAN_FIELDS],
            ),
            (
                _("The four criteria (Decree 73/2023/NĐ-CP, Art. 5(1))"),
                _("A proposal is considered only if it meets all four. Tick each one you affirm."),
                [self[n] for n in CRITERIA_FIELDS],
            ),
            (
                _("Declaration"),
                "",
                [self["declaration_no_personal_interest"]],
            ),
        ]

    def dossier(self) -> dict:
        """The cleaned dossier fields, as the services take them."""
        return {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in ("home_unit", "co_authors", "leadership_authors")
        }

    def co_authors_for_service(self) -> list:
        """The chosen co-authors, keeping the acting user when they are a co-author themselves."""
        chosen = list(self.cleaned_data.get("co_authors") or [])
        if self.proposal is not None and self.user.pk != self.proposal.created_by_id:
            chosen.append(self.user)
        return chosen


class AttachmentForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, Word, Excel, PowerPoint, OpenDocument or an image (PNG, JPEG, GIF, "
            "WebP); at most 20 MB."
        ),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".pdf,.doc,.docx,.xls,.xlsx,.ppt,.pptx,.odt,.ods,.odp,.png,.jpg,.jpeg,"
                ".gif,.webp"
            }
        ),
    )


class VoteForm(forms.Form):
    choice = forms.ChoiceField(
        label=_("Your vote"),
        choices=Vote.Choice.choices,
        widget=forms.RadioSelect,
        help_text=_("You can change your vote until the head decides."),
    )


class OpinionForm(forms.Form):
    stance = forms.ChoiceField(
        label=_("The Party committee's stance"),
        choices=Opinion.Stance.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Text of the opinion"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("The opinion as the Party committee agreed it, with any conditions."),
    )
    document_number = forms.CharField(
        label=_("Number of the Party committee's document"),
        max_length=100,
        help_text=_("The number and symbol of the document that states the conclusion."),
        error_messages={
            "required": _("Give the number and symbol of the Party committee's document.")
        },
    )
    document_date = forms.DateField(
        label=_("Date of the document"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"required": _("Give the date of the Party committee's document.")},
    )
    signer_name = forms.CharField(
        label=_("Signed by"),
        max_length=200,
        error_messages={"required": _("Give the name of the person who signed.")},
    )
    signer_title = forms.CharField(
        label=_("Title of the signer"),
        max_length=200,
        help_text=_("E.g. Secretary of the Party committee."),
        error_messages={"required": _("Give the title of the person who signed.")},
    )


def prepare_transition_form(form: forms.Form) -> forms.Form:
    """A required choice starts empty, so a decision (e.g. pilot or implementation) is always
    chosen on purpose rather than left at the first option."""
    for field in form.fields.values():
        if isinstance(field, forms.ChoiceField) and field.required:
            choices = list(field.choices)
            if choices and choices[0][0] != "":
                field.choices = [("", _("— Choose —")), *choices]
    return form
