"""Users → agent profiles, in the administrators' console."""

from django.contrib.auth import get_user_model
from django.shortcuts import render

from occ.permissions import administrator_required


@administrator_required
def user_list(request):
    users = get_user_model().objects.select_related("agent_profile").order_by("username")
    return render(request, "agents/user_list.html", {"users": users})
