from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("accounts/login/code/", views.login_code, name="login_code"),
    path(
        "accounts/invitation/<uidb64>/<token>/", views.InvitationView.as_view(), name="invitation"
    ),
    path("account/security/", views.security, name="security"),
    path("account/security/recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "account/security/recovery-codes/download/",
        views.recovery_codes_download,
        name="recovery_codes_download",
    ),
    path(
        "account/security/recovery-codes/saved/",
        views.recovery_codes_saved,
        name="recovery_codes_saved",
    ),
    path("account/security/disable/", views.two_factor_disable, name="two_factor_disable"),
    path("settings/security/", views.security_settings, name="security_settings"),
    path("sandbox/outbox/", views.outbox, name="outbox"),
]
