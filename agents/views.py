from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from occ.permissions import administrator_required


@login_required
def desk(request):
    return render(request, "agents/desk.html", {})


@administrator_required
def user_list(request):
    users = get_user_model().objects.select_related("agent_profile").order_by("username")
    return render(request, "agents/user_list.html", {"users": users})
