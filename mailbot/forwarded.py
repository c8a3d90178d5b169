"""Request forms that a member of staff forwards to the bot, inline or as an attached email.

A form sometimes reaches a person instead of the shared inbox. Staff then
forward it, and the form's fields are read from the forwarded part: the
attached email (message/rfc822), or the text under the mail program's
"Forwarded message" or "From: ... Subject: ..." block. Only staff forwards
are read this way, so that a reply quoting a form never opens a case.
"""

from __future__ import annotations

import re
from email.message import Message

from mailbot.body_text import body_texts
from mailbot.form import FormReading, FormRules, html_to_text, read_form
from mailbot.message import InboundMail

FORWARD_PREFIX = re.compile(r"^\s*(fwd?|fw|wg|tr|rv|doorst|vs|vb)\s*:", re.IGNORECASE)
# The line a forwarded message's header block starts with, in Gmail, Apple Mail, Thunderbird and Outlook.
FORWARD_START = re.compile(
    r"^(-{3,}\s*(forwarded message|original message|weitergeleitete nachricht|message transf[ée]r[ée])\s*-{3,}|"
    r"begin forwarded message:|-{5,}\s*$|_{5,}\s*$|from:\s.+)",
    re.IGNORECASE | re.MULTILINE,
)
SUBJECT_LINE = re.compile(r"^(subject|betreff|objet|asunto|onderwerp):\s*(.*)$", re.IGNORECASE | re.MULTILINE)


def forwarded_form(mail: InboundMail, rules: FormRules) -> FormReading | None:
    """Return the request form that ``mail`` forwards, or None when it forwards none."""
    if not FORWARD_PREFIX.match(mail.subject):
        return None

    for part in mail.message.walk():
        if part.get_content_type() != "message/rfc822":
            continue
        inner = _attached_email(part)
        if inner is None:
            continue
        plain, html = body_texts(inner)
        reading = read_form(str(inner.get("Subject") or ""), plain, html, rules)
        if reading is not None:
            return reading

    text = mail.text_plain or html_to_text(mail.text_html or "")
    return _inline_form(text, rules)


def _attached_email(part: Message) -> Message | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], Message):
        return payload[0]
    return None


def _inline_form(text: str, rules: FormRules) -> FormReading | None:
    """Read a form from the text under the forwarded message's header block."""
    start = FORWARD_START.search(text)
    if start is None:
        return None
    forwarded = text[start.start() :]
    subject_line = SUBJECT_LINE.search(forwarded)
    subject = subject_line.group(2).strip() if subject_line else None

    # The form starts after the header block, at the first blank line.
    header_end = re.search(r"\n\s*\n", forwarded)
    body = forwarded[header_end.end() :] if header_end else forwarded
    return read_form(subject, body, None, rules)
