from django.shortcuts import render

from occ.permissions import administrator_required
from services.models import Service


@administrator_required
def service_list(request):
    return render(request, "services/list.html", {"services": Service.objects.all()})
