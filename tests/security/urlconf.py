"""Every URL pattern of the project, discovered from the URLconf, with its arguments filled in.

Pages added later are covered by the permission, CSRF, escaping and token
tests automatically; only the explicit lists below need a thought when a
public endpoint or a page for agents is added.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

# Open to anyone, by URL name. Everything else needs a signed-in user.
PUBLIC = {
    "login",
    "logout",  # POST only; harmless without a session
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "accounts:invitation",  # the signed, expiring link of an invitation e-mail is the key
    "accounts:login_code",  # the code step: only after the right password, in the same session
    "set_language",
    "favicon",  # the icon browsers ask for
    "javascript-catalog",  # the interface's translated words: the same for everyone
    "whatsapp:inbound",  # Twilio: checked by signature instead
    "whatsapp:status",
    "api-schema",  # the OpenAPI description documents the API; every endpoint still needs a login
    "api-docs",
    "agents:desk_file",  # files agents attach to replies: Twilio fetches them; the unguessable token is the key
}
# Name prefixes of public endpoints (the website widget's embed script, configuration and QR codes).
PUBLIC_PREFIXES = (
    "widgets:public",
    "widgets:embed",
    "widgets:config",
    "widgets:qr",
    "widgets:visit",
    "widget_public:",
)
# Pages for every signed-in user (agents too). Everything else is the administrators' console.
AGENT_PAGES = {
    "home",
    "logout",
    "password_change",
    "password_change_done",
    "agents:desk",
    # The desk's history pages and contacts (what each shows: the visibility rule).
    "agents:conversations",
    "agents:conversation_history",
    "agents:reopen",
    "agents:contact_list",
    "agents:contact_detail",
    "agents:contact_panel",
    "agents:contact_edit",
    "agents:contact_start",
    "agents:contact_merge",
    # Every user's own Security page: two-factor enrolment, recovery codes.
    "accounts:security",
    "accounts:recovery_codes",
    "accounts:recovery_codes_download",
    "accounts:recovery_codes_saved",
    "accounts:two_factor_disable",
    # Every user's own API token: see it (prefix, dates) and revoke it.
    "api_own:token",
    "api_own:revoke",
}
AGENT_PREFIXES = ("desk:", "api:", "api-v1:", "agents:desk")
# Pages for supervisors (and administrators), on top of the agents' ones: monitoring,
# transcripts, reports, canned responses and labels. Everything else in the console
# (settings, services, users, API tokens, webhooks, the audit log) is administrators' only.
SUPERVISOR_PAGES = {
    "agents:supervisor",
    "agents:canned_list",
    "agents:canned_create",
    "agents:canned_edit",
    "agents:canned_delete",
}
SUPERVISOR_PREFIXES = ("supervise:", "reports:", "wrapup:")
# Views allowed to skip CSRF: callers that are not browsers with our session.
CSRF_EXEMPT = {
    "whatsapp:inbound",
    "whatsapp:status",
    "api-schema",
    "api-docs",
    # The widget's public endpoints are called cross-site from customers'
    # websites, use no session and set no cookie: there is nothing to forge.
    "widgets:embed",
    "widgets:config",
    "widgets:qr_svg",
    "widgets:qr_png",
    "widgets:visits",
    "widgets:visit_opened",
    # The sandbox's fake Twilio API (404 unless OCC_SANDBOX): called by the
    # twilio client with HTTP basic auth, like api.twilio.com, never with a session.
    "sandbox:twilio_api",
}
# Django's admin has its own staff check and is not part of the console.
# The sandbox (fake Twilio, phone simulator) answers 404 unless OCC_SANDBOX, never
# on in production; tests/sandbox checks it, including the 404.
SKIPPED_NAMESPACES = ("admin", "sandbox")


@dataclass(frozen=True)
class Endpoint:
    name: str
    route: str
    url: str
    callback: object
    object_kwargs: tuple[str, ...]
    # True when an argument names no object of the test's world (e.g. an id of a kind it lacks).
    guessed: bool = False

    @property
    def is_public(self) -> bool:
        return self.name in PUBLIC or self.name.startswith(PUBLIC_PREFIXES)

    @property
    def for_agents(self) -> bool:
        return (
            self.name in AGENT_PAGES
            or self.name.startswith(AGENT_PREFIXES)
            or self.route.startswith("api/v1/")
        )

    @property
    def for_supervisors(self) -> bool:
        return (
            self.for_agents
            or self.name in SUPERVISOR_PAGES
            or self.name.startswith(SUPERVISOR_PREFIXES)
        )

    @property
    def csrf_exempt_allowed(self) -> bool:
        return self.name in CSRF_EXEMPT

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api/")


def _walk(patterns, prefix: str = "", namespace: str | None = None):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            ns = namespace
            if pattern.namespace:
                ns = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            name = f"{namespace}:{pattern.name}" if namespace else pattern.name
            yield name, prefix + str(pattern.pattern), pattern


def _kwarg_names(pattern: URLPattern) -> list[str]:
    if hasattr(pattern.pattern, "converters") and pattern.pattern.converters:
        return list(pattern.pattern.converters)
    return list(pattern.pattern.regex.groupindex)


GUESS = 1


def _value_for(kwarg: str, route: str, objects: dict) -> object:
    """A value for a URL argument: the id (or key) of a real object of the right kind."""
    lowered = kwarg.lower()
    if lowered == "message_id" and route.endswith("/contact/") and "vcard_message" in objects:
        return objects["vcard_message"].pk  # a customer's shared contact
    for kind in (
        "interaction",
        "message",
        "contact",
        "service",
        "widget",
        "agent",
        "profile",
        "user",
        "visit",
        "webhook",
    ):
        if kind in lowered and kind in objects:
            value = objects[kind]
            return (
                value.public_key
                if lowered in {"widget_key", "key", "public_key"} and kind == "widget"
                else value.pk
            )
    if lowered in {"key", "public_key", "widget_key"} and "widget" in objects:
        return objects["widget"].public_key
    if lowered in {"pk", "id", "object_id"} and "canned" in objects:
        # A user's own canned responses under desk/canned/, the shared ones elsewhere.
        if "desk/canned/" in route:
            return objects["canned"].pk
        if "canned-responses" in route:
            return objects["shared_canned"].pk
    if lowered in {"pk", "id", "object_id"} and "contact-attributes/" in route:
        if "attribute" in objects:
            return objects["attribute"].pk
    if (
        lowered in {"pk", "id", "object_id"}
        and "conversations/" in route
        and "interaction" in objects
    ):
        return objects["interaction"].pk  # the desk's history: a conversation is an interaction
    if lowered in {"pk", "id", "object_id"}:
        for kind in (
            "interaction",
            "message",
            "contact",
            "service",
            "widget",
            "agent",
            "user",
            "webhook",
        ):
            if re.search(rf"(^|/){kind}s?(/|-)", route) and kind in objects:
                return objects[kind].pk
    if lowered == "uidb64":
        return "MQ"
    if lowered == "token":
        return "set-password"
    return GUESS


def endpoints(objects: dict) -> list[Endpoint]:
    """Every named URL pattern (admin aside), reversed with arguments pointing at `objects`."""
    found: dict[str, Endpoint] = {}
    for name, route, pattern in _walk(get_resolver().url_patterns):
        if name.split(":", 1)[0] in SKIPPED_NAMESPACES or route.startswith("admin/"):
            continue
        names = _kwarg_names(pattern)
        kwargs = {kwarg: _value_for(kwarg, route, objects) for kwarg in names}
        guessed = any(value is GUESS for value in kwargs.values())
        try:
            url = reverse(name, kwargs=kwargs) if kwargs else reverse(name)
        except NoReverseMatch:
            continue
        if "format" in kwargs:
            continue
        found.setdefault(url, Endpoint(name, route, url, pattern.callback, tuple(names), guessed))
    return list(found.values())
