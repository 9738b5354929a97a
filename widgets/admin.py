from django.contrib import admin

from widgets.models import Widget, WidgetVisit

admin.site.register(Widget, list_display=["name", "in_use", "whatsapp_service"])
admin.site.register(WidgetVisit, list_display=["ref_code", "widget", "created_at", "interaction"])
