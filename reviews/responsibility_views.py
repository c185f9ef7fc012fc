"""The review page's forms of responsibility per person (reviews.responsibility): an author's
explanation before the decision on them, their complaint after it, the head's resolution."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from kl14.errors import Conflict, Invalid
from proposals.permissions import is_author, is_deciding_head

from . import responsibility
from .models import CRITERIA, Decision, ResponsibilityComplaint

REVISION_FIELDS = (*CRITERIA, "decision", "damage", "damage_amount", "reasons")


class TextForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Text"), max_length=20000)


class ResolutionForm(forms.Form):
    """The resolution and, for a founded or partly founded complaint, the revised decision (the
    service judges whether it is needed and allowed)."""

    resolution = forms.ChoiceField(choices=ResponsibilityComplaint.Resolution.choices)
    text = forms.CharField(max_length=20000)
    decision = forms.ChoiceField(choices=[("", "—"), *Decision.choices], required=False)
    followed_approved_plan = forms.BooleanField(required=False)
    pure_motive = forms.BooleanField(required=False)
    common_interest = forms.BooleanField(required=False)
    no_personal_gain = forms.BooleanField(required=False)
    damage = forms.BooleanField(required=False)
    damage_amount = forms.IntegerField(required=False, min_value=0)
    reasons = forms.CharField(max_length=5000, required=False)


class ExtensionForm(forms.Form):
    reason = forms.CharField(max_length=5000)


def responsibility_forms(user, proposal, **bound) -> dict:
    """What the review page needs to offer each person their step."""
    return {
        "explain_form": bound.get("explain_form")
        or (TextForm() if responsibility.can_explain(user, proposal) else None),
        "complaint_form": bound.get("complaint_form")
        or (TextForm() if responsibility.can_complain(user, proposal) else None),
        "can_resolve": is_deciding_head(user, proposal) and not is_author(user, proposal),
        "resolution_form": bound.get("resolution_form"),
        "extension_form": bound.get("extension_form"),
        "resolutions": ResponsibilityComplaint.Resolution.choices,
        "complex_days": responsibility.complaint_resolution_days_complex(),
        "decisions": Decision.choices,
        "criteria_names": CRITERIA,
    }


def _back(request, proposal, form_name, form, status):
    from .views import review_context

    context = review_context(request, proposal, **{form_name: form})
    return render(request, "reviews/review.html", context, status=status)


def _run(request, pk, form_class, form_name, step, done):
    from .views import _load

    proposal = _load(request.user, pk)
    form = form_class(request.POST)
    try:
        if form.is_valid():
            step(proposal, form.cleaned_data)
            messages.success(request, done)
            return redirect("reviews:review", pk=proposal.pk)
        # Who and when before what (403, 409, then 400): let the service judge empty input.
        step(proposal, dict.fromkeys(form.fields, ""))
    except Invalid as error:
        for name, errs in error.errors.items():
            for message in errs:
                form.add_error(name if name in form.fields else None, message)
    except Conflict as error:
        messages.error(request, str(error.message))
        return _back(request, proposal, form_name, None, 409)
    return _back(request, proposal, form_name, form, 400)


@login_required
@require_POST
def explain_view(request, pk):
    return _run(
        request,
        pk,
        TextForm,
        "explain_form",
        lambda proposal, data: responsibility.responsibility_explain(
            proposal=proposal, actor=request.user, text=data["text"]
        ),
        _("Your explanation is recorded."),
    )


@login_required
@require_POST
def complaint_view(request, pk):
    return _run(
        request,
        pk,
        TextForm,
        "complaint_form",
        lambda proposal, data: responsibility.complaint_file(
            proposal=proposal, actor=request.user, text=data["text"]
        ),
        _("Your complaint is recorded."),
    )


@login_required
@require_POST
def resolve_view(request, pk, author):
    return _run(
        request,
        pk,
        ResolutionForm,
        "resolution_form",
        lambda proposal, data: responsibility.complaint_resolve(
            proposal=proposal,
            actor=request.user,
            author=author,
            resolution=data["resolution"],
            text=data["text"],
            **{name: data.get(name) for name in REVISION_FIELDS},
        ),
        _("The resolution of the complaint is recorded."),
    )


@login_required
@require_POST
def extend_view(request, pk, author):
    return _run(
        request,
        pk,
        ExtensionForm,
        "extension_form",
        lambda proposal, data: responsibility.complaint_extend(
            proposal=proposal, actor=request.user, author=author, reason=data["reason"]
        ),
        _("The time to resolve the complaint is extended (complex case)."),
    )
