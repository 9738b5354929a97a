"""Who may do what through the API: the same rules as the console and the desk."""

from __future__ import annotations

from rest_framework.permissions import SAFE_METHODS, BasePermission

from agents.roles import is_administrator, is_supervisor

__all__ = [
    "AdministratorWritesOthersRead",
    "IsAdministrator",
    "IsSupervisor",
    "SupervisorWritesOthersRead",
    "is_administrator",
    "is_supervisor",
]


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


class IsSupervisor(BasePermission):
    """Supervisors and administrators: monitoring, reassigning, reports."""

    message = "Only supervisors and administrators can do this."

    def has_permission(self, request, view) -> bool:
        return is_supervisor(request.user)


class SupervisorWritesOthersRead(BasePermission):
    """Signed-in users read; supervisors and administrators change (canned responses, labels)."""

    message = "Only supervisors and administrators can change this."

    def has_permission(self, request, view) -> bool:
        if not (request.user and request.user.is_authenticated):
            return False
        return request.method in SAFE_METHODS or is_supervisor(request.user)
