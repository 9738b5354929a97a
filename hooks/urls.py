from django.urls import path

from hooks import views

app_name = "hooks"

urlpatterns = [
    path("", views.endpoint_list, name="list"),
    path("<int:pk>/", views.endpoint_detail, name="detail"),
    path("<int:pk>/delete/", views.endpoint_delete, name="delete"),
    path("<int:pk>/rotate-secret/", views.endpoint_rotate_secret, name="rotate_secret"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="redeliver"),
]
