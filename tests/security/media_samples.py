"""Small real files of every type WhatsApp carries, and hostile ones, built in memory for the media tests."""

from __future__ import annotations

import io
import zipfile

# Script that leaves a trace when it runs: the title changes and a dialog opens.
PAYLOAD = "document.title='pwned';alert('pwned')"
SVG = f'<svg xmlns="http://www.w3.org/2000/svg" onload="{PAYLOAD}"><script>{PAYLOAD}</script></svg>'.encode()
HTML = f"<!doctype html><html><body><script>{PAYLOAD}</script></body></html>".encode()
XHTML = (
    '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><body>'
    f"<script>{PAYLOAD}</script></body></html>"
).encode()
XML = b'<?xml version="1.0"?><note><to>Tove</to></note>'
GIF_HTML = f"GIF89a<html><script>{PAYLOAD}</script></html>".encode()


def picture(fmt: str) -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, fmt)
    return buffer.getvalue()


def ooxml(kind: str) -> bytes:
    part = {"docx": "word/document.xml", "xlsx": "xl/workbook.xml", "pptx": "ppt/presentation.xml"}[
        kind
    ]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr(part, "<x/>")
    return buffer.getvalue()


def word_97() -> bytes:
    head = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504
    return head + b"\xec\xa5\xc1\x00" + b"\x00" * 100


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 32
THREE_GP = b"\x00\x00\x00\x14ftyp3gp4\x00\x00\x00\x003gp4" + b"\x00" * 32
OGG_OPUS = b"OggS\x00\x02" + b"\x00" * 22 + b"OpusHead\x01\x01" + b"\x00" * 32
OGG_VORBIS = b"OggS\x00\x02" + b"\x00" * 22 + b"\x01vorbis" + b"\x00" * 32
AMR = b"#!AMR\n" + b"\x00" * 32
MP3 = b"ID3\x03\x00\x00\x00\x00\x00\x00" + b"\x00" * 32
AAC = b"\xff\xf1\x50\x80\x02\x1f\xfc" + b"\x00" * 32
VCARD = b"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Maria Rossi\r\nEND:VCARD\r\n"
TEXT = "Ciao, ecco l'ordine n. 42 — grazie!\n".encode()


def png_with_html_after() -> bytes:
    """A valid PNG with a web page after its end: a picture to every reader, a page to a sniffing one."""
    return picture("PNG") + HTML
