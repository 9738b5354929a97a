"""Who may do what through the API: the same rules as the console and the desk."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission


def is_administrator(user) -> bool:
    return bool(user and user.is_authenticated and user.is_staff)


class IsAdministrator(BasePermission):
    """Administrators configure (like `occ.lib.permissions.administrator_required`)."""

    message = "Only administrators can do this."

    def has_permission(self, request, view) -> bool:
        return is_administrator(request.user)


class AdministratorWritesOthersRead(BasePermission):
    """Signed-in users read; only administrators change."""

    message = "Only administrators can change this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_administrator(request.user)


class SupervisorWritesOthersRead(BasePermission):
    """Signed-in users read; administrators and supervisors change (labels, close reasons)."""

    message = "Only administrators and supervisors can change this."

    def has_permission(self, request, view) -> bool:
        from agents.roles import is_supervisor

        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_supervisor(request.user)
