"""Files attached to emails: the ones the bot sends, and the ones it reads from a PST's reply.

Names of received files are untrusted: they are cut to their last path part
and cleared of control characters before they are used anywhere, such as in
the header of a forwarded email. Programs and scripts are refused, because
no session plan is one and forwarding one could harm the visiting teacher's
computer. Outlook's winmail.dat is unpacked into the files it carries.
"""

from __future__ import annotations

import copy
import email.policy
import logging
import re
import unicodedata
from dataclasses import dataclass, field
from email.message import Message
from pathlib import PurePosixPath

from tnefparse import TNEF

from mailbot.transfer_encoding import decoded_payload

log = logging.getLogger("mailbot.attachment")

# Attached parts that are never a session plan: calendar replies and signature pictures.
NOT_A_DOCUMENT = ("text/calendar", "application/ics")
TNEF_TYPES = ("application/ms-tnef", "application/vnd.ms-tnef")

# File types that run code when opened on Windows, macOS or Android; a session plan is never one.
EXECUTABLE_EXTENSIONS = frozenset(
    "exe com bat cmd scr pif msi msp mst cpl dll sys lnk reg inf hta vb vbs vbe js jse ws wsf wsc wsh "
    "ps1 ps1xml ps2 psc1 psd1 psm1 jar app apk sh command scf gadget application msc iso img".split()
)
EXECUTABLE_TYPES = frozenset(
    {
        "application/x-msdownload",
        "application/x-msdos-program",
        "application/x-ms-installer",
        "application/x-msi",
        "application/x-executable",
        "application/x-sh",
        "application/java-archive",
        "application/vnd.android.package-archive",
        "application/x-bat",
        "application/hta",
    }
)
MAX_NAME_LENGTH = 180
RAW_NAME_PARAMETER = re.compile(r'\b(?:file)?name="([^"]*)"', re.IGNORECASE)


@dataclass(frozen=True)
class Attachment:
    """A file sent with an email, kept byte for byte."""

    filename: str
    content_type: str
    data: bytes
    # Extra Content-Type parameters, such as {"method": "REQUEST"} for a calendar invitation.
    parameters: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class RefusedFile:
    """A file attached to an email that mailbot will not pass on, with the reason in plain words."""

    filename: str
    reason: str


@dataclass(frozen=True)
class AttachmentReading:
    """The documents a person attached, and the files refused among their attachments."""

    documents: list[Attachment] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)


def attached_documents(message: Message) -> list[Attachment]:
    """Return the documents attached to the parsed email ``message``, each with its bytes exactly as decoded."""
    return read_attachments(message).documents


def read_attachments(message: Message, max_bytes: int | None = None) -> AttachmentReading:
    """Sort the files attached to the parsed email ``message`` into documents and refused files.

    Inline pictures with a Content-ID are left out, because mail programs use
    them for logos in signatures. Calendar parts are left out too. A part
    marked as an attachment but without a file name is named from its
    position, such as "attachment-3". Files larger than ``max_bytes`` are
    refused.
    """
    reading = AttachmentReading()
    if _with_default_policy(message).get_content_type() == "multipart/report":
        # A delivery report carries the server's icons and the returned email, never a person's files.
        return reading
    for number, leaf in enumerate(_leaf_parts(message), start=1):
        part = _with_default_policy(leaf)
        if not _is_document(part):
            continue
        data = decoded_payload(part)
        if not isinstance(data, bytes):
            continue

        name = safe_filename(_raw_filename(part), f"attachment-{number}")
        if part.get_content_type() in TNEF_TYPES or name.lower() == "winmail.dat":
            _unpack_tnef(name, data, reading, max_bytes)
        else:
            _sort_file(Attachment(name, part.get_content_type(), data), reading, max_bytes)
    return reading


def safe_filename(name: str | None, fallback: str) -> str:
    """Return ``name`` as a plain file name: its last path part, without control characters, at most MAX_NAME_LENGTH long."""
    text = unicodedata.normalize("NFC", name or "")
    text = "".join(character for character in text if unicodedata.category(character) not in ("Cc", "Cf", "Zl", "Zp"))
    text = re.split(r"[\\/]", text)[-1]
    text = " ".join(text.split()).strip(" .")
    if not text:
        return fallback
    if len(text) > MAX_NAME_LENGTH:
        suffix = PurePosixPath(text).suffix[:16]
        text = text[: MAX_NAME_LENGTH - len(suffix)].rstrip() + suffix
    return text


def is_executable(attachment: Attachment) -> bool:
    extension = PurePosixPath(attachment.filename.lower()).suffix.lstrip(".")
    return extension in EXECUTABLE_EXTENSIONS or attachment.content_type in EXECUTABLE_TYPES


def _sort_file(attachment: Attachment, reading: AttachmentReading, max_bytes: int | None) -> None:
    if is_executable(attachment):
        reading.refused.append(RefusedFile(attachment.filename, "it is a program or script, which mailbot never passes on"))
        log.info("REFUSED attachment %r: a program or script", attachment.filename)
    elif max_bytes is not None and len(attachment.data) > max_bytes:
        size = f"{len(attachment.data) / 1_000_000:.1f} MB"
        reading.refused.append(RefusedFile(attachment.filename, f"it is {size}, larger than the {max_bytes / 1_000_000:.1f} MB mailbot passes on"))
        log.info("REFUSED attachment %r: %s is over the limit", attachment.filename, size)
    else:
        reading.documents.append(attachment)


def _unpack_tnef(name: str, data: bytes, reading: AttachmentReading, max_bytes: int | None) -> None:
    """Add the files inside an Outlook winmail.dat; keep the winmail.dat itself when it cannot be read."""
    try:
        inner = TNEF(data).attachments
    except Exception as exc:  # tnefparse raises several types on damaged input
        log.info("TNEF %r could not be unpacked (%s); kept as it is", name, exc)
        _sort_file(Attachment(name, "application/ms-tnef", data), reading, max_bytes)
        return

    for number, attachment in enumerate(inner, start=1):
        inner_name = attachment.long_filename() or attachment.name
        if isinstance(inner_name, bytes):
            inner_name = inner_name.decode("utf-8", errors="replace")
        inner_data = attachment.data if isinstance(attachment.data, bytes) else b""
        filename = safe_filename(inner_name, f"attachment-{number}")
        _sort_file(Attachment(filename, "application/octet-stream", inner_data), reading, max_bytes)


def _raw_filename(part: Message) -> str | None:
    """Return the part's file name as sent, keeping backslashes that the header parser would treat as escapes.

    Windows mail programs write paths such as "C:\\Users\\tom\\Plan.docx"
    without escaping them, so the parsed name would lose its separators.
    """
    for header, value in part.raw_items():
        if header.lower() not in ("content-disposition", "content-type"):
            continue
        found = RAW_NAME_PARAMETER.search(str(value))
        if found and "\\" in found.group(1):
            return found.group(1)
    return part.get_filename()


def _with_default_policy(part: Message) -> Message:
    """Return a shallow copy of ``part`` that reads its headers and payload with ``email.policy.default``.

    The shared parse uses the compat32 policy, which returns file names such
    as "=?UTF-8?Q?Plan_de_s=C3=A9ance.pdf?=" or raw UTF-8 as they were sent.
    The default policy decodes both, as mail programs do. Both policies store
    a header line alike and differ only when it is read, so the copy reads
    the part as a parse with the default policy would. It shares the part's
    headers and payload, which must not be changed through it.
    """
    view = copy.copy(part)
    view.policy = email.policy.default
    return view


def _leaf_parts(message: Message) -> list[Message]:
    """Return the parts that carry content, without entering attached emails, whose files are not the sender's."""
    if message.get_content_maintype() == "message" and message.is_multipart():
        return [message]
    if not message.is_multipart():
        return [message]
    parts: list[Message] = []
    for part in message.get_payload():
        parts.extend(_leaf_parts(part))
    return parts


def _is_document(part: Message) -> bool:
    if part.get_content_type() in NOT_A_DOCUMENT:
        return False
    if part.get_content_type() == "message/rfc822":
        return False

    disposition = (part.get_content_disposition() or "").lower()
    if disposition == "attachment":
        return True

    # A body part has no file name; an inline part with one is a file some clients show in place.
    if part.get_filename() is None:
        return False
    is_signature_picture = part.get_content_maintype() == "image" and part.get("Content-ID") is not None
    return not is_signature_picture
