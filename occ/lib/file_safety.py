"""What a file is, judged by its bytes, and how to hand it to a browser as data that cannot run.

Files reach OCC from people it cannot trust: customers' WhatsApp media
(any type the customer chose) and agents' uploads (any bytes under any
name). Served from OCC's own origin, an SVG, HTML or XML file would run
its script with the session of whoever opened it. So:

- a file is answered inline only when it is a picture or a sound/video
  a browser shows as such (INLINE_TYPES); everything else is a download;
- every answer carries `X-Content-Type-Options: nosniff` (the browser
  never second-guesses the type) and `Content-Security-Policy: sandbox;
  default-src 'none'` (even a document opened inline runs no script, on
  an opaque origin, and loads nothing);
- an upload's type is read from its bytes with `filetype` (a kept,
  dependency-free library of magic numbers), must be one WhatsApp accepts
  and must agree with the name's extension and the type the browser
  declared. Plain text, which has no magic number, is accepted only when
  it decodes as text and does not look like markup.

Pure functions: no database, no storage.
"""

from __future__ import annotations

import io
import mimetypes
import re
import unicodedata
from dataclasses import dataclass
from urllib.parse import quote

import filetype
from django.utils.translation import gettext as _

MB = 2**20
SANDBOX_POLICY = "sandbox; default-src 'none'"
OCTET_STREAM = "application/octet-stream"

# Pictures and sounds a browser renders as such and that WhatsApp carries:
# served inline (the desk shows them); anything else is a download.
INLINE_TYPES = frozenset(
    {
        "image/jpeg",
        "image/png",
        "image/gif",
        "image/webp",
        "audio/ogg",
        "audio/mpeg",
        "audio/aac",
        "audio/mp4",
        "video/mp4",
    }
)


@dataclass(frozen=True)
class Kind:
    """A type WhatsApp accepts in a reply (twilio/FACTS.md, media limits)."""

    label: str
    extensions: tuple[str, ...]  # the first is the one OCC stores the file under
    limit: int
    # Other spellings a browser may declare for the same type.
    aliases: tuple[str, ...] = ()


def _kinds() -> dict[str, Kind]:
    return {
        "image/jpeg": Kind(
            _("a JPEG picture"), ("jpg", "jpeg"), 5 * MB, ("image/jpg", "image/pjpeg")
        ),
        "image/png": Kind(_("a PNG picture"), ("png",), 5 * MB),
        "audio/ogg": Kind(
            _("an OGG (Opus) recording"),
            ("ogg", "opus"),
            16 * MB,
            ("audio/opus", "application/ogg"),
        ),
        "audio/amr": Kind(_("an AMR recording"), ("amr",), 16 * MB),
        "audio/aac": Kind(_("an AAC recording"), ("aac",), 16 * MB, ("audio/x-aac",)),
        "audio/mpeg": Kind(_("an MP3 recording"), ("mp3",), 16 * MB, ("audio/mp3",)),
        "video/mp4": Kind(_("an MP4 video"), ("mp4",), 16 * MB),
        "video/3gpp": Kind(_("a 3GP video"), ("3gp", "3gpp"), 16 * MB, ("audio/3gpp", "video/3gp")),
        "application/pdf": Kind(_("a PDF document"), ("pdf",), 16 * MB),
        "application/msword": Kind(_("a Word document"), ("doc",), 16 * MB),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document": Kind(
            _("a Word document"), ("docx",), 16 * MB
        ),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": Kind(
            _("an Excel spreadsheet"), ("xlsx",), 16 * MB
        ),
        "application/vnd.openxmlformats-officedocument.presentationml.presentation": Kind(
            _("a PowerPoint presentation"), ("pptx",), 16 * MB
        ),
        "text/vcard": Kind(
            _("a contact card (vCard)"),
            ("vcf", "vcard"),
            16 * MB,
            ("text/x-vcard", "text/directory"),
        ),
        "text/plain": Kind(_("a text file"), ("txt",), 16 * MB),
    }


# Types without a magic number: recognised by extension, then checked as text.
TEXT_TYPES = {"txt": "text/plain", "vcf": "text/vcard", "vcard": "text/vcard"}
# What a browser (or a mail client, or a phone) would treat as a document
# that runs script, looked for near the start of a "text" file.
_MARKUP = re.compile(
    rb"<\s*(?:html|svg|script|\?xml|!doctype|body|head|iframe|object|embed|meta|math|xsl|xhtml|a\s)",
    re.I,
)
# type/subtype made of the characters RFC 6838 allows in names, and nothing else (no CR/LF, no spaces).
_TYPE = re.compile(r"[a-z0-9][a-z0-9!#$&^_.+-]{0,62}/[a-z0-9][a-z0-9!#$&^_.+-]{0,62}")


class ThreeGpp(filetype.Type):
    """3GP video/audio: an ISO media file whose brand is 3gp*/3g2*.

    filetype 1.2 looks for the `ftyp3gp` box at offset 0, where no real
    3GP file has it (the box's size comes first), so it never matches.
    """

    def __init__(self):
        super().__init__(mime="video/3gpp", extension="3gp")

    def match(self, buf):
        return len(buf) > 12 and buf[4:8] == b"ftyp" and buf[8:11] in (b"3gp", b"3g2")


filetype.add_type(ThreeGpp())


class Refused(ValueError):
    """The upload cannot be sent; the message says why in words for the agent."""


def normalise_type(value: str | None) -> str:
    """A media type fit for a header: lower case, no parameters; anything malformed is an octet stream."""
    value = (value or "").split(";", 1)[0].strip(" \t").lower()
    return value if _TYPE.fullmatch(value) else OCTET_STREAM


def plain_kind(content_type: str | None) -> str:
    """A file type in words for an agent (never a MIME type): "a PDF document", "a picture", …"""
    content_type = normalise_type(content_type)
    kind = _kinds().get(content_type)
    if kind is not None:
        return str(kind.label)
    major = content_type.split("/", 1)[0]
    if content_type in ("application/zip", "application/x-7z-compressed", "application/x-rar"):
        return _("a compressed archive")
    if content_type in ("text/html", "image/svg+xml", "application/xml", "text/xml"):
        return _("a web page or drawing that could run code")
    if content_type in ("application/x-msdownload", "application/x-executable"):
        return _("a program")
    return {
        "image": _("a picture in a format WhatsApp does not take"),
        "audio": _("a recording in a format WhatsApp does not take"),
        "video": _("a video in a format WhatsApp does not take"),
        "text": _("a text document of another kind"),
    }.get(major, _("a kind of file WhatsApp does not take"))


def is_inline(content_type: str | None) -> bool:
    return normalise_type(content_type) in INLINE_TYPES


def extension_for(content_type: str) -> str:
    """The extension a download of this type gets (never one that could mean something else)."""
    kind = _kinds().get(content_type)
    if kind:
        return kind.extensions[0]
    guessed = (mimetypes.guess_extension(content_type, strict=False) or "").lstrip(".")
    return guessed if guessed.isalnum() and len(guessed) <= 8 else "bin"


def safe_file_name(name: str | None, extension: str) -> str:
    """A name for display and download: no path, no control or direction characters, the given extension.

    Unicode letters are kept (the download header carries them RFC 6266
    style); CR, LF, NUL, quotes, slashes, backslashes, the right-to-left
    override and every other control or format character are dropped.
    """
    name = unicodedata.normalize("NFC", str(name or ""))
    name = re.split(r"[/\\]", name)[-1]
    name = "".join(
        c for c in name if not unicodedata.category(c).startswith("C") and c not in '"*:<>?|'
    )
    stem = re.sub(r"\s+", " ", name.rsplit(".", 1)[0] if "." in name else name).strip(" .")
    return f"{stem[:100].strip(' .') or 'file'}.{extension}"


def content_disposition(filename: str, *, inline: bool) -> str:
    """RFC 6266: an ASCII fallback name in quotes, the exact name as UTF-8 in filename*."""
    fallback = (
        "".join(c if " " <= c < "\x7f" and c not in '"\\' else "_" for c in filename) or "file"
    )
    value = f'{"inline" if inline else "attachment"}; filename="{fallback}"'
    if fallback != filename:
        value += f"; filename*=UTF-8''{quote(filename, safe='')}"
    return value


def make_inert(response, content_type: str | None, filename: str, *, download: bool = False):
    """Set the headers that make a file answer data: its checked type, inline or download, no sniffing, no script.

    The CSP set here is stricter than any page policy; a CSP middleware
    leaves a response that already has the header alone (django-csp 4 does).
    """
    served = normalise_type(content_type)
    inline = served in INLINE_TYPES and not download
    response["Content-Type"] = served
    response["Content-Disposition"] = content_disposition(filename, inline=inline)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = SANDBOX_POLICY
    response["Cross-Origin-Resource-Policy"] = "same-origin"
    return response


@dataclass(frozen=True)
class Checked:
    content_type: str
    extension: str
    name: str  # the display / download name, sanitised, with the canonical extension


def check_upload(name: str, declared: str | None, size: int, handle) -> Checked:
    """What an uploaded file is, from its bytes; raises Refused with a sentence for the agent.

    `handle` is a binary file object positioned anywhere; it is read, then rewound.
    """
    kinds = _kinds()
    extension = name.rsplit(".", 1)[-1].strip().lower() if "." in name else ""
    handle.seek(0)
    head = handle.read(8192)
    handle.seek(0)
    if not head:
        raise Refused(_("The file is empty."))
    detected = filetype.guess_mime(head)
    if detected is None and extension in TEXT_TYPES:
        detected = TEXT_TYPES[extension]  # checked as text below, once its size is known to be fine
    accepted = ", ".join(sorted({k.extensions[0].upper() for k in kinds.values()}))
    if detected is None:
        raise Refused(
            _("OCC could not recognise this file from its content. WhatsApp accepts: %(types)s.")
            % {"types": accepted}
        )
    kind = kinds.get(detected)
    if kind is None:
        raise Refused(
            _("This file is %(what)s, which WhatsApp does not accept. WhatsApp accepts: %(types)s.")
            % {"what": plain_kind(detected), "types": accepted}
        )
    if not extension:
        raise Refused(
            _(
                "The file's name has no extension; its content is %(kind)s: rename it to end in .%(right)s."
            )
            % {"kind": kind.label, "right": kind.extensions[0]}
        )
    if extension not in kind.extensions:
        raise Refused(
            _(
                "The file's name ends in “.%(extension)s” but its content is %(kind)s: rename it to .%(right)s or choose another file."
            )
            % {"extension": extension[:10], "kind": kind.label, "right": kind.extensions[0]}
        )
    declared_type = normalise_type(declared)
    if declared and declared_type not in (OCTET_STREAM, detected, *kind.aliases):
        raise Refused(
            _(
                "The browser says this file is %(declared)s, but its content is %(kind)s: save it again in its own format, or choose another file."
            )
            % {"declared": plain_kind(declared_type), "kind": kind.label}
        )
    if size > kind.limit:
        raise Refused(
            _("The file is larger than WhatsApp's limit of %(limit)s MB for %(kind)s.")
            % {"limit": kind.limit // MB, "kind": kind.label}
        )
    if detected in ("text/plain", "text/vcard"):
        _check_text(handle.read(), detected)
        handle.seek(0)
    if detected == "audio/ogg" and b"OpusHead" not in head[:200]:
        raise Refused(_("WhatsApp accepts OGG recordings only with the Opus codec."))
    if detected in ("image/jpeg", "image/png"):
        _check_picture(handle, detected)
    return Checked(
        content_type=detected,
        extension=kind.extensions[0],
        name=safe_file_name(name, kind.extensions[0]),
    )


def _check_text(data: bytes, content_type: str) -> None:
    text_part = data[3:] if data.startswith(b"\xef\xbb\xbf") else data
    try:
        text = text_part.decode("utf-8")
    except UnicodeDecodeError:
        raise Refused(_("A text file must be UTF-8 text.")) from None
    if any(unicodedata.category(c) == "Cc" and c not in "\t\n\r\f" for c in text):
        raise Refused(_("A text file must contain only text (no control characters)."))
    if _MARKUP.search(text_part[:1024]):
        raise Refused(
            _(
                "This file looks like a web page or an XML/SVG document, which WhatsApp does not accept."
            )
        )
    if content_type == "text/vcard" and not text.lstrip().upper().startswith("BEGIN:VCARD"):
        raise Refused(_("A contact card must start with BEGIN:VCARD."))


def _check_picture(handle, content_type: str) -> None:
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(handle.read())) as picture:
            format_ = picture.format
            picture.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        raise Refused(_("The picture could not be read; it may be damaged.")) from None
    finally:
        handle.seek(0)
    if {"JPEG": "image/jpeg", "PNG": "image/png"}.get(format_ or "") != content_type:
        raise Refused(_("The picture could not be read; it may be damaged."))
