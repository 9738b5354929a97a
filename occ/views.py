from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect


@login_required
def home(request):
    """Administrators land on the console, agents on their desk."""
    if request.user.is_staff:
        return redirect("advanced_settings:chat_channel")
    return redirect("agents:desk")
