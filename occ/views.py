from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect

from agents import roles


@login_required
def home(request):
    """Administrators land on the console, supervisors on the supervisor view, agents on their desk."""
    if roles.is_administrator(request.user):
        return redirect("advanced_settings:chat_channel")
    if roles.is_supervisor(request.user):
        return redirect("agents:supervisor")
    return redirect("agents:desk")
