from django.urls import path

from widgets import public_views, views

app_name = "widgets"

urlpatterns = [
    # Console: Settings → Widget (administrators).
    path("settings/widgets/", views.widget_list, name="list"),
    path("settings/widgets/new/", views.widget_create, name="create"),
    path("settings/widgets/<int:pk>/", views.widget_edit, name="edit"),
    path("settings/widgets/<int:pk>/preview/", views.widget_preview, name="preview"),
    path("settings/widgets/<int:pk>/delete/", views.widget_delete, name="delete"),
    # Public: called from the websites the widget is embedded in.
    path("widget/embed.js", public_views.embed_script, name="embed"),
    path("widget/<str:key>/config.json", public_views.config, name="config"),
    path("widget/<str:key>/qr.svg", public_views.qr_svg, name="qr_svg"),
    path("widget/<str:key>/qr.png", public_views.qr_png, name="qr_png"),
    path("widget/<str:key>/visits", public_views.visits, name="visits"),
    path(
        "widget/<str:key>/visits/<str:ref>/opened", public_views.visit_opened, name="visit_opened"
    ),
]
