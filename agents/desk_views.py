"""The agent desk (and, for administrators, the supervisor view)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render


@login_required
def desk(request):
    return render(request, "agents/desk.html", {})
