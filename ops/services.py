from .models import TaskFailure


def task_failure_record(*, task: str, exception: BaseException) -> TaskFailure:
    return TaskFailure.objects.create(
        task=task[:200], exception=type(exception).__name__[:200], message=str(exception)[:2000]
    )


task_failure_record.alters_data = True
