"""The sandbox's HTTP face: Twilio's API under /sandbox/twilio/, and the phone simulator.

All 404 unless settings.OCC_SANDBOX. The views are async and do their
blocking work (database, HTTP) in threads: the application calls its own
fake Twilio, and the simulator posts webhooks to the application itself,
so a view holding the server's shared sync thread while waiting for
another request would deadlock.
"""

from __future__ import annotations

import asyncio
import re

from asgiref.sync import sync_to_async
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt

from occ.lib.text import problem, safe_header_value, unsafe_character
from occ.lib.threads import with_connections_closed
from whatsapp.sandbox import phone, state

MAX_IMAGE = 5 * 2**20
# The declared type becomes the webhook's MediaContentType and a header of the fake's answer.
_IMAGE_TYPE = re.compile(
    r"^(image|audio|video)/[a-z0-9.+-]{1,50}$|^text/(x-)?vcard$|^application/pdf$"
)
# What else a simulated customer can send, as Twilio's webhook fields name it.
_EXTRA_FIELDS = {
    "latitude": "Latitude",
    "longitude": "Longitude",
    "address": "Address",
    "label": "Label",
    "button_text": "ButtonText",
    "button_payload": "ButtonPayload",
    "reply_to": "OriginalRepliedMessageSid",
}


def _require_sandbox() -> None:
    if not settings.OCC_SANDBOX:
        raise Http404("The sandbox is not enabled.")


def _in_thread(function, *args, **kwargs):
    """Run blocking work in a fresh worker thread, closing its database connection afterwards."""
    return sync_to_async(with_connections_closed(function), thread_sensitive=False)(*args, **kwargs)


@csrf_exempt
async def twilio_api(request, path: str):
    """Twilio's REST API, answered by the in-process FakeTwilio (basic auth like Twilio)."""
    _require_sandbox()
    twilio = await _in_thread(state.sync_with_configuration)
    headers = {"Authorization": request.headers.get("Authorization", "")}
    query = {key: request.GET.get(key) for key in request.GET}
    status, payload, content_type = await asyncio.to_thread(
        twilio.handle, request.method, "/" + path, query, headers, request.body
    )
    if isinstance(payload, bytes):
        return HttpResponse(payload, status=status, content_type=safe_header_value(content_type))
    return JsonResponse(payload, status=status)


def _customer(value: str) -> str:
    """A customer's number, or a WhatsApp user id (US.ABC123…) for a customer with a username and no number."""
    from django.core.exceptions import ValidationError

    from occ.lib.phone import normalize_e164
    from whatsapp.parsing import InvalidWebhook, whatsapp_customer_address

    value = value.strip()
    if value[:1].isalpha():
        try:
            return whatsapp_customer_address("whatsapp:" + value)
        except InvalidWebhook as exc:
            raise ValidationError(str(exc)) from exc
    return normalize_e164(value)


def _services() -> list[dict]:
    from services.models import Service

    # A service with a Messaging Service and no number of its own: the sandbox's sender in its pool.
    return [
        {"name": s.name, "number": s.twilio_number or state.pool_number(s.messaging_service_sid)}
        for s in Service.objects.whatsapp_ready().order_by("name")
    ]


@login_required
def phone_page(request):
    _require_sandbox()
    return render(request, "whatsapp/sandbox_phone.html", {"services": _services()})


@login_required
async def phone_send(request):
    """The simulated customer writes: a signed webhook to the inbound endpoint."""
    _require_sandbox()
    if request.method != "POST":
        return JsonResponse({"error": "POST only"}, status=405)
    from django.core.exceptions import ValidationError

    from occ.lib.phone import normalize_e164

    try:
        service_number = normalize_e164(request.POST.get("service", ""))
        customer_number = _customer(request.POST.get("customer", ""))
    except ValidationError:
        return JsonResponse(
            {"error": "Give both numbers in international format, e.g. +39 333 1234567."},
            status=400,
        )
    body = request.POST.get("body", "")[:1600]
    for field, multiline in (("body", True), ("name", False)):
        bad = unsafe_character(request.POST.get(field, ""), multiline=multiline)
        if bad:
            # A real phone sends none of these; the webhook would carry them to the desk.
            return JsonResponse(
                {"error": problem(bad), "errors": {field: [problem(bad)]}}, status=400
            )
    image = None
    upload = request.FILES.get("image")
    if upload is not None:
        if not _IMAGE_TYPE.match(upload.content_type or "") or upload.size > MAX_IMAGE:
            return JsonResponse(
                {"error": "Attach a picture, a recording, a contact or a PDF of at most 5 MB."},
                status=400,
            )
        image = (upload.content_type, upload.read())
    button = None
    payload = request.POST.get("button_payload", "")[:200]
    if payload:
        if unsafe_character(payload, multiline=False):
            return JsonResponse({"error": "Not a button of the message."}, status=400)
        button = {"id": payload, "title": body[:200]}
    extra = {
        twilio: request.POST[field][:500]
        for field, twilio in _EXTRA_FIELDS.items()
        if request.POST.get(field)
    }
    if not body.strip() and image is None and not extra:
        return JsonResponse({"error": "Write a message."}, status=400)
    try:
        entry = await _in_thread(
            phone.send_from_phone,
            service_number=service_number,
            customer_number=customer_number,
            name=request.POST.get("name", "")[:100],
            body=body,
            image=image,
            button=button,
            extra=extra,
        )
    except ValueError as exc:
        return JsonResponse({"error": str(exc)}, status=400)
    return JsonResponse(entry, status=201)


@login_required
async def phone_messages(request):
    _require_sandbox()
    from django.core.exceptions import ValidationError

    from occ.lib.phone import normalize_e164

    try:
        service_number = normalize_e164(request.GET.get("service", ""))
        customer_number = _customer(request.GET.get("customer", ""))
    except ValidationError:
        return JsonResponse({"messages": []})
    return JsonResponse(
        {
            "messages": phone.conversation(service_number, customer_number),
            "typing": phone.typing(service_number, customer_number),
            "typing_indicators": phone.typing_indicators(service_number, customer_number),
        }
    )
