from .models import ExportJob


def jobs_of(user):
    """The user's export jobs, newest first: one query whatever their number."""
    return ExportJob.objects.filter(requested_by_id=user.pk).order_by("-created_at", "-pk")
