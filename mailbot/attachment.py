"""Files attached to emails: the ones the bot sends, and the ones it reads from a PST's reply."""

from __future__ import annotations

import email
import email.policy
from dataclasses import dataclass
from email.message import Message

# Attached parts that are never a session plan: calendar replies and signature pictures.
NOT_A_DOCUMENT = ("text/calendar", "application/ics")


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email, kept byte for byte."""

    filename: str
    content_type: str
    data: bytes
    # Extra Content-Type parameters, such as {"method": "REQUEST"} for a calendar invitation.
    parameters: tuple[tuple[str, str], ...] = ()


def attached_documents(raw: bytes) -> list[Attachment]:
    """Return the documents attached to the email ``raw``, each with its bytes exactly as decoded.

    Inline pictures with a Content-ID are left out, because mail programs use
    them for logos in signatures. Calendar parts are left out too. A part
    without a file name is given one from its position, so nothing is lost.
    """
    message = email.message_from_bytes(raw, policy=email.policy.default)
    documents = []
    for number, part in enumerate(_leaf_parts(message), start=1):
        if not _is_document(part):
            continue
        data = part.get_payload(decode=True)
        if not isinstance(data, bytes):
            continue
        filename = part.get_filename() or f"attachment-{number}"
        documents.append(Attachment(filename.strip() or f"attachment-{number}", part.get_content_type(), data))
    return documents


def _leaf_parts(message: Message) -> list[Message]:
    return [part for part in message.walk() if not part.is_multipart()]


def _is_document(part: Message) -> bool:
    if part.get_content_type() in NOT_A_DOCUMENT:
        return False

    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True

    # A body part has no file name; an inline part with one is a file some clients show in place.
    if part.get_filename() is None:
        return False
    is_signature_picture = part.get_content_maintype() == "image" and part.get("Content-ID") is not None
    return not is_signature_picture

