from django.shortcuts import render

from occ.permissions import administrator_required
from settings.models import ChatChannelSettings


@administrator_required
def chat_channel(request):
    config = ChatChannelSettings.load()
    return render(request, "settings/chat_channel.html", {"config": config})
