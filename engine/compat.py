"""The one place that imports the Tasks API: `django.tasks` from Django 6, the backport before."""

from __future__ import annotations

try:  # Django 6.0+
    from django.tasks import Task, TaskResult, TaskResultStatus, task, task_backends  # type: ignore[import-not-found]
    from django.tasks.exceptions import TaskResultDoesNotExist  # type: ignore[import-not-found]
except ImportError:
    from django_tasks import TaskResult, TaskResultStatus, task, task_backends
    from django_tasks.base import Task
    from django_tasks.exceptions import TaskResultDoesNotExist

__all__ = ["Task", "TaskResult", "TaskResultDoesNotExist", "TaskResultStatus", "task", "task_backends"]
