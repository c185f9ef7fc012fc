from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DocumentsConfig(AppConfig):
    name = "documents"
    verbose_name = _("Official documents")

    def ready(self):
        from ledger.signals import entry_appended

        from . import (
            events,  # noqa: F401 - labels of its ledger event
            kinds,
            records,  # noqa: F401 - how its rows are cross-checked with the ledger
        )
        from .receivers import issue_documents

        kinds.autodiscover()
        entry_appended.connect(issue_documents, dispatch_uid="documents.issue_documents")
