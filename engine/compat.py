"""The one place that imports the Tasks API: `django.tasks` from Django 6, the backport before."""

from __future__ import annotations

try:  # Django 6.0+
    from django.tasks import Task, TaskResult, TaskResultStatus, task, task_backends  # type: ignore[import-not-found]
except ImportError:
    from django_tasks import TaskResult, TaskResultStatus, task, task_backends
    from django_tasks.base import Task

__all__ = ["Task", "TaskResult", "TaskResultStatus", "task", "task_backends"]
