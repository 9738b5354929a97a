from django.shortcuts import render

from occ.permissions import administrator_required
from widgets.models import Widget


@administrator_required
def widget_list(request):
    return render(request, "widgets/list.html", {"widgets": Widget.objects.select_related("whatsapp_service")})
