from django.contrib.auth.decorators import login_required
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from kl14.errors import NotFound
from kl14.files import private_download

from .permissions import access_document, require_issued

CONTENT_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}


def download(user, proposal_pk, pk, fmt):
    """The stored file of an issued document: 404 for whoever may not see the proposal, 409
    while it is being issued."""
    document = access_document(user, proposal_pk, pk)
    require_issued(document)
    stored = document.pdf if fmt == "pdf" else document.docx
    if not stored:
        raise NotFound(_("This document has no %(format)s file.") % {"format": fmt.upper()})
    response = private_download(
        stored, filename=document.filename(fmt), content_type=CONTENT_TYPES[fmt]
    )
    response["X-Document-SHA256"] = document.pdf_sha256 if fmt == "pdf" else document.docx_sha256
    return response


@login_required
@require_GET
def document_download(request, pk, document_pk, fmt):
    return download(request.user, pk, document_pk, fmt)
