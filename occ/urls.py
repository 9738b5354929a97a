from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog

from accounts import views as account_views
from occ import views

urlpatterns = [
    # First: Twilio's webhooks are most of the requests, and Django tries the patterns in order.
    path("whatsapp/", include("whatsapp.urls")),
    path("", views.home, name="home"),
    # Administrators' home: the setup checklist of the product document's steps.
    path("console/", views.console_home, name="console_home"),
    # Asked for by browsers and tools whatever the page says; the pages link the SVG.
    path("favicon.ico", views.favicon, name="favicon"),
    # Before Django's auth URLs: the log-in page with login throttling.
    path("accounts/login/", account_views.SignInView.as_view(), name="login"),
    # Before Django's auth URLs too: reset e-mails throttled and with OCC's links.
    path(
        "accounts/password_reset/", account_views.PasswordResetView.as_view(), name="password_reset"
    ),
    path("", include("accounts.urls")),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    # The words of the desk's and the supervisor's scripts (locale/*/LC_MESSAGES/djangojs.po).
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("settings/", include("whatsapp.channel_settings_urls")),
    path("settings/", include("desk.urls_wrapup")),
    path("services/", include("services.urls")),
    # The desk's pages keep the namespace they had when they lived in `agents`
    # (templates and reverse() say 'agents:desk'); the namespace is composed here.
    path("", include(("desk.urls", "agents"))),
    # Supervisors' pages: transcripts (desk/supervise_views.py).
    path("supervisor/", include("desk.supervise_urls")),
    path("", include("widgets.urls")),
    path("api/", include("api.urls")),
    path("settings/api-tokens/", include("api.urls_console")),
    # Every user's own token (prefix, created, last used; revoke).
    path("account/api-token/", include("api.urls_own")),
    path("settings/webhooks/", include("hooks.urls")),
    path("settings/tasks/", include("engine.urls")),
    path("settings/data-protection/", include("privacy.urls")),
    # The built-in sandbox (fake Twilio, phone simulator): 404 unless OCC_SANDBOX.
    path("sandbox/", include("whatsapp.sandbox.urls")),
    path("", include("audit.urls")),
    path("reports/", include("reports.urls")),
    path("admin/", admin.site.urls),
]
