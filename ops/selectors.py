from .models import Submission


def submission_of(*, scope: str, key: str) -> Submission | None:
    return Submission.objects.filter(scope=scope, key=key).first()
