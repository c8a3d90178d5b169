"""Queue outgoing emails: render, build the MIME message, store it in the outbox table.

Queuing happens inside the caller's database transaction, so an email exists
exactly when the case change that caused it was committed.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime
from typing import Any

from sqlalchemy.orm import Session

from mailbot.attachment import Attachment
from mailbot.config import Settings
from mailbot.render import RenderedEmail, TemplateRenderer
from mailbot.routing import plus_address
from mailbot.store.models import Case, CaseEvent, OutboxEmail, Visit

log = logging.getLogger("mailbot.outbox")

QUEUED = "queued"
# Claimed by a sender for one attempt; a claim left by a crash expires and the email is sent again.
SENDING = "sending"
WAITING = (QUEUED, SENDING)
SENT = "sent"
FAILED = "failed"

# CRLF line ends as SMTP wants them. Header lines may run to RFC 5322's hard limit of
# 998 characters because Python's folder moves a whole bracketed subject onto a
# continuation line; 7-bit transfer encoding keeps servers without 8BITMIME happy.
MESSAGE_POLICY = SMTP.clone(max_line_length=998, cte_type="7bit")

# RFC 3834: a reply to someone's message is "auto-replied"; anything else the bot starts is "auto-generated".
AUTO_REPLIED = "auto-replied"
# A Message-ID as RFC 5322 writes it, so that nothing else from an inbound header is copied into one of ours.
MESSAGE_ID_FORM = re.compile(r"<[^<>\s]{1,900}>")
AUTO_GENERATED = "auto-generated"


@dataclass(frozen=True)
class Recipient:
    address: str
    name: str | None = None

    @property
    def needs_smtputf8(self) -> bool:
        """Whether the address has non-ASCII characters, which only an SMTPUTF8 server can deliver."""
        return not self.address.isascii()

    def header_value(self) -> str:
        """Return the recipient for a To header; a name from a form loses its control characters, so it can add no header."""
        name = "".join(character for character in (self.name or "") if character.isprintable()).strip()
        if self.needs_smtputf8:
            # Python's Address rejects a non-ASCII local part, but an SMTPUTF8 message may carry one as it is.
            quoted_name = name.replace("\\", "").replace('"', "'")
            return f'"{quoted_name}" <{self.address}>' if quoted_name else self.address
        return str(Address(display_name=name, addr_spec=self.address))


class Outbox:
    """Builds emails from templates and adds them to the outbox table."""

    def __init__(self, settings: Settings, renderer: TemplateRenderer) -> None:
        self.settings = settings
        self.renderer = renderer

    def queue(
        self,
        session: Session,
        *,
        purpose: str,
        recipient: Recipient,
        context: dict[str, Any],
        now: datetime,
        case: Case | None = None,
        visit: Visit | None = None,
        auto_submitted: str = AUTO_GENERATED,
        attachments: Sequence[Attachment] = (),
        in_reply_to: str | None = None,
    ) -> OutboxEmail:
        """Render the template ``purpose`` for ``recipient`` and add it to the outbox.

        An email about a case carries the case reference at the start of its
        subject and gets a history entry.
        """
        rendered = self.render(purpose, recipient, context)
        subject = rendered.subject
        if case is not None and case.reference not in subject:
            subject = f"[{case.reference}] {subject}"

        reply_token = secrets.token_hex(10)
        message_id = f"<{case.reference if case else 'mailbot'}.{reply_token}@{self.settings.bot_domain}>"
        message = self._build_message(recipient, subject, rendered.text, rendered.html, message_id, now)
        message["Auto-Submitted"] = auto_submitted
        if in_reply_to and MESSAGE_ID_FORM.fullmatch(in_reply_to):
            # Threaded under the message it answers, so the sender's mail program shows them together.
            message["In-Reply-To"] = in_reply_to
            message["References"] = in_reply_to
        if self.settings.mailbox.plus_addressing:
            message["Reply-To"] = str(Address(display_name=self.settings.alliance.name, addr_spec=plus_address(self.settings.alliance.address, reply_token)))
        for attachment in attachments:
            maintype, _, subtype = attachment.content_type.partition("/")
            message.add_attachment(
                attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename, params=dict(attachment.parameters)
            )
        if case is not None:
            message["X-Mailbot-Case"] = case.reference

        email = OutboxEmail(
            case=case,
            visit=visit,
            purpose=purpose,
            recipient=recipient.address,
            subject=subject,
            message_id=message_id,
            reply_token=reply_token,
            content=message.as_bytes(),
            status=QUEUED,
            created_at=now,
            attempts=0,
            next_attempt_at=now,
        )
        session.add(email)
        session.flush()

        if case is not None:
            session.add(
                CaseEvent(
                    case=case,
                    at=now,
                    event="email_queued",
                    outbox_email_id=email.id,
                    details={"to": recipient.address, "purpose": purpose, "subject": subject, "message_id": message_id},
                )
            )
        log.info("QUEUE %s purpose=%s to=%s", message_id, purpose, recipient.address)
        return email

    def render(self, purpose: str, recipient: Recipient, context: dict[str, Any]) -> RenderedEmail:
        """Render the template ``purpose`` for ``recipient``, adding the names every email has (``alliance``, ``recipient``)."""
        return self.renderer.render(purpose, {**context, "alliance": self.settings.alliance, "recipient": recipient})

    def _build_message(
        self, recipient: Recipient, subject: str, text: str, html: str, message_id: str, now: datetime
    ) -> EmailMessage:
        # A non-ASCII address can only travel in an SMTPUTF8 message, whose headers are raw UTF-8.
        message = EmailMessage(policy=MESSAGE_POLICY.clone(utf8=True) if recipient.needs_smtputf8 else MESSAGE_POLICY)
        message["From"] = str(Address(display_name=self.settings.alliance.name, addr_spec=self.settings.alliance.address))
        message["To"] = recipient.header_value()
        message["Subject"] = subject
        message["Date"] = format_datetime(now.astimezone(self.settings.zone))
        message["Message-ID"] = message_id
        message.set_content(text)
        message.add_alternative(html, subtype="html")
        return message
