"""Write the bounce messages of the mail corpus (NAME.eml and NAME.toml) into this folder.

Run it from anywhere with the project's Python: ``python tests/corpus/bounces/make_bounces.py``.
The .eml files here are its output, so change this script and run it again
rather than editing them by hand. Every person, school, host and address is
invented and every domain ends in .example.
"""

from __future__ import annotations

import base64
import json
import quopri
import struct
import zlib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import default as DEFAULT_POLICY
from pathlib import Path

HERE = Path(__file__).parent

BOT = "pst@star-tsa.example"
BOT_NAME = "STAR Teaching School Alliance"
# The moment the world's database records as the sending time of the bot's emails (30 days before Monday 11/01/2027 10:00).
SENT_DATE = "Sat, 12 Dec 2026 10:00:00 +0000"


@dataclass(frozen=True)
class BotEmail:
    """One of the bot's emails in the corpus world, as tests/corpus/README.md lists them."""

    token: str
    case: str
    recipient_name: str
    recipient: str
    subject_text: str
    text: str

    @property
    def message_id(self) -> str:
        return f"<{self.case}.{self.token}@star-tsa.example>"

    @property
    def subject(self) -> str:
        return f"[{self.case}] {self.subject_text}"


SIGN_OFF = "STAR Teaching School Alliance\npst@star-tsa.example\n"

BOT_EMAILS = {
    "e101": BotEmail(
        "e101e101e101e101e101",
        "PST-2026-0101",
        "Mrs Helen Ward",
        "head@oakfield-primary.example",
        "Please endorse a PST visit request for Oakfield Primary School",
        "Dear Mrs Ward,\n\n"
        "Sam Patel has asked the STAR Teaching School Alliance for a visit from a\n"
        "Peer Support Teacher (PST) for Oakfield Primary School, to work on better\n"
        "hinge questions in maths.\n\n"
        "As headteacher, please reply to this email with YES to endorse the request,\n"
        "or NO to decline it.\n\n"
        "Reference: PST-2026-0101\n\n" + SIGN_OFF,
    ),
    "a101": BotEmail(
        "a101a101a101a101a101",
        "PST-2026-0101",
        "Sam Patel",
        "s.patel@oakfield-primary.example",
        "We have received your request for a PST visit",
        "Dear Sam Patel,\n\n"
        "Thank you for your request for a Peer Support Teacher visit. We have asked\n"
        "Mrs Helen Ward to endorse it and will write again when she has replied.\n\n"
        "Reference: PST-2026-0101\n\n" + SIGN_OFF,
    ),
    "c102": BotEmail(
        "c102c102c102c102c102",
        "PST-2026-0102",
        "Mr Luke Barnes",
        "head@northgate-high.example",
        "Please consent to a PST visit to Priya Anand",
        "Dear Mr Barnes,\n\n"
        "Fernhill Community School has asked for a visit from Priya Anand, a Peer\n"
        "Support Teacher at Northgate High School. The visit would take half a day\n"
        "of her time this term.\n\n"
        "Please reply to this email with YES to consent to the visit, or NO to\n"
        "refuse it.\n\n"
        "Reference: PST-2026-0102\n\n" + SIGN_OFF,
    ),
    "b102": BotEmail(
        "b102b102b102b102b102",
        "PST-2026-0102",
        "Priya Anand",
        "p.anand@northgate-high.example",
        "A request to visit you is on its way",
        "Dear Priya,\n\n"
        "Fernhill Community School would like a visit from you. We have asked\n"
        "Mr Luke Barnes for his consent and will let you know when he replies.\n"
        "There is nothing you need to do yet.\n\n"
        "Reference: PST-2026-0102\n\n" + SIGN_OFF,
    ),
    "d103": BotEmail(
        "d103d103d103d103d103",
        "PST-2026-0103",
        "Tom Reid",
        "t.reid@willowbank-primary.example",
        "Session plan needed by 14/01/2027 for the visit on 18/01/2027",
        "Dear Tom,\n\n"
        "Your visit to Fernhill Community School on Monday 18/01/2027 (morning) is\n"
        "confirmed. Please send your session plan by Thursday 14/01/2027, attached\n"
        "to a reply to this email.\n\n"
        "Reference: PST-2026-0103\n\n" + SIGN_OFF,
    ),
    "a103": BotEmail(
        "a103a103a103a103a103",
        "PST-2026-0103",
        "Rory McAllister",
        "r.mcallister@fernhill-community.example",
        "Visit confirmed for 18/01/2027",
        "Dear Rory,\n\n"
        "Tom Reid, Peer Support Teacher at Willowbank Primary School, will visit you\n"
        "on Monday 18/01/2027 in the morning. A calendar invitation and the visit\n"
        "agreement are attached.\n\n"
        "Reference: PST-2026-0103\n\n" + SIGN_OFF,
    ),
    "f104": BotEmail(
        "f104f104f104f104f104",
        "PST-2026-0104",
        "Joy Okafor",
        "j.okafor@castlegate-academy.example",
        "How was your visit to Tom Reid on 07/01/2027?",
        "Dear Joy,\n\n"
        "How was your visit to Tom Reid on Thursday 07/01/2027? Please reply with a\n"
        "few lines on what went well and what you will try next.\n\n"
        "Reference: PST-2026-0104\n\n" + SIGN_OFF,
    ),
}


# ---------------------------------------------------------------------------
# Building blocks


def tiny_png() -> bytes:
    """Return a valid 1x1 transparent PNG, in place of the error icon that Gmail attaches to its bounces."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", 1, 1, 8, 6, 0, 0, 0)
    pixels = zlib.compress(b"\x00\x00\x00\x00\x00")
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def tiny_pdf(title: str) -> bytes:
    """Return a small one-page PDF whose page shows ``title``."""
    stream = f"BT /F1 14 Tf 72 770 Td ({title}) Tj ET".encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = b"%PDF-1.4\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return out


VISIT_INVITE = (
    "BEGIN:VCALENDAR\r\n"
    "PRODID:-//STAR Teaching School Alliance//mailbot//EN\r\n"
    "VERSION:2.0\r\n"
    "METHOD:REQUEST\r\n"
    "BEGIN:VEVENT\r\n"
    "UID:PST-2026-0103-visit-1@star-tsa.example\r\n"
    "SEQUENCE:0\r\n"
    "DTSTAMP:20261212T100000Z\r\n"
    "DTSTART;TZID=Europe/London:20270118T090000\r\n"
    "DTEND;TZID=Europe/London:20270118T120000\r\n"
    "SUMMARY:PST visit: Tom Reid at Fernhill Community School\r\n"
    "ORGANIZER;CN=STAR Teaching School Alliance:mailto:pst@star-tsa.example\r\n"
    "ATTENDEE;CN=Rory McAllister;RSVP=TRUE:mailto:r.mcallister@fernhill-community.example\r\n"
    "END:VEVENT\r\n"
    "END:VCALENDAR\r\n"
)


def bot_original(key: str, *, with_attachments: bool = False) -> str:
    """Return the bot's email ``key`` as the bot's mail library wrote it, with LF line ends."""
    sent = BOT_EMAILS[key]
    message = EmailMessage(policy=DEFAULT_POLICY)
    message["From"] = f"{BOT_NAME} <{BOT}>"
    message["To"] = f"{sent.recipient_name} <{sent.recipient}>"
    message["Subject"] = sent.subject
    message["Date"] = SENT_DATE
    message["Message-ID"] = sent.message_id
    message["Reply-To"] = f"pst+{sent.token}@star-tsa.example"
    paragraphs = "".join(f"<p>{block.replace(chr(10), ' ')}</p>\n" for block in sent.text.strip().split("\n\n"))
    message.set_content(sent.text)
    message.add_alternative(f"<html>\n<body>\n{paragraphs}</body>\n</html>\n", subtype="html")
    if with_attachments:
        message.add_attachment(VISIT_INVITE.encode("ascii"), maintype="text", subtype="calendar", filename="invite.ics", params={"method": "REQUEST"})
        message.add_attachment(tiny_pdf("Visit agreement PST-2026-0103"), maintype="application", subtype="pdf", filename="Visit agreement PST-2026-0103.pdf")
    message["Auto-Submitted"] = "auto-generated"
    message["X-Mailbot-Case"] = sent.case

    number = int(sent.token[:4], 16)
    if message.get_content_type() == "multipart/mixed":
        message.set_boundary(f"==============={number:010d}1111111==")
        message.get_payload()[0].set_boundary(f"==============={number:010d}2222222==")
    else:
        message.set_boundary(f"==============={number:010d}2222222==")
    return message.as_string(policy=DEFAULT_POLICY.clone(linesep="\n"))


def relay_received(key: str, queue_id: str, time: str = "10:00:01") -> str:
    """Return the Received line the alliance's outbound Postfix relay put on the bot's email."""
    return (
        "Received: from mailbot.star-tsa.example (mailbot.star-tsa.example [198.51.100.21])\n"
        f"\tby mail.star-tsa.example (Postfix) with ESMTP id {queue_id}\n"
        f"\tfor <{BOT_EMAILS[key].recipient}>; Sat, 12 Dec 2026 {time} +0000 (GMT)\n"
    )


def returned_headers(original: str) -> str:
    """Return the header block of an email written by ``bot_original``, ending with its blank line."""
    return original.split("\n\n", 1)[0] + "\n"


def qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def write(name: str, raw: str, *, crlf: bool, about: str, client: str, outcome: str, case: str, bounced: str) -> None:
    """Write NAME.eml with the chosen line ends and NAME.toml with a bounce's expectation."""
    text = raw.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    (HERE / f"{name}.eml").write_bytes(text.encode("utf-8"))

    expectation = {
        "about": about,
        "client": client,
        "outcome": outcome,
        "case": case,
        "intent": "",
        "automatic": False,
        "bounced": bounced,
        "attachments": [],
        "opens_case": False,
    }
    lines = [f"{key} = {toml_value(value)}" for key, value in expectation.items()]
    (HERE / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def inbound_received(helo: str, address: str, queue_id: str, date: str, *, auth: str | None = None) -> str:
    """Return the Return-Path, Delivered-To and Received lines the alliance's inbound host adds."""
    lines = (
        "Return-Path: <>\n"
        "Delivered-To: pst@star-tsa.example\n"
        f"Received: from {helo} ({helo} [{address}])\n"
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {queue_id}\n"
        f"\tfor <pst@star-tsa.example>; {date}\n"
    )
    if auth:
        lines += f"Authentication-Results: mx.star-tsa.example;\n{auth}"
    return lines


# ---------------------------------------------------------------------------
# Postfix (the alliance's own outbound relay, mail.star-tsa.example)

POSTFIX_PREAMBLE = (
    "This is the mail system at host mail.star-tsa.example.\n\n"
    "I'm sorry to have to inform you that your message could not\n"
    "be delivered to one or more recipients. It's attached below.\n\n"
    "For further assistance, please send mail to postmaster.\n\n"
    "If you do so, please include this problem report. You can\n"
    "delete your own text from the attached returned message.\n\n"
    "                   The mail system\n\n"
)


def postfix_report(*, queue_id: str, bounce_id: str, stamp: str, date: str, subject: str, text: str, status: str, returned: str, returned_type: str) -> str:
    """Return a Postfix DSN from the outbound relay, delivered to the bot's mailbox."""
    boundary = f"{bounce_id}.{stamp}/mail.star-tsa.example"
    description = "Undelivered Message" if returned_type == "message/rfc822" else "Undelivered Message Headers"
    return (
        "Return-Path: <>\n"
        "Delivered-To: pst@star-tsa.example\n"
        "Received: from mail.star-tsa.example (mail.star-tsa.example [198.51.100.20])\n"
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {queue_id}\n"
        f"\tfor <pst@star-tsa.example>; {date}\n"
        f"Received: by mail.star-tsa.example (Postfix)\n\tid {bounce_id}; {date}\n"
        f"Date: {date}\n"
        "From: MAILER-DAEMON@mail.star-tsa.example (Mail Delivery System)\n"
        f"Subject: {subject}\n"
        "To: pst@star-tsa.example\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n'
        "Content-Transfer-Encoding: 8bit\n"
        f"Message-Id: <{stamp_to_id(date)}.{bounce_id}@mail.star-tsa.example>\n\n"
        "This is a MIME-encapsulated message.\n\n"
        f"--{boundary}\n"
        "Content-Description: Notification\n"
        "Content-Type: text/plain; charset=us-ascii\n\n"
        f"{text}\n"
        f"--{boundary}\n"
        "Content-Description: Delivery report\n"
        "Content-Type: message/delivery-status\n\n"
        f"{status}\n"
        f"--{boundary}\n"
        f"Content-Description: {description}\n"
        f"Content-Type: {returned_type}\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{returned}\n"
        f"--{boundary}--\n"
    )


def stamp_to_id(date: str) -> str:
    """Turn 'Sat, 12 Dec 2026 10:00:02 +0000 (GMT)' into Postfix's Message-Id prefix '20261212100002'."""
    months = {"Dec": "12", "Jan": "01"}
    _, day, month, year, clock, *_ = date.split()
    return f"{year}{months[month]}{int(day):02d}{clock.replace(':', '')}"


def postfix_user_rejected() -> None:
    sent = BOT_EMAILS["e101"]
    original = relay_received("e101", "4GQ2Xk1bV7z9tB3") + bot_original("e101")
    text = POSTFIX_PREAMBLE + (
        "<head@oakfield-primary.example>: host\n"
        "    oakfieldprimary-example.mail.protection.outlook.example[192.0.2.51] said:\n"
        "    550 5.4.1 Recipient address rejected: Access denied.\n"
        "    AS(201806281) [LO2GBR01FT012.eop-gbr01.prod.protection.outlook.example\n"
        "    2026-12-12T10:00:02.318Z 08DD1A2B3C4D5E6F] (in reply to RCPT TO command)\n"
    )
    status = (
        "Reporting-MTA: dns; mail.star-tsa.example\n"
        "X-Postfix-Queue-ID: 4GQ2Xk1bV7z9tB3\n"
        "X-Postfix-Sender: rfc822; pst@star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n\n"
        "Final-Recipient: rfc822; head@oakfield-primary.example\n"
        "Original-Recipient: rfc822;head@oakfield-primary.example\n"
        "Action: failed\n"
        "Status: 5.4.1\n"
        "Remote-MTA: dns; oakfieldprimary-example.mail.protection.outlook.example\n"
        "Diagnostic-Code: smtp; 550 5.4.1 Recipient address rejected: Access denied.\n"
        "    AS(201806281) [LO2GBR01FT012.eop-gbr01.prod.protection.outlook.example\n"
        "    2026-12-12T10:00:02.318Z 08DD1A2B3C4D5E6F]\n"
    )
    raw = postfix_report(
        queue_id="4GQ2Xm3kLpz3wQ7", bounce_id="4GQ2Xm0Pq3z9tB5", stamp="1796983202", date="Sat, 12 Dec 2026 10:00:02 +0000 (GMT)",
        subject="Undelivered Mail Returned to Sender", text=text, status=status, returned=original, returned_type="message/rfc822",
    )
    write(
        "postfix-recipient-rejected", raw, crlf=False,
        about="Postfix multipart/report from MAILER-DAEMON with Return-Path <>: the endorsement request to the Oakfield head was rejected at RCPT, returned whole.",
        client="postfix", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def postfix_over_quota_headers() -> None:
    sent = BOT_EMAILS["b102"]
    headers = relay_received("b102", "4GQ2Xk4sTnz9tC1") + returned_headers(bot_original("b102"))
    text = POSTFIX_PREAMBLE.replace("It's attached below", "Its headers are attached below") + (
        "<p.anand@northgate-high.example>: host aspmx.l.google.example[192.0.2.90] said:\n"
        "    552-5.2.2 The recipient's inbox is out of storage space. Please direct the\n"
        "    552-5.2.2 recipient to 552 5.2.2  https://support.google.example/mail/?p=OverQuotaPerm\n"
        "    a640c23a62f3a-aa6f2b0c1d2si112233kab.140 - gsmtp (in reply to end of DATA\n"
        "    command)\n"
    )
    status = (
        "Reporting-MTA: dns; mail.star-tsa.example\n"
        "X-Postfix-Queue-ID: 4GQ2Xk4sTnz9tC1\n"
        "X-Postfix-Sender: rfc822; pst@star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n\n"
        "Final-Recipient: rfc822; p.anand@northgate-high.example\n"
        "Original-Recipient: rfc822;p.anand@northgate-high.example\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "Remote-MTA: dns; aspmx.l.google.example\n"
        "Diagnostic-Code: smtp; 552-5.2.2 The recipient's inbox is out of storage\n"
        "    space. Please direct the 552-5.2.2 recipient to 552 5.2.2\n"
        "    https://support.google.example/mail/?p=OverQuotaPerm\n"
        "    a640c23a62f3a-aa6f2b0c1d2si112233kab.140 - gsmtp\n"
    )
    raw = postfix_report(
        queue_id="4GQ2Xp1ZrVz3wQ9", bounce_id="4GQ2Xn6HcWz9tC4", stamp="1796983203", date="Sat, 12 Dec 2026 10:00:03 +0000 (GMT)",
        subject="Undelivered Mail Returned to Sender", text=text, status=status, returned=headers, returned_type="text/rfc822-headers",
    )
    write(
        "postfix-over-quota-headers-only", raw, crlf=True,
        about="Postfix report with only text/rfc822-headers returned: the PST notice to Priya Anand failed because her Google inbox is full.",
        client="postfix", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def postfix_delay_warning() -> None:
    sent = BOT_EMAILS["d103"]
    headers = relay_received("d103", "4GQ2Xk7yBdz9tC6") + returned_headers(bot_original("d103"))
    text = (
        "This is the mail system at host mail.star-tsa.example.\n\n"
        "####################################################################\n"
        "# THIS IS A WARNING ONLY.  YOU DO NOT NEED TO RESEND YOUR MESSAGE. #\n"
        "####################################################################\n\n"
        "Your message could not be delivered for more than 4 hour(s).\n"
        "It will be retried until it is 5 day(s) old.\n\n"
        "For further assistance, please send mail to postmaster.\n\n"
        "If you do so, please include this problem report. You can\n"
        "delete your own text from the attached returned message.\n\n"
        "                   The mail system\n\n"
        "<t.reid@willowbank-primary.example>: connect to\n"
        "    mail.willowbank-primary.example[203.0.113.77]:25: Connection timed out\n"
    )
    status = (
        "Reporting-MTA: dns; mail.star-tsa.example\n"
        "X-Postfix-Queue-ID: 4GQ2Xk7yBdz9tC6\n"
        "X-Postfix-Sender: rfc822; pst@star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n\n"
        "Final-Recipient: rfc822; t.reid@willowbank-primary.example\n"
        "Original-Recipient: rfc822;t.reid@willowbank-primary.example\n"
        "Action: delayed\n"
        "Status: 4.4.1\n"
        "Diagnostic-Code: X-Postfix; connect to\n"
        "    mail.willowbank-primary.example[203.0.113.77]:25: Connection timed out\n"
        "Will-Retry-Until: Thu, 17 Dec 2026 10:00:01 +0000 (GMT)\n"
    )
    raw = postfix_report(
        queue_id="4GQ8kT2nWbz3wR2", bounce_id="4GQ8kS5fJxz9tD0", stamp="1796997612", date="Sat, 12 Dec 2026 14:00:12 +0000 (GMT)",
        subject="Delayed Mail (still being retried)", text=text, status=status, returned=headers, returned_type="text/rfc822-headers",
    )
    write(
        "postfix-delay-warning", raw, crlf=True,
        about="Postfix delay warning (Action: delayed) for the session plan request to Tom Reid: not a failure, so no address bounced, but it is filed under its case.",
        client="postfix", outcome="processed", case=sent.case, bounced="",
    )


def postfix_host_not_found() -> None:
    sent = BOT_EMAILS["f104"]
    original = relay_received("f104", "4GQ2XkB1Mfz9tC8") + bot_original("f104")
    text = POSTFIX_PREAMBLE + (
        "<j.okafor@castlegate-academy.example>: Host or domain name not found. Name\n"
        "    service error for name=castlegate-academy.example type=MX: Host not found,\n"
        "    try again\n"
    )
    status = (
        "Reporting-MTA: dns; mail.star-tsa.example\n"
        "X-Postfix-Queue-ID: 4GQ2XkB1Mfz9tC8\n"
        "X-Postfix-Sender: rfc822; pst@star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n\n"
        "Final-Recipient: rfc822; j.okafor@castlegate-academy.example\n"
        "Original-Recipient: rfc822;j.okafor@castlegate-academy.example\n"
        "Action: failed\n"
        "Status: 5.4.4\n"
        "Diagnostic-Code: X-Postfix; Host or domain name not found. Name service error\n"
        "    for name=castlegate-academy.example type=MX: Host not found, try again\n"
    )
    raw = postfix_report(
        queue_id="4GQ2Xq0AbCz3wR5", bounce_id="4GQ2Xp8DeFz9tD2", stamp="1796983204", date="Sat, 12 Dec 2026 10:00:04 +0000 (GMT)",
        subject="Undelivered Mail Returned to Sender", text=text, status=status, returned=original, returned_type="message/rfc822",
    )
    write(
        "postfix-domain-not-found", raw, crlf=False,
        about="Postfix report with status 5.4.4: the feedback request to Joy Okafor failed because her school's domain had no MX record.",
        client="postfix", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def postfix_unknown_email() -> None:
    # An email the bot sent before this world began: its Message-ID is in the bot's form but not in the outbox.
    original = (
        "Received: from mailbot.star-tsa.example (mailbot.star-tsa.example [198.51.100.21])\n"
        "\tby mail.star-tsa.example (Postfix) with ESMTP id 4GQ2XkD7Rtz9tD4\n"
        "\tfor <old.head@brookvale-primary.example>; Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n"
        'Content-Type: multipart/alternative; boundary="===============0000003084222222=="\n'
        "MIME-Version: 1.0\n"
        f"From: {BOT_NAME} <{BOT}>\n"
        "To: Mr Alan Frost <old.head@brookvale-primary.example>\n"
        "Subject: Your Peer Support Teacher designation ends on 31/12/2026\n"
        f"Date: {SENT_DATE}\n"
        "Message-ID: <mailbot.0c0f1e2d3c4b5a697887@star-tsa.example>\n"
        "Reply-To: pst+0c0f1e2d3c4b5a697887@star-tsa.example\n"
        "Auto-Submitted: auto-generated\n\n"
        "--===============0000003084222222==\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: 7bit\n\n"
        "Dear Mr Frost,\n\n"
        "The designation of your school's Peer Support Teacher ends on 31/12/2026.\n"
        "Please tell us whether you would like to renew it.\n\n" + SIGN_OFF + "\n"
        "--===============0000003084222222==\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: 7bit\n\n"
        "<html>\n<body>\n<p>Dear Mr Frost,</p>\n"
        "<p>The designation of your school's Peer Support Teacher ends on 31/12/2026. "
        "Please tell us whether you would like to renew it.</p>\n</body>\n</html>\n\n"
        "--===============0000003084222222==--\n"
    )
    text = POSTFIX_PREAMBLE + (
        "<old.head@brookvale-primary.example>: host mx.brookvale-primary.example[203.0.113.14]\n"
        "    said: 550 5.1.1 <old.head@brookvale-primary.example>: Recipient address\n"
        "    rejected: User unknown in virtual mailbox table (in reply to RCPT TO\n"
        "    command)\n"
    )
    status = (
        "Reporting-MTA: dns; mail.star-tsa.example\n"
        "X-Postfix-Queue-ID: 4GQ2XkD7Rtz9tD4\n"
        "X-Postfix-Sender: rfc822; pst@star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:01 +0000 (GMT)\n\n"
        "Final-Recipient: rfc822; old.head@brookvale-primary.example\n"
        "Original-Recipient: rfc822;old.head@brookvale-primary.example\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; mx.brookvale-primary.example\n"
        "Diagnostic-Code: smtp; 550 5.1.1 <old.head@brookvale-primary.example>:\n"
        "    Recipient address rejected: User unknown in virtual mailbox table\n"
    )
    raw = postfix_report(
        queue_id="4GQ2Xr2GhJz3wR8", bounce_id="4GQ2Xq9KlMz9tD6", stamp="1796983205", date="Sat, 12 Dec 2026 10:00:05 +0000 (GMT)",
        subject="Undelivered Mail Returned to Sender", text=text, status=status, returned=original, returned_type="message/rfc822",
    )
    write(
        "postfix-unknown-bot-email", raw, crlf=False,
        about="Postfix report for an address the bot's outbox never wrote to, quoting a Message-ID in the bot's form that matches no email, so it needs attention.",
        client="postfix", outcome="attention", case="", bounced="old.head@brookvale-primary.example",
    )


# ---------------------------------------------------------------------------
# Exim

EXIM_INTRO = (
    "This message was created automatically by mail delivery software.\n\n"
    "A message that you sent could not be delivered to one or more of its\n"
    "recipients. This is a permanent error. The following address(es) failed:\n\n"
)


def exim_plain_quota() -> None:
    sent = BOT_EMAILS["a103"]
    original = (
        "Return-path: <pst@star-tsa.example>\n"
        "Received: from mail.star-tsa.example ([198.51.100.20]:41822)\n"
        "\tby server12.fernhill-hosting.example with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
        "\t(Exim 4.96.2)\n"
        "\t(envelope-from <pst@star-tsa.example>)\n"
        "\tid 1tLm3P-0007XW-0x\n"
        "\tfor r.mcallister@fernhill-community.example;\n"
        "\tSat, 12 Dec 2026 10:00:03 +0000\n"
        + relay_received("a103", "4GQ2XkF2Wvz9tD9")
        + bot_original("a103", with_attachments=True)
    )
    raw = (
        "Return-Path: <>\n"
        "Delivered-To: pst@star-tsa.example\n"
        "Received: from server12.fernhill-hosting.example (server12.fernhill-hosting.example [203.0.113.40])\n"
        "\tby mx.star-tsa.example (Postfix) with ESMTPS id 4GQ2Xt5NpQz3wS1\n"
        "\tfor <pst@star-tsa.example>; Sat, 12 Dec 2026 10:00:05 +0000 (GMT)\n"
        "Received: from mailnull by server12.fernhill-hosting.example with local (Exim 4.96.2)\n"
        "\tid 1tLm3Q-0007Xh-2K\n"
        "\tfor pst@star-tsa.example;\n"
        "\tSat, 12 Dec 2026 10:00:04 +0000\n"
        "X-Failed-Recipients: r.mcallister@fernhill-community.example\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@server12.fernhill-hosting.example>\n"
        "To: pst@star-tsa.example\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1tLm3Q-0007Xh-2K@server12.fernhill-hosting.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:04 +0000\n\n"
        + EXIM_INTRO
        + "  r.mcallister@fernhill-community.example\n"
        "    Mailbox quota exceeded\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        + original
    )
    write(
        "exim-plain-quota-exceeded", raw, crlf=False,
        about="Exim plain-text 'Mail delivery failed: returning message to sender' with the whole visit confirmation, attachments and all, copied below the report.",
        client="exim", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exim_plain_headers_only() -> None:
    sent = BOT_EMAILS["a101"]
    headers = (
        "Return-path: <pst@star-tsa.example>\n"
        "Received: from mail.star-tsa.example ([198.51.100.20]:50214)\n"
        "\tby relay.oakfield-primary.example with esmtps  (TLS1.2) tls TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384\n"
        "\t(Exim 4.95)\n"
        "\t(envelope-from <pst@star-tsa.example>)\n"
        "\tid 1tLm3R-0001aB-3F\n"
        "\tfor s.patel@oakfield-primary.example;\n"
        "\tSat, 12 Dec 2026 10:00:03 +0000\n"
        + relay_received("a101", "4GQ2XkH5Yxz9tE1")
        + returned_headers(bot_original("a101"))
    )
    raw = (
        inbound_received("relay.oakfield-primary.example", "203.0.113.52", "4GQ9bC1dEfz3wS4", "Sat, 12 Dec 2026 16:00:09 +0000 (GMT)")
        + "Received: from mailnull by relay.oakfield-primary.example with local (Exim 4.95)\n"
        "\tid 1tLrQb-0003Zk-4M\n"
        "\tfor pst@star-tsa.example;\n"
        "\tSat, 12 Dec 2026 16:00:08 +0000\n"
        "X-Failed-Recipients: s.patel@oakfield-primary.example\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@relay.oakfield-primary.example>\n"
        "To: pst@star-tsa.example\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1tLrQb-0003Zk-4M@relay.oakfield-primary.example>\n"
        "Date: Sat, 12 Dec 2026 16:00:08 +0000\n\n"
        + EXIM_INTRO
        + "  s.patel@oakfield-primary.example\n"
        "    retry timeout exceeded\n\n"
        "------ This is a copy of the message's headers. ------\n\n"
        + headers
    )
    write(
        "exim-plain-headers-only", raw, crlf=True,
        about="Exim plain-text bounce after its retry timeout that returns only the acknowledgement's headers, with the bot's Message-ID among them.",
        client="exim", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exim_mime_report() -> None:
    sent = BOT_EMAILS["f104"]
    boundary = "1765533611-eximdsn-1804289383"
    original = (
        "Return-path: <pst@star-tsa.example>\n"
        "Received: from mail.star-tsa.example ([198.51.100.20]:39902)\n"
        "\tby cp3.castlegate-hosting.example with esmtps  (TLS1.3) tls TLS_AES_256_GCM_SHA384\n"
        "\t(Exim 4.97.1)\n"
        "\t(envelope-from <pst@star-tsa.example>)\n"
        "\tid 1tLm3W-0002QZ-0a\n"
        "\tfor j.okafor@castlegate-academy.example;\n"
        "\tSat, 12 Dec 2026 10:00:10 +0000\n"
        + relay_received("f104", "4GQ2XkK8Bcz9tE3", "10:00:09")
        + bot_original("f104")
    )
    raw = (
        inbound_received(
            "cp3.castlegate-hosting.example", "203.0.113.61", "4GQ2Xw8RsTz3wS7", "Sat, 12 Dec 2026 10:00:12 +0000 (GMT)",
            auth="\tspf=pass (helo) smtp.helo=cp3.castlegate-hosting.example;\n\tdkim=none;\n\tdmarc=none header.from=cp3.castlegate-hosting.example\n",
        )
        + "Received: from mailnull by cp3.castlegate-hosting.example with local (Exim 4.97.1)\n"
        "\tid 1tLm3X-0002Qa-1c\n"
        "\tfor pst@star-tsa.example;\n"
        "\tSat, 12 Dec 2026 10:00:11 +0000\n"
        "X-Failed-Recipients: j.okafor@castlegate-academy.example\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@cp3.castlegate-hosting.example>\n"
        "To: pst@star-tsa.example\n"
        f"References: {sent.message_id}\n"
        f"Content-Type: multipart/report; report-type=delivery-status; boundary={boundary}\n"
        "MIME-Version: 1.0\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1tLm3X-0002Qa-1c@cp3.castlegate-hosting.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:11 +0000\n\n"
        f"--{boundary}\n"
        "Content-type: text/plain; charset=us-ascii\n\n"
        + EXIM_INTRO
        + "  j.okafor@castlegate-academy.example\n"
        "    No Such User Here\n\n"
        f"--{boundary}\n"
        "Content-type: message/delivery-status\n\n"
        "Reporting-MTA: dns; cp3.castlegate-hosting.example\n\n"
        "Action: failed\n"
        "Final-Recipient: rfc822;j.okafor@castlegate-academy.example\n"
        "Status: 5.0.0\n\n"
        f"--{boundary}\n"
        "Content-type: message/rfc822\n\n"
        + original
        + f"\n--{boundary}--\n"
    )
    write(
        "exim-mime-report", raw, crlf=False,
        about="Exim 4.97 bounce as multipart/report with a References header, a delivery-status part and the returned feedback request.",
        client="exim", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exim_backscatter() -> None:
    # Spam that forged the bot's address as its sender bounced back to it.
    raw = (
        inbound_received("mx2.lindenmoor-college.example", "203.0.113.118", "4GSbQ2vWxYz3wT1", "Sun, 10 Jan 2027 22:14:40 +0000 (GMT)")
        + "Received: from mailnull by mx2.lindenmoor-college.example with local (Exim 4.96)\n"
        "\tid 1tWaZc-0005kL-7Q\n"
        "\tfor pst@star-tsa.example;\n"
        "\tSun, 10 Jan 2027 22:14:39 +0000\n"
        "X-Failed-Recipients: accounts.payable@lindenmoor-college.example\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@mx2.lindenmoor-college.example>\n"
        "To: pst@star-tsa.example\n"
        "Subject: Mail delivery failed: returning message to sender\n"
        "Message-Id: <E1tWaZc-0005kL-7Q@mx2.lindenmoor-college.example>\n"
        "Date: Sun, 10 Jan 2027 22:14:39 +0000\n\n"
        + EXIM_INTRO
        + "  accounts.payable@lindenmoor-college.example\n"
        "    (generated from invoices@lindenmoor-college.example)\n"
        "    Unrouteable address\n\n"
        "------ This is a copy of the message, including all the headers. ------\n\n"
        "Return-path: <pst@star-tsa.example>\n"
        "Received: from [203.0.113.201] (helo=cheap-hosting-vps.example)\n"
        "\tby mx2.lindenmoor-college.example with esmtp (Exim 4.96)\n"
        "\t(envelope-from <pst@star-tsa.example>)\n"
        "\tid 1tWaZb-0005kD-2y\n"
        "\tfor invoices@lindenmoor-college.example;\n"
        "\tSun, 10 Jan 2027 22:14:38 +0000\n"
        "From: \"Accounts Dept\" <pst@star-tsa.example>\n"
        "To: invoices@lindenmoor-college.example\n"
        "Subject: Overdue invoice INV-20931 - payment required today\n"
        "Date: Sun, 10 Jan 2027 23:14:31 +0100\n"
        "Message-ID: <8f3e21c7a90b4d55@cheap-hosting-vps.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=\"us-ascii\"\n\n"
        "Please find the overdue invoice at the link below and pay it today to avoid\n"
        "a late fee.\n"
    )
    write(
        "exim-backscatter-forged-sender", raw, crlf=True,
        about="Exim bounce of spam that forged the bot's address as its sender: the returned Message-ID belongs to no bot email, so it needs attention.",
        client="exim", outcome="attention", case="", bounced="accounts.payable@lindenmoor-college.example",
    )


def exim_delay_warning() -> None:
    sent = BOT_EMAILS["a103"]
    raw = (
        inbound_received("server12.fernhill-hosting.example", "203.0.113.40", "4GRs1bT2cDz3wT4", "Sun, 13 Dec 2026 10:05:21 +0000 (GMT)")
        + "Received: from mailnull by server12.fernhill-hosting.example with local (Exim 4.96.2)\n"
        "\tid 1tM8pe-0009Ab-0R\n"
        "\tfor pst@star-tsa.example;\n"
        "\tSun, 13 Dec 2026 10:05:20 +0000\n"
        "Auto-Submitted: auto-replied\n"
        "From: Mail Delivery System <Mailer-Daemon@server12.fernhill-hosting.example>\n"
        "To: pst@star-tsa.example\n"
        f"References: {sent.message_id}\n"
        "Subject: Warning: message 1tLm3P-0007XW-0x delayed 24 hours\n"
        "Message-Id: <E1tM8pe-0009Ab-0R@server12.fernhill-hosting.example>\n"
        "Date: Sun, 13 Dec 2026 10:05:20 +0000\n\n"
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered to one or more of its\n"
        "recipients after more than 24 hours on the queue on server12.fernhill-hosting.example.\n\n"
        "The message identifier is:     1tLm3P-0007XW-0x\n"
        f"The subject of the message is: {sent.subject}\n"
        f"The date of the message is:    {SENT_DATE}\n\n"
        "The address to which the message has not yet been delivered is:\n\n"
        "  r.mcallister@fernhill-community.example\n"
        "    Delay reason: mailbox is full\n\n"
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered. Eventually the mail delivery software will give up,\n"
        "and when that happens, the message will be returned to you.\n"
    )
    write(
        "exim-delay-warning", raw, crlf=False,
        about="Exim plain-text 'delayed 24 hours' warning naming the visit confirmation in its References: not a failure, so no address bounced, but filed under the case.",
        client="exim", outcome="processed", case=sent.case, bounced="",
    )


# ---------------------------------------------------------------------------
# Microsoft Exchange and Microsoft 365

M365_HOST = "LO2P265MB5127.GBRP265.PROD.OUTLOOK.EXAMPLE"


def m365_ndr(
    *, key: str, ndr_id: str, thread_index: str, date: str, language: str, subject_prefix: str, text: str, html: str,
    status: str, returned: str, returned_type: str, sender: str,
) -> str:
    """Return a Microsoft 365 NDR: text and HTML, a delivery-status part and the returned email or its headers."""
    sent = BOT_EMAILS[key]
    outer = f"{ndr_id}-outer"
    inner = f"{ndr_id}-inner"
    return (
        inbound_received(
            "LO2P265CU007.outbound.protection.outlook.example", "192.0.2.143", f"4GQ2Y{ndr_id[:8].upper()}", date,
            auth="\tspf=pass (helo) smtp.helo=LO2P265CU007.outbound.protection.outlook.example;\n\tdkim=none;\n\tdmarc=none\n",
        )
        + f"Received: from {M365_HOST} ({M365_HOST.lower()}) by\n"
        f" {M365_HOST} with Microsoft SMTP Server id 15.20.8293.22; {date}\n"
        f"From: {sender}\n"
        "To: <pst@star-tsa.example>\n"
        f"Date: {date}\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{outer}"\n'
        "X-MS-Exchange-Message-Is-Ndr:\n"
        f"Content-Language: {language}\n"
        f"Message-ID: <{ndr_id}@{M365_HOST}>\n"
        f"In-Reply-To: {sent.message_id}\n"
        f"References: {sent.message_id}\n"
        f"Thread-Topic: {sent.subject}\n"
        f"Thread-Index: {thread_index}\n"
        f"Subject: {subject_prefix} {sent.subject}\n"
        "Auto-Submitted: auto-replied\n"
        "X-MS-PublicTrafficType: Email\n"
        "MIME-Version: 1.0\n\n"
        f"--{outer}\n"
        "Content-Type: multipart/alternative; differences=Content-Type;\n"
        f'\tboundary="{inner}"\n\n'
        f"--{inner}\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(text)}\n"
        f"--{inner}\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html)}\n"
        f"--{inner}--\n\n"
        f"--{outer}\n"
        "Content-Type: message/delivery-status\n\n"
        f"{status}\n"
        f"--{outer}\n"
        f"Content-Type: {returned_type}\n\n"
        f"{returned}\n"
        f"--{outer}--\n"
    )


def m365_html(heading: str, paragraphs: list[str]) -> str:
    body = "".join(f'<p style="font-family:\'Segoe UI\',Frutiger,Arial,sans-serif;font-size:14px">{paragraph}</p>\n' for paragraph in paragraphs)
    return (
        "<html>\n<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n</head>\n<body>\n"
        '<table width="710" cellpadding="0" cellspacing="0" border="0" style="border-collapse:collapse">\n<tr><td>\n'
        f'<p style="font-family:\'Segoe UI\',Frutiger,Arial,sans-serif;font-size:21px;color:#c00000">{heading}</p>\n'
        f"{body}</td></tr>\n</table>\n</body>\n</html>\n"
    )


def exchange_m365_mailbox_full() -> None:
    sent = BOT_EMAILS["a101"]
    original = relay_received("a101", "4GQ2XkM3Dez9tE5") + bot_original("a101")
    text = (
        "Your message to S.Patel@oakfield-primary.example couldn't be delivered.\n\n"
        "S.Patel's mailbox is full.\n\n"
        "pst                 Office 365                 S.Patel\n"
        "Action Required                                      Recipient\n\n"
        "Mailbox full\n\n"
        "How to Fix It\n"
        "The recipient's mailbox is full and can't accept messages now. Please try\n"
        "resending your message later, or contact the recipient directly.\n\n"
        "More Info for Email Admins\n"
        "Status code: 554 5.2.2\n\n"
        "Original Message Details\n"
        "Created Date:    12/12/2026 10:00:00\n"
        "Sender Address:    pst@star-tsa.example\n"
        "Recipient Address:    S.Patel@oakfield-primary.example\n"
        f"Subject:    {sent.subject}\n\n"
        "Error Details\n"
        "Error:    554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded\n"
        f"Message rejected by:    {M365_HOST}\n\n"
        "Original Message Headers\n\n"
        + returned_headers(bot_original("a101"))
    )
    html = m365_html(
        "Your message to S.Patel@oakfield-primary.example couldn't be delivered.",
        [
            "<b>S.Patel</b>'s mailbox is full.",
            "<b>How to Fix It</b><br>The recipient's mailbox is full and can't accept messages now. "
            "Please try resending your message later, or contact the recipient directly.",
            "<b>More Info for Email Admins</b><br>Status code: 554 5.2.2",
        ],
    )
    status = (
        f"Reporting-MTA: dns;{M365_HOST}\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:02 +0000\n\n"
        "Final-Recipient: rfc822;S.Patel@Oakfield-Primary.example\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "Diagnostic-Code: smtp;554 5.2.2 mailbox full;\n"
        " STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded;\n"
        " Failed to process message due to a permanent exception with message [BeginDiagnosticData]\n"
        " Cannot open mailbox. 16.55847:0A000000 [EndDiagnosticData]\n"
    )
    raw = m365_ndr(
        key="a101", ndr_id="7d4c1e0a-5b3f-4f0e-9a61-2c8d7e6f5a41", thread_index="AQHbTGaQ1f3k9C6xGUuWq8nRz5sYxA==",
        date="Sat, 12 Dec 2026 10:00:06 +0000", language="en-GB", subject_prefix="Undeliverable:", text=text, html=html,
        status=status, returned=original, returned_type="message/rfc822",
        sender="Microsoft Outlook <postmaster@oakfieldprimary.onmicrosoft.example>",
    )
    write(
        "exchange-m365-mailbox-full", raw, crlf=True,
        about="Microsoft 365 'Undeliverable:' report for a full mailbox, naming the recipient in mixed case, which must be read back in lower case.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_m365_headers_only() -> None:
    sent = BOT_EMAILS["e101"]
    # Exchange folds a long Message-ID onto its own line in the returned headers.
    headers = returned_headers(bot_original("e101")).replace(f"Message-ID: {sent.message_id}", f"Message-ID:\n {sent.message_id}")
    text = (
        "Your message to head@oakfield-primary.example couldn't be delivered.\n\n"
        "head wasn't found at oakfield-primary.example.\n\n"
        "pst                 Office 365                 head\n"
        "Action Required                                      Recipient\n\n"
        "Unknown To address\n\n"
        "How to Fix It\n"
        "The address may be misspelled or may not exist. Try one or more of the following:\n"
        "- Retype the recipient's address, then resend the message.\n"
        "- Contact the recipient by some other means to confirm the address.\n\n"
        "More Info for Email Admins\n"
        "Status code: 550 5.1.10\n"
    )
    html = m365_html(
        "Your message to head@oakfield-primary.example couldn't be delivered.",
        ["<b>head</b> wasn't found at <b>oakfield-primary.example</b>.", "<b>More Info for Email Admins</b><br>Status code: 550 5.1.10"],
    )
    status = (
        f"Reporting-MTA: dns;{M365_HOST}\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:02 +0000\n\n"
        "Final-Recipient: rfc822;head@oakfield-primary.example\n"
        "Action: failed\n"
        "Status: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not\n"
        " found by SMTP address lookup\n"
    )
    raw = m365_ndr(
        key="e101", ndr_id="0b9e6a12-3c48-4d7f-8e25-91a6f0c3d7b2", thread_index="AQHbTGaRw0tq2YlN8EqT3u1dP6yHfA==",
        date="Sat, 12 Dec 2026 10:00:05 +0000", language="en-GB", subject_prefix="Undeliverable:", text=text, html=html,
        status=status, returned=headers, returned_type="text/rfc822-headers",
        sender="Microsoft Outlook <MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@oakfield-primary.example>",
    )
    write(
        "exchange-m365-headers-folded-id", raw, crlf=True,
        about="Microsoft 365 NDR that returns only text/rfc822-headers, with the bot's Message-ID folded onto a continuation line.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_plain_text() -> None:
    sent = BOT_EMAILS["d103"]
    headers = relay_received("d103", "4GQ2XkP6Gfz9tE7") + returned_headers(bot_original("d103"))
    raw = (
        inbound_received(
            "mail.willowbank-primary.example", "203.0.113.77", "4GQ2Y3vKwLz3wT6", "Sat, 12 Dec 2026 10:00:09 +0000 (GMT)",
        )
        + "Received: from WBPS-EX01.willowbank-primary.example (10.10.1.5) by\n"
        " mail.willowbank-primary.example (10.10.1.4) with Microsoft SMTP Server id\n"
        " 15.1.2507.39; Sat, 12 Dec 2026 10:00:08 +0000\n"
        "From: <postmaster@willowbank-primary.example>\n"
        "To: <pst@star-tsa.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:08 +0000\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: 7bit\n"
        "Content-Language: en-GB\n"
        "Message-ID: <5e1c0a3b-7d42-4f96-b8e1-0f2a9c6d3e57@WBPS-EX01.willowbank-primary.example>\n"
        f"Subject: Undeliverable: {sent.subject}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n\n"
        "Delivery has failed to these recipients or groups:\n\n"
        "t.reid@willowbank-primary.example\n"
        "The email address you entered couldn't be found. Please check the recipient's email address and try to resend the message. If the problem continues, please contact your helpdesk.\n\n\n\n\n\n"
        "Diagnostic information for administrators:\n\n"
        "Generating server: WBPS-EX01.willowbank-primary.example\n\n"
        "t.reid@willowbank-primary.example\n"
        "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\n"
        "Original message headers:\n\n"
        + headers
    )
    write(
        "exchange-plain-text-ndr", raw, crlf=True,
        about="Exchange Server plain-text NDR 'Delivery has failed to these recipients or groups:' with no report part, the original headers quoted as text.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_2010_display_name() -> None:
    sent = BOT_EMAILS["c102"]
    boundary = "_a1b2c3d4-e5f6-47a8-9b0c-1d2e3f4a5b6c_"
    original = relay_received("c102", "4GQ2XkR9Jgz9tF0") + bot_original("c102")
    text = (
        "Delivery has failed to these recipients or groups:\n\n"
        "Mr Luke Barnes\n"
        "Your message wasn't delivered because the recipient's mailbox has been disabled.\n\n\n\n\n\n"
        "Diagnostic information for administrators:\n\n"
        "Generating server: NGH-EX2010.northgate-high.example\n\n"
        "head@northgate-high.example\n"
        "#550 5.2.1 STOREDRV.Deliver; mailbox disabled ##\n\n"
        "Original message headers:\n\n"
        + returned_headers(bot_original("c102"))
    )
    raw = (
        inbound_received("mail.northgate-high.example", "203.0.113.88", "4GQ2Y5aBcDz3wT9", "Sat, 12 Dec 2026 10:00:07 +0000 (GMT)")
        + "From: Microsoft Exchange\n"
        "\t<MicrosoftExchange329e71ec88ae4615bbc36ab6ce41109e@northgate-high.example>\n"
        "To: <pst@star-tsa.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:06 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n'
        "X-MS-Exchange-Message-Is-Ndr:\n"
        "Content-Language: en-GB\n"
        "Message-ID: <f0e1d2c3-b4a5-4697-8877-665544332211@NGH-EX2010.northgate-high.example>\n"
        f"In-Reply-To: {sent.message_id}\n"
        f"References: {sent.message_id}\n"
        f"Thread-Topic: {sent.subject}\n"
        "Thread-Index: AQHbTGaS7pXk1qW0R0a2Zc3y9vGm4g==\n"
        f"Subject: Undeliverable: {sent.subject}\n"
        "Auto-Submitted: auto-replied\n\n"
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: 7bit\n\n"
        f"{text}\n"
        f"--{boundary}\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns;NGH-EX2010.northgate-high.example\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:05 +0000\n\n"
        "Final-Recipient: rfc822;head@northgate-high.example\n"
        "Action: failed\n"
        "Status: 5.2.1\n"
        "Diagnostic-Code: smtp;550 5.2.1 STOREDRV.Deliver; mailbox disabled\n\n"
        f"--{boundary}\n"
        "Content-Type: message/rfc822\n\n"
        f"{original}\n"
        f"--{boundary}--\n"
    )
    write(
        "exchange-2010-display-name", raw, crlf=False,
        about="Exchange 2010 NDR from a MicrosoftExchange sender whose text names the headteacher only by display name, with the address in its report part.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_delay() -> None:
    sent = BOT_EMAILS["e101"]
    headers = returned_headers(bot_original("e101"))
    text = (
        "Delivery is delayed to these recipients or groups:\n\n"
        "head@oakfield-primary.example\n\n"
        f"Subject: {sent.subject}\n\n"
        "This message hasn't been delivered yet. Delivery will continue to be attempted.\n\n"
        "The server will keep trying to deliver this message for the next 1 days, 19 hours and 52 minutes. "
        "You'll be notified if the message can't be delivered by that time.\n\n"
        "Diagnostic information for administrators:\n\n"
        f"Generating server: {M365_HOST}\n"
        "Receiving server: OAKPS-HYB01.oakfield-primary.example (203.0.113.53)\n\n"
        "head@oakfield-primary.example\n"
        "Remote Server at OAKPS-HYB01.oakfield-primary.example (203.0.113.53) returned '400 4.4.7 Message delayed'\n"
        "Remote Server at OAKPS-HYB01.oakfield-primary.example (203.0.113.53) returned '441 4.4.1 Error encountered while communicating with primary target IP address: \"Failed to connect. Winsock error code: 10060.\"'\n"
    )
    html = m365_html(
        "Delivery is delayed to these recipients or groups:",
        [
            '<a href="mailto:head@oakfield-primary.example">head@oakfield-primary.example</a>',
            "This message hasn't been delivered yet. Delivery will continue to be attempted.",
        ],
    )
    status = (
        f"Reporting-MTA: dns;{M365_HOST}\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:02 +0000\n\n"
        "Final-Recipient: rfc822;head@oakfield-primary.example\n"
        "Action: delayed\n"
        "Status: 4.4.7\n"
        "Diagnostic-Code: smtp;400 4.4.7 Message delayed\n"
        "Will-Retry-Until: Mon, 14 Dec 2026 10:00:02 +0000\n"
        "X-Display-Name: Mrs Helen Ward\n"
    )
    raw = m365_ndr(
        key="e101", ndr_id="c3a8f1d0-9e27-4b65-a0d4-7f1e2b3c4d5e", thread_index="AQHbTGaT9gVbJ3kQ6UyL0sA1dF2hGw==",
        date="Sat, 12 Dec 2026 14:08:11 +0000", language="en-GB", subject_prefix="Delivery delayed:", text=text, html=html,
        status=status, returned=headers, returned_type="text/rfc822-headers",
        sender="Microsoft Outlook <postmaster@oakfieldprimary.onmicrosoft.example>",
    )
    write(
        "exchange-delivery-delayed", raw, crlf=True,
        about="Microsoft 365 'Delivery delayed:' report (Action: delayed) for the endorsement request: not a failure, so no address bounced, but filed under the case.",
        client="exchange", outcome="processed", case=sent.case, bounced="",
    )


def exchange_german_report() -> None:
    sent = BOT_EMAILS["f104"]
    original = relay_received("f104", "4GQ2XkT2Lhz9tF2") + bot_original("f104")
    text = (
        "Ihre Nachricht an j.okafor@castlegate-academy.example konnte nicht übermittelt werden.\n\n"
        "Das Postfach von j.okafor ist voll.\n\n"
        "pst                 Office 365                 j.okafor\n"
        "Aktion erforderlich                                  Empfänger\n\n"
        "Postfach voll\n\n"
        "So beheben Sie das Problem\n"
        "Das Postfach des Empfängers ist voll und kann zurzeit keine Nachrichten annehmen. "
        "Versuchen Sie später erneut, die Nachricht zu senden, oder wenden Sie sich direkt an den Empfänger.\n\n"
        "Weitere Informationen für E-Mail-Administratoren\n"
        "Statuscode: 554 5.2.2\n\n"
        "Ursprüngliche Nachrichtenkopfzeilen:\n\n"
        + returned_headers(bot_original("f104"))
    )
    html = m365_html(
        "Ihre Nachricht an j.okafor@castlegate-academy.example konnte nicht übermittelt werden.",
        ["Das Postfach von <b>j.okafor</b> ist voll.", "<b>Weitere Informationen für E-Mail-Administratoren</b><br>Statuscode: 554 5.2.2"],
    )
    status = (
        f"Reporting-MTA: dns;{M365_HOST}\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:02 +0000\n\n"
        "Final-Recipient: rfc822;j.okafor@castlegate-academy.example\n"
        "Action: failed\n"
        "Status: 5.2.2\n"
        "Diagnostic-Code: smtp;554 5.2.2 mailbox full;\n"
        " STOREDRV.Deliver.Exception:QuotaExceededException.MapiExceptionShutoffQuotaExceeded\n"
    )
    raw = m365_ndr(
        key="f104", ndr_id="9a2f7c61-0d3e-4b8a-b5c4-e7d6f1a2b3c9", thread_index="AQHbTGaUqk5n0FvR2xJ7Yt9Lm3sWdQ==",
        date="Sat, 12 Dec 2026 10:00:07 +0000", language="de-DE", subject_prefix="Unzustellbar:", text=text, html=html,
        status=status, returned=original, returned_type="message/rfc822",
        sender="Microsoft Outlook <postmaster@castlegateacademy.onmicrosoft.example>",
    )
    write(
        "exchange-german-unzustellbar", raw, crlf=True,
        about="Microsoft 365 NDR in German ('Unzustellbar:') for a full mailbox, as multipart/report with the feedback request returned.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_german_plain_text() -> None:
    sent = BOT_EMAILS["a103"]
    headers = relay_received("a103", "4GQ2XkV5Njz9tF4") + returned_headers(bot_original("a103", with_attachments=True))
    body = (
        "Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:\n\n"
        "r.mcallister@fernhill-community.example\n"
        "Die eingegebene E-Mail-Adresse wurde nicht gefunden. Überprüfen Sie die E-Mail-Adresse des Empfängers, "
        "und versuchen Sie, die Nachricht erneut zu senden. Wenden Sie sich an Ihr Helpdesk, wenn das Problem weiterhin besteht.\n\n\n\n\n\n"
        "Diagnoseinformationen für Administratoren:\n\n"
        "Generierender Server: FCS-EX01.fernhill-community.example\n\n"
        "r.mcallister@fernhill-community.example\n"
        "Remote Server returned '550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup'\n\n"
        "Ursprüngliche Nachrichtenkopfzeilen:\n\n"
        + headers
    )
    raw = (
        inbound_received("mail.fernhill-community.example", "203.0.113.41", "4GQ2Y7dEfGz3wU2", "Sat, 12 Dec 2026 10:00:10 +0000 (GMT)")
        + "From: <postmaster@fernhill-community.example>\n"
        "To: <pst@star-tsa.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:09 +0000\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n"
        "Content-Language: de-DE\n"
        "Message-ID: <2d7b9e41-6a0c-4f35-8d12-b3e4c5f6a7d8@FCS-EX01.fernhill-community.example>\n"
        f"Subject: Unzustellbar: {sent.subject}\n"
        "Auto-Submitted: auto-replied\n"
        "MIME-Version: 1.0\n\n"
        + qp(body)
    )
    write(
        "exchange-german-plain-text", raw, crlf=False,
        about="Exchange Server plain-text NDR in German, quoted-printable, 'Die Zustellung an folgende Empfänger oder Gruppen ist fehlgeschlagen:', with no report part.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def exchange_french_report() -> None:
    sent = BOT_EMAILS["b102"]
    original = relay_received("b102", "4GQ2XkX8Pkz9tF6") + bot_original("b102")
    text = (
        "Votre message à p.anand@northgate-high.example n’a pas pu être remis.\n\n"
        "p.anand est introuvable dans northgate-high.example.\n\n"
        "pst                 Office 365                 p.anand\n"
        "Action requise                                       Destinataire\n\n"
        "Adresse du destinataire inconnue\n\n"
        "Comment résoudre le problème\n"
        "L’adresse est peut-être mal orthographiée ou n’existe pas.\n\n"
        "Informations supplémentaires pour les administrateurs de messagerie\n"
        "Code d’état : 550 5.1.10\n"
    )
    html = m365_html(
        "Votre message à p.anand@northgate-high.example n’a pas pu être remis.",
        ["<b>p.anand</b> est introuvable dans <b>northgate-high.example</b>.", "Code d’état : 550 5.1.10"],
    )
    status = (
        f"Reporting-MTA: dns;{M365_HOST}\n"
        "Received-From-MTA: dns;mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:02 +0000\n\n"
        "Final-Recipient: rfc822;p.anand@northgate-high.example\n"
        "Action: failed\n"
        "Status: 5.1.10\n"
        "Diagnostic-Code: smtp;550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not\n"
        " found by SMTP address lookup\n"
    )
    raw = m365_ndr(
        key="b102", ndr_id="4e6d8c2a-1f3b-4a59-9c7e-0d8b6a4f2e13", thread_index="AQHbTGaVx2mH8cN5oP1qR4sT7uV0wA==",
        date="Sat, 12 Dec 2026 10:00:06 +0000", language="fr-FR", subject_prefix="Non remis :", text=text, html=html,
        status=status, returned=original, returned_type="message/rfc822",
        sender="Microsoft Outlook <postmaster@northgatehigh.onmicrosoft.example>",
    )
    write(
        "exchange-french-non-remis", raw, crlf=True,
        about="Microsoft 365 NDR in French ('Non remis :') for an unknown recipient, as multipart/report with the PST notice returned.",
        client="exchange", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


# ---------------------------------------------------------------------------
# Gmail (the alliance's mail sent through Google's relay)

GMAIL_AUTH = "\tspf=pass (helo) smtp.helo=mail-sor-f69.google.example;\n\tdkim=pass header.d=googlemail.example;\n\tdmarc=none\n"


def gmail_report(
    *, key: str, message_id: str, date: str, heading: str, text: str, html: str, status: str, original: str, boundaries: tuple[str, str, str],
    subject: str = "Delivery Status Notification (Failure)",
) -> str:
    """Return a Gmail bounce: text and HTML with the error icon, a delivery-status part and the returned email."""
    sent = BOT_EMAILS[key]
    report, related, alternative = boundaries
    return (
        inbound_received("mail-sor-f69.google.example", "192.0.2.69", f"4GQ2Y{message_id[:9].replace('.', '').upper()}", date, auth=GMAIL_AUTH)
        + "Received: by mail-sor-f69.google.example with SMTP id a640c23a62f3a-aa6f2b0c1d2so112233kab.2\n"
        f"        for <pst@star-tsa.example>; {date}\n"
        f"Date: {date}\n"
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\n"
        "To: pst@star-tsa.example\n"
        "Auto-Submitted: auto-replied\n"
        f"Subject: {subject}\n"
        f"References: {sent.message_id}\n"
        f"In-Reply-To: {sent.message_id}\n"
        + ("" if "Delay" in subject else f"X-Failed-Recipients: {sent.recipient}\n")
        + f"Message-ID: <{message_id}@mx.google.example>\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/report; boundary="{report}"; report-type=delivery-status\n\n'
        f"--{report}\n"
        f'Content-Type: multipart/related; boundary="{related}"\n\n'
        f"--{related}\n"
        f'Content-Type: multipart/alternative; boundary="{alternative}"\n\n'
        f"--{alternative}\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"\n** {heading} **\n\n{text}\n"
        f"--{alternative}\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        f"{html}\n"
        f"--{alternative}--\n"
        f"--{related}\n"
        'Content-Type: image/png; name="icon.png"\n'
        'Content-Disposition: attachment; filename="icon.png"\n'
        "Content-Transfer-Encoding: base64\n"
        "Content-ID: <icon.png>\n\n"
        f"{b64(tiny_png())}"
        f"--{related}--\n"
        f"--{report}\n"
        "Content-Type: message/delivery-status\n\n"
        f"{status}\n"
        f"--{report}\n"
        "Content-Type: message/rfc822\n\n"
        f"{original}\n"
        f"--{report}--\n"
    )


def gmail_html(heading: str, sentence: str, response: str) -> str:
    return (
        "<html>\n<head>\n<style>\n* {\nfont-family:Roboto, \"Helvetica Neue\", Helvetica, Arial, sans-serif;\n}\n</style>\n</head>\n<body>\n"
        '<table cellpadding="0" cellspacing="0" class="email-wrapper" style="padding-top:32px;background-color:#ffffff;"><tbody>\n'
        '<tr><td><table cellpadding=0 cellspacing=0><tbody>\n'
        '<tr><td style="max-width:560px;padding:24px 24px 32px;background-color:#fafafa;border:1px solid #e0e0e0;border-radius:2px">\n'
        '<img style="padding:0 24px 16px 0;float:left" width=72 height=72 alt="Error Icon" src="cid:icon.png">\n'
        '<table style="min-width:272px;padding-top:8px"><tbody>\n'
        f'<tr><td><h2 style="font-size:20px;color:#212121;font-weight:bold;margin:0">{heading}</h2></td></tr>\n'
        f'<tr><td style="padding-top:20px;color:#757575;font-size:16px;font-weight:normal;text-align:left">{sentence}</td></tr>\n'
        "</tbody></table>\n</td></tr>\n"
        '<tr style="border:none;background-color:#fff;font-size:12.8px;width:90%">\n'
        '<td align="left" style="padding:48px 10px">The response was:<br/>\n'
        f'<p style="font-family:monospace">{response}</p>\n'
        "</td></tr>\n</tbody></table></td></tr>\n</tbody></table>\n</body>\n</html>"
    )


def gmail_address_not_found() -> None:
    sent = BOT_EMAILS["b102"]
    response = (
        "550 5.1.1 The email account that you tried to reach does not exist. Please try double-checking "
        "the recipient's email address for typos or unnecessary spaces. For more information, go to "
        "https://support.google.example/mail/?p=NoSuchUser 38308e7fff4ca-30b0d8a1f2esi998877gsmtp"
    )
    text = (
        f"Your message wasn't delivered to {sent.recipient} because the address couldn't be found, "
        "or is unable to receive mail.\n\n"
        "Learn more here: https://support.google.example/mail/?p=NoSuchUser\n\n"
        f"The response was:\n\n{response}\n"
    )
    html = gmail_html(
        "Address not found",
        f"Your message wasn't delivered to <a style='color:#212121;text-decoration:none'><b>{sent.recipient}</b></a> "
        "because the address couldn't be found, or is unable to receive mail.",
        response,
    )
    status = (
        "Reporting-MTA: dns; googlemail.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        f"X-Original-Message-ID: {sent.message_id}\n\n"
        f"Final-Recipient: rfc822; {sent.recipient}\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: dns; aspmx.l.google.example. (192.0.2.90, the server for the domain northgate-high.example.)\n"
        "Diagnostic-Code: smtp; 550-5.1.1 The email account that you tried to reach does not exist.\n"
        "Last-Attempt-Date: Sat, 12 Dec 2026 02:00:03 -0800 (PST)\n"
    )
    original = (
        "Received: by mail-sor-f41.google.example with SMTP id a640c23a62f3a-aa6f2b0c1d2so998877kab.1\n"
        "        for <p.anand@northgate-high.example>; Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        + bot_original("b102")
    )
    raw = gmail_report(
        key="b102", message_id="675a9b43.050a0220.2f8c1e.0c1dSMTPIN_ADDED_MISSING", date="Sat, 12 Dec 2026 02:00:03 -0800 (PST)",
        heading="Address not found", text=text, html=html, status=status, original=original,
        boundaries=("000000000000a3f2b90629f3a9e2", "000000000000a3f4c40629f3a9e5", "000000000000a3f4c50629f3a9e6"),
    )
    write(
        "gmail-address-not-found", raw, crlf=True,
        about="Gmail 'Delivery Status Notification (Failure)' / 'Address not found' with its error icon as a Content-ID attachment, which is not a document.",
        client="gmail-smtp", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def gmail_rejected_with_attachments() -> None:
    sent = BOT_EMAILS["a103"]
    response = "550 5.7.1 Message rejected: attachment type not allowed by fernhill-community.example policy"
    text = (
        f"There was a problem delivering your message to {sent.recipient}. See the technical details below.\n\n"
        f"The response from the remote server was:\n\n{response}\n"
    )
    html = gmail_html(
        "Message not delivered",
        f"There was a problem delivering your message to <b>{sent.recipient}</b>. See the technical details below.",
        response,
    )
    status = (
        "Reporting-MTA: dns; googlemail.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        f"X-Original-Message-ID: {sent.message_id}\n\n"
        f"Final-Recipient: rfc822; {sent.recipient}\n"
        "Action: failed\n"
        "Status: 5.7.1\n"
        "Remote-MTA: dns; mx.fernhill-community.example. (203.0.113.41, the server for the domain fernhill-community.example.)\n"
        f"Diagnostic-Code: smtp; {response}\n"
        "Last-Attempt-Date: Sat, 12 Dec 2026 02:00:04 -0800 (PST)\n"
    )
    original = (
        "Received: by mail-sor-f41.google.example with SMTP id a640c23a62f3a-aa6f2b0c1d2so554433kab.1\n"
        "        for <r.mcallister@fernhill-community.example>; Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        + bot_original("a103", with_attachments=True)
    )
    raw = gmail_report(
        key="a103", message_id="675a9b44.170a0220.3b1d4f.88e2SMTPIN_ADDED_MISSING", date="Sat, 12 Dec 2026 02:00:04 -0800 (PST)",
        heading="Message not delivered", text=text, html=html, status=status, original=original,
        boundaries=("000000000000b7d1e40629f3aa01", "000000000000b7d1e50629f3aa02", "000000000000b7d1e60629f3aa03"),
    )
    write(
        "gmail-returned-with-attachments", raw, crlf=False,
        about="Gmail 'Message not delivered' report returning the visit confirmation with its invitation and PDF: files inside the returned email are not documents.",
        client="gmail-smtp", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def gmail_delay() -> None:
    sent = BOT_EMAILS["c102"]
    response = (
        "The recipient server did not accept our requests to connect. For more information, go to "
        "https://support.google.example/mail/answer/7720 [mail.northgate-high.example. 203.0.113.88: timed out]"
    )
    text = (
        f"There was a temporary problem delivering your message to {sent.recipient}. Gmail will retry for "
        "44 more hours. You'll be notified if the delivery fails permanently.\n\n"
        f"The response was:\n\n{response}\n"
    )
    html = gmail_html(
        "Message not delivered yet",
        f"There was a temporary problem delivering your message to <b>{sent.recipient}</b>. Gmail will retry for 44 more hours. "
        "You'll be notified if the delivery fails permanently.",
        response,
    )
    status = (
        "Reporting-MTA: dns; googlemail.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        f"X-Original-Message-ID: {sent.message_id}\n\n"
        f"Final-Recipient: rfc822; {sent.recipient}\n"
        "Action: delayed\n"
        "Status: 4.4.1\n"
        f"Diagnostic-Code: smtp; {response}\n"
        "Last-Attempt-Date: Sat, 12 Dec 2026 06:02:17 -0800 (PST)\n"
        "Will-Retry-Until: Mon, 14 Dec 2026 02:00:01 -0800 (PST)\n"
    )
    original = (
        "Received: by mail-sor-f41.google.example with SMTP id a640c23a62f3a-aa6f2b0c1d2so221100kab.1\n"
        "        for <head@northgate-high.example>; Sat, 12 Dec 2026 02:00:01 -0800 (PST)\n"
        + bot_original("c102")
    )
    raw = gmail_report(
        key="c102", message_id="675af4e9.a70a0220.1e2d3c.9f01SMTPIN_ADDED_MISSING", date="Sat, 12 Dec 2026 06:02:17 -0800 (PST)",
        heading="Message not delivered yet", text=text, html=html, status=status, original=original,
        boundaries=("000000000000c2e3f40629f7b101", "000000000000c2e3f50629f7b102", "000000000000c2e3f60629f7b103"),
        subject="Delivery Status Notification (Delay)",
    )
    write(
        "gmail-delay", raw, crlf=True,
        about="Gmail 'Delivery Status Notification (Delay)' (Action: delayed) for the consent request: not a failure, so no address bounced, but filed under the case.",
        client="gmail-smtp", outcome="processed", case=sent.case, bounced="",
    )


def gmail_old_plain_text() -> None:
    sent = BOT_EMAILS["c102"]
    raw = (
        inbound_received("mail-sor-f69.google.example", "192.0.2.69", "4GQ2YBmNoPz3wU5", "Sat, 12 Dec 2026 02:00:04 -0800 (PST)", auth=GMAIL_AUTH)
        + "Received: by 10.90.37.14 with SMTP id k14cs71734agk;\n"
        "        Sat, 12 Dec 2026 02:00:04 -0800 (PST)\n"
        "MIME-Version: 1.0\n"
        "From: Mail Delivery Subsystem <mailer-daemon@googlemail.example>\n"
        "To: pst@star-tsa.example\n"
        "X-Failed-Recipients: head@northgate-high.example\n"
        "Subject: Delivery Status Notification (Failure)\n"
        "Message-ID: <001a113f1c8a7b3e0c0629f3aa10@google.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:04 +0000\n"
        "Content-Type: text/plain; charset=ISO-8859-1\n\n"
        "Delivery to the following recipient failed permanently:\n\n"
        "     head@northgate-high.example\n\n"
        "Technical details of permanent failure:\n"
        "Google tried to deliver your message, but it was rejected by the server for the recipient domain "
        "northgate-high.example by aspmx.l.google.example. [192.0.2.90].\n\n"
        "The error that the other server returned was:\n"
        "550-5.1.1 The email account that you tried to reach does not exist. Please try\n"
        "550-5.1.1 double-checking the recipient's email address for typos or\n"
        "550-5.1.1 unnecessary spaces. Learn more at\n"
        "550 5.1.1 https://support.google.example/mail/?p=NoSuchUser k14si123456agk.77 - gsmtp\n\n"
        "   ----- Original message -----\n\n"
        + bot_original("c102")
    )
    write(
        "gmail-plain-text-failed-permanently", raw, crlf=True,
        about="Older Gmail plain-text bounce: 'Delivery to the following recipient failed permanently:' then the address indented, with the consent request below.",
        client="gmail-smtp", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


# ---------------------------------------------------------------------------
# qmail, Sendmail and a filtering appliance


def qmail_failure_notice() -> None:
    sent = BOT_EMAILS["f104"]
    raw = (
        inbound_received("mail.castlegate-academy.example", "203.0.113.60", "4GQ2YDqRsTz3wU8", "Sat, 12 Dec 2026 10:00:08 +0000 (GMT)")
        + "Date: 12 Dec 2026 10:00:07 -0000\n"
        "From: MAILER-DAEMON@mail.castlegate-academy.example\n"
        "To: pst@star-tsa.example\n"
        "Subject: failure notice\n"
        "Message-ID: <20261212100007.31842.qmail@mail.castlegate-academy.example>\n\n"
        "Hi. This is the qmail-send program at mail.castlegate-academy.example.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<j.okafor@castlegate-academy.example>:\n"
        "Sorry, no mailbox here by that name. (#5.1.1)\n\n"
        "--- Below this line is a copy of the message.\n\n"
        "Return-Path: <pst@star-tsa.example>\n"
        "Received: (qmail 31840 invoked from network); 12 Dec 2026 10:00:06 -0000\n"
        "Received: from mail.star-tsa.example (198.51.100.20)\n"
        "  by mail.castlegate-academy.example with SMTP; 12 Dec 2026 10:00:06 -0000\n"
        + relay_received("f104", "4GQ2XkZ1Rmz9tF8", "10:00:05")
        + bot_original("f104")
    )
    write(
        "qmail-failure-notice", raw, crlf=False,
        about="qmail 'failure notice' ('Hi. This is the qmail-send program') naming the address in angle brackets, with the feedback request copied below.",
        client="qmail", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def sendmail_returned_mail() -> None:
    sent = BOT_EMAILS["a101"]
    boundary = "1BCA07xM012345.1796983207/gw.oakfield-primary.example"
    original = (
        "Received: from mail.star-tsa.example (mail.star-tsa.example [198.51.100.20])\n"
        "\tby gw.oakfield-primary.example (8.18.1/8.18.1) with ESMTPS id 1BCA06xL012344\n"
        "\t(version=TLSv1.3 cipher=TLS_AES_256_GCM_SHA384 bits=256 verify=NO)\n"
        "\tfor <s.patel@oakfield-primary.example>; Sat, 12 Dec 2026 10:00:06 GMT\n"
        + relay_received("a101", "4GQ2Xm2Tpnz9tG1", "10:00:05")
        + bot_original("a101")
    )
    raw = (
        inbound_received("gw.oakfield-primary.example", "203.0.113.54", "4GQ2YFuVwXz3wV1", "Sat, 12 Dec 2026 10:00:08 +0000 (GMT)")
        + "Received: from localhost (localhost)\n"
        "\tby gw.oakfield-primary.example (8.18.1/8.18.1) id 1BCA07xM012345;\n"
        "\tSat, 12 Dec 2026 10:00:07 GMT\n"
        "Date: Sat, 12 Dec 2026 10:00:07 GMT\n"
        "From: Mail Delivery Subsystem <MAILER-DAEMON@gw.oakfield-primary.example>\n"
        "Message-Id: <202612121000.1BCA07xM012345@gw.oakfield-primary.example>\n"
        "To: <pst@star-tsa.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/report; report-type=delivery-status;\n"
        f'\tboundary="{boundary}"\n'
        "Subject: Returned mail: see transcript for details\n"
        "Auto-Submitted: auto-generated (failure)\n\n"
        "This is a MIME-encapsulated message\n\n"
        f"--{boundary}\n\n"
        "The original message was received at Sat, 12 Dec 2026 10:00:06 GMT\n"
        "from mail.star-tsa.example [198.51.100.20]\n\n"
        "   ----- The following addresses had permanent fatal errors -----\n"
        "<s.patel@oakfield-primary.example>\n"
        "    (reason: 550 5.1.1 <s.patel@oakfield-primary.example>... User unknown)\n\n"
        "   ----- Transcript of session follows -----\n"
        "... while talking to exchange.oakfield-primary.example.:\n"
        ">>> DATA\n"
        "<<< 550 5.1.1 <s.patel@oakfield-primary.example>... User unknown\n"
        "550 5.1.1 <s.patel@oakfield-primary.example>... User unknown\n"
        "<<< 503 5.5.1 No recipients\n\n"
        f"--{boundary}\n"
        "Content-Type: message/delivery-status\n\n"
        "Reporting-MTA: dns; gw.oakfield-primary.example\n"
        "Received-From-MTA: DNS; mail.star-tsa.example\n"
        "Arrival-Date: Sat, 12 Dec 2026 10:00:06 GMT\n\n"
        "Final-Recipient: RFC822; s.patel@oakfield-primary.example\n"
        "Action: failed\n"
        "Status: 5.1.1\n"
        "Remote-MTA: DNS; exchange.oakfield-primary.example\n"
        "Diagnostic-Code: SMTP; 550 5.1.1 <s.patel@oakfield-primary.example>... User unknown\n"
        "Last-Attempt-Date: Sat, 12 Dec 2026 10:00:07 GMT\n\n"
        f"--{boundary}\n"
        "Content-Type: message/rfc822\n\n"
        f"{original}\n"
        f"--{boundary}--\n"
    )
    write(
        "sendmail-returned-mail", raw, crlf=True,
        about="Sendmail 'Returned mail: see transcript for details' with upper-case RFC822 address types and the acknowledgement returned whole.",
        client="sendmail", outcome="processed", case=sent.case, bounced=sent.recipient,
    )


def filter_no_message_id() -> None:
    raw = (
        inbound_received("filter.brookvale-trust.example", "203.0.113.130", "4GSc1aBcDez3wV4", "Mon, 11 Jan 2027 08:47:12 +0000 (GMT)")
        + "From: postmaster@filter.brookvale-trust.example\n"
        "To: pst@star-tsa.example\n"
        "Subject: Message delivery failure\n"
        "Date: Mon, 11 Jan 2027 08:47:11 +0000\n"
        "Message-ID: <ndr-20270111084711-55103@filter.brookvale-trust.example>\n"
        "MIME-Version: 1.0\n"
        'Content-Type: text/plain; charset="us-ascii"\n'
        "Content-Transfer-Encoding: 7bit\n\n"
        "Your message could not be delivered to the following recipient:\n\n"
        "    bursar@brookvale-trust.example\n\n"
        "Reason: 550 5.1.1 Mailbox does not exist\n\n"
        "Message details\n"
        "  Sender:    pst@star-tsa.example\n"
        "  Subject:   Spring term PST availability\n"
        "  Received:  Mon, 11 Jan 2027 08:47:09 +0000\n\n"
        "This notification was sent by the Brookvale Trust mail filtering service.\n"
        "Do not reply to this message.\n"
    )
    write(
        "filter-no-message-id", raw, crlf=False,
        about="Plain-text failure notice from a mail filtering appliance that quotes no Message-ID or case reference, so it cannot be matched and needs attention.",
        client="mail-filter-appliance", outcome="attention", case="", bounced="bursar@brookvale-trust.example",
    )


WRITERS = (
    postfix_user_rejected,
    postfix_over_quota_headers,
    postfix_delay_warning,
    postfix_host_not_found,
    postfix_unknown_email,
    exim_plain_quota,
    exim_plain_headers_only,
    exim_mime_report,
    exim_backscatter,
    exim_delay_warning,
    exchange_m365_mailbox_full,
    exchange_m365_headers_only,
    exchange_plain_text,
    exchange_2010_display_name,
    exchange_delay,
    exchange_german_report,
    exchange_german_plain_text,
    exchange_french_report,
    gmail_address_not_found,
    gmail_rejected_with_attachments,
    gmail_delay,
    gmail_old_plain_text,
    qmail_failure_notice,
    sendmail_returned_mail,
    filter_no_message_id,
)


if __name__ == "__main__":
    for writer in WRITERS:
        writer()
    print(f"wrote {len(WRITERS)} bounces to {HERE}")
