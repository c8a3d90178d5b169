"""Read bounces: which of the bot's emails could not be delivered, to whom, and why.

Standard delivery status notifications (RFC 3464, multipart/report with a
message/delivery-status part) are read field by field. Many servers still
send plain-text bounces instead (older Exchange, Gmail's own wording,
Postfix without DSN, Exim, qmail), so their usual wordings are read too.
The bot's own Message-ID, quoted in the returned headers, ties a bounce to
the email and so to the case.
"""

from __future__ import annotations

import email
import email.policy
import re
from dataclasses import dataclass
from email.message import Message

from mailbot.message import InboundMail

# Senders that servers use for bounces.
BOUNCE_SENDERS = re.compile(r"^(mailer-daemon|postmaster|mail-daemon|mailerdaemon|microsoftexchange[0-9a-f]*)@", re.IGNORECASE)

# Subjects that servers put on bounces, in the wordings seen most often.
BOUNCE_SUBJECTS = re.compile(
    r"(undeliver(able|ed)|delivery (status notification|has failed|failure|failed|incomplete)|"
    r"returned mail|mail delivery (failed|failure|system)|failure notice|non[- ]?delivery|"
    r"message not delivered|address not found|could not be delivered|"
    r"unzustellbar|non remis|onbestelbaar|no se puede entregar|non recapitabile|"
    r"warning: message .{1,80} delayed|delivery (status notification \(delay\)|delayed))",
    re.IGNORECASE,
)

ADDRESS = r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"

# Lines in plain-text bounces that name the failed address, tried in order.
FAILED_ADDRESS_PATTERNS = (
    # Exim: "  someone@example.org\n    host mx... said: 550 ..." after "could not be delivered to one or more of its recipients"
    re.compile(r"could not be delivered to one or more of its recipients[^\n]*\n(?:[^\n]*\n)*?\s*(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Exchange and Microsoft 365: "Delivery has failed to these recipients or groups:" then the address.
    re.compile(r"delivery has failed to these recipients or groups:\s*(?:\n\s*)*(?:[^\n<]*<)?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Microsoft 365: "Your message to someone@example.org couldn't be delivered."
    re.compile(r"your message to (?P<address>" + ADDRESS + r") couldn.?t be delivered", re.IGNORECASE),
    # Gmail: "Your message wasn't delivered to someone@example.org because ..."
    re.compile(r"wasn.?t delivered to (?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Postfix: "<someone@example.org>: host mx.example.org[...] said: 550 ..."
    re.compile(r"^\s*<(?P<address>" + ADDRESS + r")>:\s", re.IGNORECASE | re.MULTILINE),
    # qmail: "<someone@example.org>:\n192.0.2.1 does not like recipient."
    re.compile(r"^<(?P<address>" + ADDRESS + r")>:\s*$", re.MULTILINE),
    # Generic: "Original-Recipient: rfc822;someone@example.org" or "Final-Recipient" written as text.
    re.compile(r"^(?:final|original)-recipient:\s*rfc822;\s*<?(?P<address>" + ADDRESS + r")>?", re.IGNORECASE | re.MULTILINE),
    # Gmail's older wording: "Delivery to the following recipient failed permanently:" then the address indented.
    re.compile(r"delivery to the following recipients? failed[^:\n]*:\s*(?:\n\s*)*<?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Exchange in German: "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:".
    re.compile(r"zustellung an folgende empf\S*nger[^:\n]*fehlgeschlagen:\s*(?:\n\s*)*(?:[^\n<]*<)?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Generic: "could not be delivered to the following recipient(s):" then the address.
    re.compile(r"could not be delivered to the following recipients?:?\s*(?:\n\s*)*<?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Exim's delay warning: "The address to which the message has not yet been delivered is:" then the address.
    re.compile(r"to which the message has not yet been delivered (?:is|are):?\s*(?:\n\s*)*<?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
    # Generic: "The following address(es) failed:" then the address.
    re.compile(r"following (?:address(?:\(es\))?|recipients?)[^\n:]*failed:?\s*(?:\n\s*)*<?(?P<address>" + ADDRESS + r")", re.IGNORECASE),
)

# Plain-text delay warnings: the server is still trying, so nothing has failed yet.
DELAY_WORDS = re.compile(r"(has not yet been delivered|not been delivered yet|delivery (is )?delayed|delayed \d+ hours|will (continue to )?retry|still trying)", re.IGNORECASE)
FAILURE_WORDS = re.compile(r"(undeliverable|failed|failure|returned|not found|could not be delivered|unzustellbar|non remis)", re.IGNORECASE)

STATUS_CODE = re.compile(r"\b([45]\.\d{1,3}\.\d{1,3})\b")
SMTP_REPLY = re.compile(r"\b([45]\d\d)[ -]([^\n]{0,200})")
MESSAGE_ID = re.compile(r"<[^<>\s]+@[^<>\s]+>")


@dataclass(frozen=True)
class Bounce:
    """A report that an email could not be delivered."""

    # The addresses that could not be reached, lower-cased, in the order the report gives them.
    recipients: tuple[str, ...]
    # The server's reason in its own words, such as "550 5.1.1 User unknown"; "" when it gives none.
    reason: str
    # Message-IDs quoted from the returned email, to find which of the bot's emails bounced.
    original_message_ids: tuple[str, ...]
    # True for a delay warning (the server is still trying), which is not a failure.
    delayed_only: bool = False


def looks_like_bounce(mail: InboundMail) -> bool:
    """Return whether ``mail`` is a delivery report by its type, sender or subject."""
    content_type = mail.header("Content-Type").lower()
    if "multipart/report" in content_type and "delivery-status" in content_type:
        return True
    if BOUNCE_SENDERS.match(mail.sender_address or "") or not mail.sender_address and mail.header("Return-Path").strip() == "<>":
        return bool(BOUNCE_SUBJECTS.search(mail.subject)) or "delivery" in content_type
    return bool(BOUNCE_SUBJECTS.search(mail.subject)) and mail.header("Return-Path").strip() in ("", "<>")


def read_bounce(mail: InboundMail) -> Bounce | None:
    """Return the bounce that ``mail`` reports, or None when it is not a bounce."""
    if not looks_like_bounce(mail):
        return None

    message = mail.message
    status_parts = [part for part in message.walk() if part.get_content_type() in ("message/delivery-status", "message/global-delivery-status")]
    if status_parts:
        recipients, reason, delayed_only = _read_status_parts(status_parts)
    else:
        recipients, reason, delayed_only = (), "", False

    text = _readable_text(message)
    if not recipients:
        # Exim and Gmail name the failed addresses in a header of their own.
        recipients = _addresses_in_text(mail.header("X-Failed-Recipients").replace(",", "\n"), (re.compile("(?P<address>" + ADDRESS + ")"),))
    if not recipients:
        recipients = _addresses_in_text(text)
    if not status_parts and DELAY_WORDS.search(mail.subject + "\n" + text[:2000]) and not FAILURE_WORDS.search(mail.subject):
        delayed_only = True
    if not reason:
        reason = _reason_in_text(text)
    return Bounce(recipients, reason, _returned_message_ids(message, text), delayed_only)


def _read_status_parts(parts: list[Message]) -> tuple[tuple[str, ...], str, bool]:
    """Read the per-recipient fields of RFC 3464 status parts: Final-Recipient, Action, Status, Diagnostic-Code."""
    recipients: list[str] = []
    reasons: list[str] = []
    actions: list[str] = []
    for part in parts:
        for fields in _status_field_groups(part):
            recipient = fields.get("final-recipient") or fields.get("original-recipient") or ""
            address = recipient.partition(";")[2].strip().strip("<>") if ";" in recipient else recipient.strip().strip("<>")
            action = fields.get("action", "").strip().lower()
            if not address or action in ("delivered", "relayed", "expanded"):
                continue
            actions.append(action)
            if address.lower() not in recipients:
                recipients.append(address.lower())
            diagnostic = " ".join(fields.get("diagnostic-code", "").partition(";")[2].split())
            status = fields.get("status", "").strip()
            reasons.append(diagnostic or status)
    delayed_only = bool(actions) and all(action == "delayed" for action in actions)
    return tuple(recipients), next((reason for reason in reasons if reason), ""), delayed_only


def _status_field_groups(part: Message) -> list[dict[str, str]]:
    """Return the field groups of a delivery-status part: the per-message group first, then one per recipient."""
    payload = part.get_payload()
    if isinstance(payload, list):
        # Python parses each group of a message/delivery-status part as a header block.
        return [{name.lower(): str(value) for name, value in group.items()} for group in payload if isinstance(group, Message)]
    text = payload if isinstance(payload, str) else ""
    groups = []
    for block in re.split(r"\r?\n\s*\r?\n", text):
        fields: dict[str, str] = {}
        for line in re.split(r"\r?\n(?![ \t])", block):
            name, separator, value = line.partition(":")
            if separator:
                fields[name.strip().lower()] = " ".join(value.split())
        if fields:
            groups.append(fields)
    return groups


def _readable_text(message: Message) -> str:
    """Return the text parts of the report, decoded as well as their charsets allow."""
    texts = []
    for part in message.walk():
        if part.get_content_maintype() != "text":
            continue
        payload = part.get_payload(decode=True)
        if not isinstance(payload, bytes):
            continue
        charset = part.get_content_charset() or "utf-8"
        try:
            texts.append(payload.decode(charset, errors="replace"))
        except LookupError:
            texts.append(payload.decode("utf-8", errors="replace"))
    return "\n".join(texts).replace("\r\n", "\n")


def _addresses_in_text(text: str, patterns: tuple[re.Pattern[str], ...] = FAILED_ADDRESS_PATTERNS) -> tuple[str, ...]:
    for pattern in patterns:
        found = [match.group("address").lower() for match in pattern.finditer(text)]
        if found:
            return tuple(dict.fromkeys(found))
    return ()


def _reason_in_text(text: str) -> str:
    reply = SMTP_REPLY.search(text)
    if reply:
        return " ".join(f"{reply.group(1)} {reply.group(2)}".split())
    status = STATUS_CODE.search(text)
    return status.group(1) if status else ""


def _returned_message_ids(message: Message, text: str) -> tuple[str, ...]:
    """Return the Message-IDs of the returned email, from its attached copy or headers, or quoted in the text."""
    found: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                found.append(str(inner.get("Message-ID")).strip())
        elif content_type in ("text/rfc822-headers", "message/rfc822-headers"):
            payload = part.get_payload(decode=True)
            headers = email.message_from_bytes(payload if isinstance(payload, bytes) else b"", policy=email.policy.compat32)
            if headers.get("Message-ID"):
                found.append(str(headers.get("Message-ID")).strip())
    for line in text.splitlines():
        if line.lower().lstrip().startswith("message-id:"):
            found.extend(MESSAGE_ID.findall(line))
    # Some servers thread the report under the returned email instead of quoting it.
    for header in ("In-Reply-To", "References"):
        found.extend(MESSAGE_ID.findall(str(message.get(header) or "")))
    own_id = str(message.get("Message-ID") or "").strip()
    return tuple(dict.fromkeys(value for value in found if value and value != own_id))
