from django.urls import path

from widgets import views

app_name = "widgets"

urlpatterns = [
    path("settings/widgets/", views.widget_list, name="list"),
]
