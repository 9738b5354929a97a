"""The per-service Twilio health check page."""

from django.shortcuts import get_object_or_404, render

from occ.permissions import administrator_required
from services.models import Service


@administrator_required
def service_health(request, service_id: int):
    service = get_object_or_404(Service, pk=service_id)
    return render(request, "whatsapp/health.html", {"service": service})
