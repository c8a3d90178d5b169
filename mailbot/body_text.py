"""Decode the text of an email's body, whatever its declared character set says.

Mail programs often declare charsets wrongly: "utf-8" on Windows-1252
bytes, misspellings such as "win-1252" or "utf8", names no codec knows.
Each text part is decoded with its declared charset when that works, then
as UTF-8, then as Windows-1252, which can decode nearly any bytes; only
bytes that none of these can read become U+FFFD. Parts that are
attachments, and emails attached inside, are skipped.
"""

from __future__ import annotations

import codecs
from email.message import Message

# Misspellings and informal names seen in real mail, with the codec each means.
CHARSET_ALIASES = {
    "win-1252": "cp1252",
    "win1252": "cp1252",
    "windows1252": "cp1252",
    "x-cp1252": "cp1252",
    "ansi": "cp1252",
    "utf8": "utf-8",
    "utf_8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
    "latin1": "iso-8859-1",
    "latin-1": "iso-8859-1",
    "iso8859-1": "iso-8859-1",
    "iso-8859-1-i": "iso-8859-1",
    "us-ascii": "utf-8",
    "ascii": "utf-8",
    "ansi_x3.4-1968": "utf-8",
}


def body_texts(message: Message) -> tuple[str | None, str | None]:
    """Return the plain-text and HTML bodies of the parsed email ``message``, each None when it has none."""
    plain: list[str] = []
    html: list[str] = []
    for part in _body_parts(message):
        text = decode_part(part)
        if text is None:
            continue
        (html if part.get_content_subtype() == "html" else plain).append(text)
    return ("\n".join(plain) or None, "\n".join(html) or None)


def decode_part(part: Message) -> str | None:
    """Decode one text part to str, trying its charset, then UTF-8, then Windows-1252."""
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return None
    payload = payload.replace(b"\x00", b"")

    for charset in _candidate_charsets(part.get_content_charset()):
        try:
            return payload.decode(charset)
        except (UnicodeDecodeError, LookupError):
            continue
    return payload.decode("cp1252", errors="replace")


def _candidate_charsets(declared: str | None) -> list[str]:
    candidates = []
    if declared:
        name = CHARSET_ALIASES.get(declared.strip().lower(), declared.strip().lower())
        try:
            candidates.append(codecs.lookup(name).name)
        except LookupError:
            pass
    for fallback in ("utf-8", "cp1252"):
        if fallback not in candidates:
            candidates.append(fallback)
    return candidates


def _body_parts(message: Message) -> list[Message]:
    """Return the text/plain and text/html parts that make up the body, in order."""
    if message.is_multipart():
        parts: list[Message] = []
        for part in message.get_payload():
            if isinstance(part, Message) and part.get_content_maintype() != "message":
                parts.extend(_body_parts(part))
        return parts
    if message.get_content_type() not in ("text/plain", "text/html"):
        return []
    if (message.get_content_disposition() or "") == "attachment":
        return []
    return [message]
