"""Decode a MIME part's Content-Transfer-Encoding as the email package does, with less memory for large base64 files.

``Message.get_payload(decode=True)`` turns base64 text into bytes by holding
a bytes copy of the text, one bytes object per line and their join at the
same time. For a 25 MB file in a 34.2 MB message it took 4.5 times the
message's size, and decoding slices here took 1.7 times, the decoded bytes
included (Python 3.11.7, peak VmHWM). Only well-formed base64 is decoded
here. Anything else goes to get_payload, which repairs bad padding and
stray characters in its own way, so the bytes are the same either way.
"""

from __future__ import annotations

import binascii
from email.message import Message

# Characters of base64 text decoded at a time, so that a decode never makes a second copy of the whole text.
BASE64_SLICE_CHARACTERS = 1024 * 1024


def decoded_payload(part: Message) -> bytes | None:
    """Return what ``part.get_payload(decode=True)`` returns: the decoded bytes, or None for a multipart part."""
    if part.is_multipart() or str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return part.get_payload(decode=True)

    # get_payload() decodes a payload that has bytes outside ASCII with the part's charset. None of Python 3.11's
    # codecs turns such bytes into ASCII, and "idna" and "undefined" raise instead, so only ASCII base64 text is read here.
    try:
        text = part.get_payload()
    except (LookupError, UnicodeError):
        text = None
    decoded = strict_base64(text) if isinstance(text, str) and text.isascii() else None
    if decoded is None:
        return part.get_payload(decode=True)
    return decoded


def strict_base64(text: str) -> bytes | None:
    """Decode ``text`` as ``base64.b64decode(validate=True)`` decodes it with its line breaks removed; None where that raises.

    Slices are cut at multiples of 4 characters, where base64 blocks end. Padding
    is allowed only in the last slice, since padding in the middle of the text
    makes the whole text invalid.
    """
    pieces: list[bytes] = []
    carried = b""
    for start in range(0, len(text), BASE64_SLICE_CHARACTERS):
        encoded = carried + text[start : start + BASE64_SLICE_CHARACTERS].encode("ascii").translate(None, b"\r\n")
        is_last = start + BASE64_SLICE_CHARACTERS >= len(text)
        usable = len(encoded) if is_last else len(encoded) - len(encoded) % 4
        block, carried = encoded[:usable], encoded[usable:]
        if not is_last and b"=" in block:
            return None

        try:
            pieces.append(binascii.a2b_base64(block, strict_mode=True))
        except binascii.Error:
            return None
    return b"".join(pieces)
