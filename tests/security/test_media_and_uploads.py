"""Customers' media and agents' uploads are served as data, never as content that runs on OCC's origin.

A file reaches a browser from two places: /desk/media/<message>/<index>/
(a customer's attachment fetched from Twilio, or an agent's own upload) and
/desk/files/<token>/<name> (public, for Twilio to fetch a reply's
attachment). Either answers inline only for pictures and sounds a browser
shows as such, everything else as a download, and always with nosniff and
a sandboxing CSP, so that even a file served inline cannot run script.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from interactions.actions.inbound import InboundMessage, receive_inbound
from interactions.models import Message
from tests.conftest import ACCOUNT_SID, CUSTOMER_NUMBER, SERVICE_NUMBER
from tests.security import media_samples as samples
from tests.security.media_samples import HTML, SVG
from tests.whatsapp.conftest import INBOUND

SANDBOX = "sandbox; default-src 'none'"


@pytest.fixture
def agent_client(client, agent):
    client.force_login(agent.user)
    return client


@pytest.fixture
def media_root(settings, tmp_path):
    settings.OCC_MEDIA_ROOT = str(tmp_path)
    return tmp_path


def media_path(n: int = 1) -> str:
    return f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/MM{n:032d}/Media/ME{n:032d}"


def customer_sends(
    signed_post,
    fake_twilio,
    settings,
    content_type: str,
    data: bytes,
    *,
    served_as: str | None = None,
    n: int = 1,
):
    """A signed inbound webhook whose one attachment the fake Twilio serves; the stored message."""
    path = media_path(n)
    fake_twilio.add_media(path, served_as or content_type, data)
    params = {
        "MessageSid": f"MM{n:032d}",
        "AccountSid": ACCOUNT_SID,
        "From": f"whatsapp:{CUSTOMER_NUMBER}",
        "To": f"whatsapp:{SERVICE_NUMBER}",
        "Body": "",
        "NumMedia": "1",
        "MediaUrl0": settings.TWILIO_API_BASE_URL + path,
        "MediaContentType0": content_type,
    }
    assert signed_post(INBOUND, params).status_code == 200
    return Message.objects.get(provider_id=f"MM{n:032d}")


def assert_inert(response):
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Content-Security-Policy"] == SANDBOX


def assert_download(response):
    assert_inert(response)
    assert response["Content-Disposition"].startswith("attachment;")


# --- finding 1: a customer's SVG ran script on the desk's origin ---------------------


@pytest.mark.django_db(transaction=True)
class TestCustomerMedia:
    def test_a_customers_svg_is_served_as_a_sandboxed_download(
        self, agent_client, signed_post, fake_twilio, settings
    ):
        message = customer_sends(signed_post, fake_twilio, settings, "image/svg+xml", SVG)
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response.content == SVG
        assert_download(response)
        assert response["Content-Type"] == "image/svg+xml"

    def test_a_media_content_type_with_cr_lf_is_served_as_an_octet_stream_download(
        self, agent_client, service, fake_twilio, settings
    ):
        fake_twilio.add_media(media_path(), "application/pdf", b"%PDF-1.4")
        message = receive_inbound(
            service,
            InboundMessage(
                channel="whatsapp",
                address=CUSTOMER_NUMBER,
                provider_id="MM" + "1" * 32,
                attachments=[
                    {
                        "url": settings.TWILIO_API_BASE_URL + media_path(),
                        "content_type": "text/html\r\nSet-Cookie: owned=1",
                    }
                ],
            ),
        ).message
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/octet-stream"
        assert "owned" not in str(response.cookies) and "Set-Cookie: owned" not in str(
            response.serialize_headers()
        )
        assert_download(response)


# --- finding 2: an agent's upload came back as HTML, publicly --------------------------


@pytest.mark.django_db
class TestUploadsAreCheckedByContent:
    @pytest.mark.parametrize(
        ("name", "declared", "data"),
        [
            ("notes.html", "text/plain", HTML),
            ("pic.svg", "image/png", SVG),
            (
                "page.xhtml",
                "application/pdf",
                b'<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
            ),
        ],
    )
    def test_markup_is_refused_whatever_type_the_browser_declares(
        self, agent_client, media_root, name, declared, data
    ):
        response = agent_client.post(
            "/desk/upload/", {"file": SimpleUploadedFile(name, data, content_type=declared)}
        )
        assert response.status_code == 400
        assert response.json()["error"]
        assert not [p for p in media_root.rglob("*") if p.is_file()]


# --- the upload matrix: every type WhatsApp takes, and what must never pass -----------

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"

# (name, declared type, bytes, type served, served inline)
ACCEPTED = [
    ("photo.jpg", "image/jpeg", samples.picture("JPEG"), "image/jpeg", True),
    ("photo.jpeg", "image/jpg", samples.picture("JPEG"), "image/jpeg", True),
    ("photo.png", "image/png", samples.picture("PNG"), "image/png", True),
    ("photo.png", "", samples.png_with_html_after(), "image/png", True),
    ("invoice.pdf", "application/pdf", samples.PDF, "application/pdf", False),
    ("clip.mp4", "video/mp4", samples.MP4, "video/mp4", True),
    ("clip.3gp", "video/3gpp", samples.THREE_GP, "video/3gpp", False),
    ("voice.ogg", "audio/ogg", samples.OGG_OPUS, "audio/ogg", True),
    ("voice.amr", "audio/amr", samples.AMR, "audio/amr", False),
    ("song.mp3", "audio/mpeg", samples.MP3, "audio/mpeg", True),
    ("voice.aac", "audio/aac", samples.AAC, "audio/aac", True),
    ("letter.doc", "application/msword", samples.word_97(), "application/msword", False),
    ("letter.docx", DOCX, samples.ooxml("docx"), DOCX, False),
    ("sheet.xlsx", XLSX, samples.ooxml("xlsx"), XLSX, False),
    ("slides.pptx", PPTX, samples.ooxml("pptx"), PPTX, False),
    ("maria.vcf", "text/vcard", samples.VCARD, "text/vcard", False),
    ("note.txt", "text/plain", samples.TEXT, "text/plain", False),
    (
        "note.txt",
        "application/octet-stream",
        b"\xef\xbb\xbf  plain text with a BOM",
        "text/plain",
        False,
    ),
]

# (name, declared type, bytes, words the refusal contains)
REFUSED = [
    ("pic.svg", "image/svg+xml", SVG, "recognise"),
    ("pic.svg.txt", "text/plain", SVG, "web page"),
    ("page.html", "text/html", HTML, "recognise"),
    ("page.txt", "text/plain", b"\n\t  " + HTML.upper(), "web page"),
    ("page.xhtml", "application/xhtml+xml", samples.XHTML, "recognise"),
    ("data.xml", "text/xml", samples.XML, "recognise"),
    ("data.txt", "text/plain", samples.XML, "web page"),
    ("anim.gif", "image/gif", samples.picture("GIF"), "does not accept"),
    ("sticker.webp", "image/webp", samples.picture("WEBP"), "does not accept"),
    ("polyglot.gif", "image/gif", samples.GIF_HTML, "does not accept"),
    ("polyglot.txt", "text/plain", samples.GIF_HTML, "does not accept"),
    ("polyglot.html", "text/html", samples.GIF_HTML, "does not accept"),
    ("photo.pdf", "application/pdf", samples.picture("PNG"), "rename it to .png"),
    ("invoice.png", "image/png", samples.PDF, "rename it to .pdf"),
    ("invoice", "", samples.PDF, "rename it to end in .pdf"),
    (
        "photo.png",
        "application/pdf",
        samples.picture("PNG"),
        "says this file is a PDF document, but its content is a PNG picture",
    ),
    (
        "photo.png",
        "image/svg+xml",
        samples.picture("PNG"),
        "says this file is a web page or drawing that could run code",
    ),
    ("broken.png", "image/png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 40, "could not be read"),
    ("voice.ogg", "audio/ogg", samples.OGG_VORBIS, "Opus"),
    ("run.exe", "application/x-msdownload", b"MZ" + b"\x00" * 100, "does not accept"),
    ("run.txt", "text/plain", b"MZ" + b"\x00" * 100, "does not accept"),
    ("card.vcf", "text/vcard", b"not a card", "BEGIN:VCARD"),
    ("binary.txt", "text/plain", b"\x00\x01\x02 text", "control characters"),
    ("latin1.txt", "text/plain", "caffè".encode("latin-1"), "UTF-8"),
    ("empty.pdf", "application/pdf", b"", "empty"),
]


def upload(agent_client, name, declared, data):
    return agent_client.post(
        "/desk/upload/", {"file": SimpleUploadedFile(name, data, content_type=declared)}
    )


def upload_named(agent_client, name, declared, data):
    """An upload whose file name arrives exactly as given (RFC 2231 filename*), control characters included."""
    boundary = "OccTestBoundary"
    head = (
        f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename*=UTF-8''{quote(name, safe='')}\r\n"
        f"Content-Type: {declared}\r\n\r\n"
    )
    body = head.encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return agent_client.post(
        "/desk/upload/", body, content_type=f"multipart/form-data; boundary={boundary}"
    )


def public_path(token: str) -> str:
    from desk import desk_files

    [attachment] = desk_files.attachments_for([{"token": token}])
    return "/desk/files/" + attachment["url"].split("/desk/files/", 1)[1]


@pytest.mark.django_db
class TestUploadMatrix:
    @pytest.mark.parametrize(
        ("name", "declared", "data", "served", "inline"),
        ACCEPTED,
        ids=lambda v: v if isinstance(v, str) else None,
    )
    def test_every_type_whatsapp_accepts_is_stored_and_served_as_what_its_bytes_are(
        self, agent_client, client, media_root, name, declared, data, served, inline
    ):
        response = upload(agent_client, name, declared, data)
        assert response.status_code == 201, response.json()
        stored = response.json()
        assert stored["content_type"] == served
        client.logout()
        answer = client.get(public_path(stored["token"]))
        assert answer.status_code == 200
        assert b"".join(answer.streaming_content) == data
        assert answer["Content-Type"] == served
        assert_inert(answer)
        assert answer["Content-Disposition"].startswith("inline;" if inline else "attachment;")
        # The stored name is OCC's: the token and the extension of the type found.
        from occ.lib.file_safety import extension_for

        [path] = [p for p in media_root.rglob("*") if p.is_file()]
        assert path.name == f"{stored['token']}.{extension_for(served)}"

    @pytest.mark.parametrize(
        ("name", "declared", "data", "words"),
        REFUSED,
        ids=lambda v: v if isinstance(v, str) else None,
    )
    def test_what_whatsapp_refuses_or_could_run_is_refused_in_plain_words_and_nothing_is_kept(
        self, agent_client, media_root, name, declared, data, words
    ):
        response = upload(agent_client, name, declared, data)
        assert response.status_code == 400
        body = response.json()
        assert words in body["error"]
        assert body["errors"] == {"file": [body["error"]]}
        assert not [p for p in media_root.rglob("*") if p.is_file()]

    def test_the_refusal_is_in_the_agents_language(self, agent_client, media_root):
        response = agent_client.post(
            "/desk/upload/",
            {"file": SimpleUploadedFile("invoice.png", samples.PDF, content_type="image/png")},
            HTTP_ACCEPT_LANGUAGE="it-IT,it;q=0.9",
        )
        assert response.status_code == 400
        assert response.json()["error"] == (
            "Il nome del file finisce con «.png» ma il suo contenuto è un documento PDF: "
            "rinominalo in .pdf o scegli un altro file."
        )

    def test_a_picture_over_5_mb_is_refused_and_a_document_may_be_larger(
        self, agent_client, media_root
    ):
        big_png = samples.picture("PNG") + b"\x00" * (5 * 2**20)
        response = upload(agent_client, "big.png", "image/png", big_png)
        assert response.status_code == 400
        assert "5 MB" in response.json()["error"]
        assert (
            upload(
                agent_client, "big.pdf", "application/pdf", samples.PDF + b"\x00" * (6 * 2**20)
            ).status_code
            == 201
        )
        huge = upload(
            agent_client, "huge.pdf", "application/pdf", samples.PDF + b"\x00" * (16 * 2**20)
        )
        assert huge.status_code == 400 and "16 MB" in huge.json()["error"]

    @pytest.mark.parametrize(
        ("name", "display", "header"),
        [
            ("../../etc/passwd.png", "passwd.png", 'attachment; filename="passwd.png"'),
            ("..\\..\\boot.png", "boot.png", 'attachment; filename="boot.png"'),
            (
                "a\r\nSet-Cookie: x=1.png",
                "aSet-Cookie x=1.png",
                'attachment; filename="aSet-Cookie x=1.png"',
            ),
            ("evil\x00.png", "evil.png", 'attachment; filename="evil.png"'),
            (
                "photo\u202egnp.exe.png",
                "photognp.exe.png",
                'attachment; filename="photognp.exe.png"',
            ),
            ('say "hi".png', "say hi.png", 'attachment; filename="say hi.png"'),
            (
                "façture ü.png",
                "façture ü.png",
                "attachment; filename=\"fa_ture _.png\"; filename*=UTF-8''fa%C3%A7ture%20%C3%BC.png",
            ),
            ("....png", "file.png", 'attachment; filename="file.png"'),
        ],
    )
    def test_hostile_names_become_safe_display_and_download_names(
        self, agent_client, client, media_root, name, display, header
    ):
        response = upload_named(agent_client, name, "image/png", samples.picture("PNG"))
        assert response.status_code == 201, response.json()
        stored = response.json()
        assert stored["name"] == display
        path = public_path(stored["token"])
        assert "\r" not in path and "\n" not in path and ".." not in path
        answer = client.get(path + "")
        assert answer.status_code == 200
        # Inline (a picture) names the file the same way a download does.
        assert answer["Content-Disposition"] == header.replace("attachment;", "inline;")
        message = Message.objects.create(
            interaction=_an_interaction(),
            direction="out",
            body="",
            attachments=[{"url": path, "content_type": "image/png"}],
        )
        download = agent_client.get(f"/desk/media/{message.pk}/0/?download=1")
        assert download["Content-Disposition"] == header
        assert [p.name for p in media_root.rglob("*") if p.is_file()] == [f"{stored['token']}.png"]


def _an_interaction():
    from interactions.models import Interaction

    return Interaction.objects.get()


@pytest.fixture
def _interaction(service, agent):
    return receive_inbound(
        service,
        InboundMessage(
            channel="whatsapp", address=CUSTOMER_NUMBER, provider_id="SM" + "9" * 32, body="hi"
        ),
    ).interaction


TestUploadMatrix.test_hostile_names_become_safe_display_and_download_names = (
    pytest.mark.usefixtures("_interaction")(
        TestUploadMatrix.test_hostile_names_become_safe_display_and_download_names
    )
)


# --- the customer media matrix: whatever type a customer's media claims ---------------

# (MediaContentType as Twilio sent it, type served, inline)
CUSTOMER_TYPES = [
    ("image/jpeg", "image/jpeg", True),
    ("image/png", "image/png", True),
    ("image/gif", "image/gif", True),
    ("image/webp", "image/webp", True),
    ("audio/ogg", "audio/ogg", True),
    ("video/mp4", "video/mp4", True),
    ("application/pdf", "application/pdf", False),
    ("image/svg+xml", "image/svg+xml", False),
    ("IMAGE/SVG+XML; charset=utf-8", "image/svg+xml", False),
    ("text/html", "text/html", False),
    ("application/xhtml+xml", "application/xhtml+xml", False),
    ("text/xml", "text/xml", False),
    ("application/xml", "application/xml", False),
    ("text/vcard", "text/vcard", False),
    ("image/png\r\nX-Injected: 1", "application/octet-stream", False),
    ("image/png\x00", "image/png", True),  # NUL is dropped when the webhook is parsed
    ("not a type", "application/octet-stream", False),
    (
        "",
        "application/octet-stream",
        False,
    ),  # no stored type: never the one Twilio's download answered
]


@pytest.mark.django_db(transaction=True)
class TestCustomerMediaMatrix:
    @pytest.mark.parametrize(("claimed", "served", "inline"), CUSTOMER_TYPES)
    def test_only_pictures_and_sounds_are_inline_and_every_answer_is_inert(
        self, agent_client, signed_post, fake_twilio, settings, claimed, served, inline
    ):
        message = customer_sends(
            signed_post, fake_twilio, settings, claimed, samples.GIF_HTML, served_as="image/png"
        )
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response["Content-Type"] == served
        assert_inert(response)
        assert response["Content-Disposition"].startswith("inline;" if inline else "attachment;")
        assert "X-Injected" not in response
        # What the desk is told matches what the server serves.
        from interactions.payloads import message_dict

        assert message_dict(message)["attachments"][0]["inline"] is inline

    def test_a_download_is_asked_for_even_for_a_picture(
        self, agent_client, signed_post, fake_twilio, settings
    ):
        message = customer_sends(
            signed_post, fake_twilio, settings, "image/png", samples.picture("PNG")
        )
        response = agent_client.get(f"/desk/media/{message.pk}/0/?download=1")
        assert (
            response["Content-Disposition"] == f'attachment; filename="message-{message.pk}-0.png"'
        )
        assert_inert(response)


# --- public file URLs: unguessable, and only while Twilio needs them -------------------


@pytest.mark.django_db
class TestPublicFileUrls:
    @pytest.fixture
    def uploaded(self, agent_client, media_root):
        stored = upload(agent_client, "invoice.pdf", "application/pdf", samples.PDF).json()
        return stored["token"], public_path(stored["token"])

    def test_the_token_is_192_random_bits_and_nothing_else_opens_the_file(self, client, uploaded):
        token, path = uploaded
        assert len(token) == 32
        assert (
            client.get(
                path.replace(token, token[:-1] + ("A" if token[-1] != "A" else "B"))
            ).status_code
            == 404
        )
        assert client.get(path.rsplit("/", 1)[0] + "/other.pdf").status_code == 404
        assert client.get(f"/desk/files/{token}/{token}.pdf").status_code == 404

    def test_twilio_may_fetch_again_for_a_while_after_its_first_fetch_then_the_url_is_gone(
        self, client, uploaded, settings
    ):
        from datetime import timedelta

        from django.utils import timezone

        from agents.models import OutboundFile

        token, path = uploaded
        assert client.get(path).status_code == 200
        first = OutboundFile.objects.get(token=token).first_fetched_at
        assert first is not None
        assert client.get(path).status_code == 200
        assert OutboundFile.objects.get(token=token).first_fetched_at == first
        window = timedelta(minutes=settings.OCC_UPLOAD_FETCH_WINDOW_MINUTES)
        OutboundFile.objects.filter(token=token).update(first_fetched_at=timezone.now() - window)
        assert client.get(path).status_code == 404

    def test_a_url_never_fetched_expires_after_the_maximum_age(self, client, uploaded, settings):
        from datetime import timedelta

        from django.utils import timezone

        from agents.models import OutboundFile
        from desk import desk_files

        token, path = uploaded
        age = timedelta(hours=settings.OCC_UPLOAD_MAX_AGE_HOURS)
        OutboundFile.objects.filter(token=token).update(created_at=timezone.now() - age)
        assert client.get(path).status_code == 404
        with pytest.raises(ValueError, match="too old"):
            desk_files.attachments_for([{"token": token}])

    def test_the_desk_still_shows_an_expired_file_to_agents(
        self, agent_client, _interaction, uploaded
    ):
        from django.utils import timezone

        from agents.models import OutboundFile

        token, path = uploaded
        message = Message.objects.create(
            interaction=_interaction,
            direction="out",
            body="",
            attachments=[{"url": path, "content_type": "application/pdf"}],
        )
        OutboundFile.objects.filter(token=token).update(
            created_at=timezone.now() - timezone.timedelta(days=30)
        )
        response = agent_client.get(f"/desk/media/{message.pk}/0/")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/pdf"
        assert_download(response)


# --- the header builders on their own (any caller, not only Django's multipart parser) -


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("a\r\nSet-Cookie: x=1.pdf", "aSet-Cookie x=1.pdf"),
        ("nul\x00byte.pdf", "nulbyte.pdf"),
        ("invoice\u202efdp.exe", "invoicefdp.pdf"),
        ("zero\u200bwidth.pdf", "zerowidth.pdf"),
        ("lone\ud800surrogate.pdf", "lonesurrogate.pdf"),
        ("../../../etc/passwd", "passwd.pdf"),
        ("C:\\Users\\x\\doc.pdf", "doc.pdf"),
        ('"quoted"<>|?*.pdf', "quoted.pdf"),
        ("   ", "file.pdf"),
        ("x" * 300 + ".pdf", "x" * 100 + ".pdf"),
    ],
)
def test_a_file_name_keeps_no_path_control_direction_or_quote_character(raw, expected):
    from occ.lib.file_safety import content_disposition, safe_file_name

    name = safe_file_name(raw, "pdf")
    assert name == expected
    header = content_disposition(name, inline=False)
    assert not any(c in header for c in "\r\n\x00\u202e")
    header.encode("latin-1")  # a valid header value


@pytest.mark.parametrize(
    "value",
    [
        "text/html\r\nX: 1",
        "image/png\n",
        "a/b/c",
        "",
        None,
        "x" * 200 + "/png",
        "image/svg+xml\x00",
    ],
)
def test_a_malformed_stored_type_becomes_an_octet_stream(value):
    from occ.lib.file_safety import OCTET_STREAM, normalise_type

    assert normalise_type(value) == OCTET_STREAM


@pytest.mark.django_db
def test_a_page_csp_middleware_leaves_the_sandbox_policy_of_file_answers_alone(
    agent_client, client, media_root, settings
):
    settings.MIDDLEWARE = [*settings.MIDDLEWARE, "csp.middleware.CSPMiddleware"]
    settings.CONTENT_SECURITY_POLICY = {
        "DIRECTIVES": {"default-src": ["'self'"], "script-src": ["'self'"]}
    }
    stored = upload(agent_client, "invoice.pdf", "application/pdf", samples.PDF).json()
    answer = client.get(public_path(stored["token"]))
    assert answer["Content-Security-Policy"] == SANDBOX
    assert "default-src 'self'" in client.get("/accounts/login/")["Content-Security-Policy"]
