"""Who may import spreadsheets and see their reports: the one place that answers it."""

from django.http import Http404

from units.permissions import can_administer_any_unit

from .models import ImportBatch


def can_import(user) -> bool:
    """Unit admins (inside their subtree, which the plan enforces row by row) and superusers."""
    return user.is_authenticated and can_administer_any_unit(user)


def access_batch(user, pk) -> ImportBatch:
    """An import's report is its uploader's (and superusers'): anyone else gets 404."""
    if not can_import(user):
        raise Http404
    batches = ImportBatch.objects.all()
    if not user.is_superuser:
        batches = batches.filter(uploaded_by=user)
    try:
        return batches.get(pk=pk)
    except (ImportBatch.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
