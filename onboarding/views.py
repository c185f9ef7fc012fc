import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kl14.errors import Invalid
from kl14.paging import Paginator
from units.models import Role, Unit

from . import selectors, services
from .forms import UploadForm
from .models import Action
from .permissions import access_batch, can_import
from .spreadsheet import PERSON_COLUMNS, UNIT_COLUMNS, template_workbook

ROWS_PER_PAGE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _require_importer(user):
    if not can_import(user):
        raise Http404


def _labels(choices):
    return [str(label) for _value, label in choices]


@login_required
def index(request):
    _require_importer(request.user)
    form = UploadForm()
    status = 200
    if request.method == "POST":
        form = UploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            try:
                batch = services.import_plan(
                    actor=request.user, upload=upload, filename=upload.name
                )
            except Invalid as error:
                for message in error.errors.get("file", [error.message]):
                    form.add_error("file", message)
            else:
                return redirect(batch)
        status = 400
    page = Paginator(selectors.batches_of(request.user), 20).get_page(request.GET.get("page"))
    return render(
        request,
        "onboarding/index.html",
        {
            "form": form,
            "page": page,
            "roles": _labels(Role.choices),
            "kinds": _labels(Unit.Kind.choices),
        },
        status=status,
    )


@login_required
def batch(request, pk):
    batch = access_batch(request.user, pk)
    outcome = request.GET.get("outcome", "")
    if outcome not in Action.values:
        outcome = ""
    page = Paginator(selectors.rows_of(batch, outcome), ROWS_PER_PAGE).get_page(
        request.GET.get("page")
    )
    counts = selectors.outcome_counts(batch)
    return render(
        request,
        "onboarding/batch.html",
        {
            "batch": batch,
            "page": page,
            "outcome": outcome,
            "counts": counts,
            "outcomes": [(a, label, counts[a]) for a, label in Action.choices],
            "posts": selectors.ended_posts(batch),
        },
    )


@require_POST
@login_required
def apply(request, pk):
    batch = access_batch(request.user, pk)
    services.import_apply(actor=request.user, batch=batch)
    messages.success(request, _("The file was imported."))
    return redirect(batch)


@login_required
def template_xlsx(request):
    _require_importer(request.user)
    data = template_workbook(
        _labels(Role.choices),
        _labels(Unit.Kind.choices),
        example_kinds=(str(Unit.Kind.OTHER.label), str(Unit.Kind.STATE_AGENCY.label)),
    )
    response = HttpResponse(data, content_type=XLSX)
    response["Content-Disposition"] = 'attachment; filename="kl14-mau-nhap-lieu.xlsx"'
    return response


@login_required
def template_csv(request, name):
    _require_importer(request.user)
    columns = {"don-vi": UNIT_COLUMNS, "can-bo": PERSON_COLUMNS}.get(name)
    if columns is None:
        raise Http404
    out = io.StringIO()
    out.write("\ufeff")  # Excel opens UTF-8 CSV correctly only with the byte-order mark
    csv.writer(out).writerow([c.header for c in columns])
    response = HttpResponse(out.getvalue().encode(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="kl14-mau-{name}.csv"'
    return response
