"""Who may reach which page: administrators configure, agents work the desk."""

from __future__ import annotations

import functools

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def administrator_required(view):
    """Anonymous visitors go to the login page; signed-in non-administrators get 403."""

    @functools.wraps(view)
    @login_required
    def wrapper(request, *args, **kwargs):
        if not request.user.is_staff:
            raise PermissionDenied("Only administrators can open the console.")
        return view(request, *args, **kwargs)

    return wrapper
