"""The per-service Twilio health check page (the checks live in whatsapp.health)."""

from django.shortcuts import get_object_or_404, render

from occ.lib.permissions import administrator_required
from services.models import Service
from whatsapp.health import check_service


@administrator_required
def service_health(request, service_id: int):
    """Run the checks on every visit: they store nothing, and stale results mislead."""
    service = get_object_or_404(Service, pk=service_id)
    report = check_service(service, request)
    return render(request, "whatsapp/health.html", {"service": service, "report": report})
