from django.urls import path

from services import views

app_name = "services"

urlpatterns = [
    path("", views.service_list, name="list"),
    path("new/", views.service_create, name="create"),
    path("<int:pk>/", views.service_edit, name="edit"),
    path("<int:pk>/hours/", views.service_hours, name="hours"),
    path("<int:pk>/automatic-messages/", views.service_messages, name="messages"),
    path("<int:pk>/deactivate/", views.service_set_active, {"active": False}, name="deactivate"),
    path("<int:pk>/activate/", views.service_set_active, {"active": True}, name="activate"),
]
