"""The one place that imports the Tasks API: `django.tasks` from Django 6, the backport before."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # checked against the backport, which is what runs on Django 5.2
    from django_tasks import TaskResult, TaskResultStatus, task, task_backends
    from django_tasks.base import Task
    from django_tasks.exceptions import TaskResultDoesNotExist
else:
    try:  # Django 6.0+
        from django.tasks import Task, TaskResult, TaskResultStatus, task, task_backends
        from django.tasks.exceptions import TaskResultDoesNotExist
    except ImportError:
        from django_tasks import TaskResult, TaskResultStatus, task, task_backends
        from django_tasks.base import Task
        from django_tasks.exceptions import TaskResultDoesNotExist

__all__ = [
    "Task",
    "TaskResult",
    "TaskResultDoesNotExist",
    "TaskResultStatus",
    "task",
    "task_backends",
]
