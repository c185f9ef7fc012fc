"""Labels of the ledger event the documents app writes (ledger/events.py). Imported from
DocumentsConfig.ready()."""

from django.utils.translation import gettext_lazy, pgettext_lazy

from ledger.events import Choice, Day, EventSpec, Hidden, Text, UnitRef, UserRef, register

from .models import DocType

register(
    EventSpec(
        "document_issue",
        gettext_lazy("Official document issued"),
        {
            "reference": Text(gettext_lazy("Number and symbol")),
            "doc_type": Choice(gettext_lazy("Type of document"), choices=DocType),
            "issued_on": Day(gettext_lazy("Date of the document")),
            "unit": UnitRef(gettext_lazy("Issued by")),
            "concerns": UserRef(pgettext_lazy("the person a document concerns", "Concerns")),
            "pdf_sha256": Text(gettext_lazy("SHA-256 of the signed PDF")),
            "docx_sha256": Text(gettext_lazy("SHA-256 of the DOCX")),
            "kind": Hidden(),
            "decision_seq": Hidden(),
        },
    )
)
