"""Who may reach which page: administrators configure, supervisors monitor, agents work the desk.

The roles themselves are read by `agents.roles` (the one place that does),
which registers its checks here when the app is ready: these helpers sit
below every app and import none.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied

_checks: dict[str, Callable[[object], bool]] = {}


def register_role_checks(
    *, administrator: Callable[[object], bool], supervisor: Callable[[object], bool]
) -> None:
    _checks["administrator"] = administrator
    _checks["supervisor"] = supervisor


def _check(role: str, user) -> bool:
    try:
        return _checks[role](user)
    except KeyError as exc:  # the agents app registers them in its ready()
        raise RuntimeError("role checks not registered") from exc


def _required(role: str, refusal: str):
    def decorator(view):
        @functools.wraps(view)
        @login_required
        def wrapper(request, *args, **kwargs):
            if not _check(role, request.user):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


# Anonymous visitors go to the login page; signed-in users without the role get 403.
administrator_required = _required("administrator", "Only administrators can open this page.")
supervisor_required = _required(
    "supervisor", "Only supervisors and administrators can open this page."
)
