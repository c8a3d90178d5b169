"""Write the text/ corpus: answers and stray mail in awkward charsets, encodings and header bytes.

Run it with the project's Python; it rewrites every NAME.eml and NAME.toml in
this folder. Messages are assembled as text whose characters stand for bytes
(one character per byte, as Latin-1 maps them), so that wrong or misspelt
charsets, raw 8-bit headers and NUL bytes come out exactly as written.

Most messages are headteachers' YES replies to the bot's endorsement request
(PST-2026-0101) or consent request (PST-2026-0102), with threading kept;
the rest come from strangers and name no case.
"""

from __future__ import annotations

import base64
import email.base64mime
import hashlib
import quopri
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

FOLDER = Path(__file__).parent
UK = timezone(timedelta(0))
BOT_NAME = "STAR Teaching School Alliance"

ENDORSEMENT = {
    "case": "PST-2026-0101",
    "id": "<PST-2026-0101.e101e101e101e101e101@star-tsa.example>",
    "reply_to": "pst+e101e101e101e101e101@star-tsa.example",
    "subject": "[PST-2026-0101] Please endorse a PST visit request for Oakfield Primary School",
    "from": "Helen Ward <head@oakfield-primary.example>",
    "address": "head@oakfield-primary.example",
    "domain": "oakfield-primary.example",
    "text": """\
Dear Mrs Ward,

Sam Patel has asked STAR Teaching School Alliance to arrange a visit to a Peer Support Teacher (PST) for Oakfield Primary School. Before we look for a PST, we ask the headteacher to endorse each request.

Please reply to this email with YES to endorse the request, or NO if the school should not go ahead. A one-word reply at the top of your email is all we need.

This is what we received:

Reference:          PST-2026-0101
School:             Oakfield Primary School
Requested by:       Sam Patel <s.patel@oakfield-primary.example>
Headteacher:        Mrs Helen Ward <head@oakfield-primary.example>
Visiting teacher:   (not given)
Initiated by:       Joint idea

School context:
A two-form entry school.

Reason for the visit:
To improve questioning.

Objectives:
Better hinge questions in maths.

Kind regards,
STAR Teaching School Alliance""",
}

CONSENT = {
    "case": "PST-2026-0102",
    "id": "<PST-2026-0102.c102c102c102c102c102@star-tsa.example>",
    "reply_to": "pst+c102c102c102c102c102@star-tsa.example",
    "subject": "[PST-2026-0102] Please consent to a PST visit to Priya Anand",
    "from": "Luke Barnes <head@northgate-high.example>",
    "address": "head@northgate-high.example",
    "domain": "northgate-high.example",
    "text": """\
Dear Mr Barnes,

STAR Teaching School Alliance would like to arrange a visit to Priya Anand, one of your school's Peer Support Teachers (PSTs), by a teacher from Fernhill Community School. The visit is usually one morning: the visitor observes a lesson, then Priya Anand discusses it with them. The alliance reimburses your school for each half-day session.

Please reply to this email with YES to consent to the visit, or NO if it cannot go ahead. A one-word reply at the top of your email is all we need.

What the visiting school would like to explore:

Better hinge questions in maths.

Kind regards,
STAR Teaching School Alliance""",
}

WARD_SIGNATURE = "Mrs Helen Ward\nHeadteacher\nOakfield Primary School"
BARNES_SIGNATURE = "Luke Barnes\nHeadteacher, Northgate High School"


# Helpers. Every string below stands for bytes, one character per byte.


def encode(text: str, charset: str) -> str:
    """Encode ``text`` in ``charset`` and return the bytes as one character each."""
    return text.encode(charset).decode("latin-1")


def b64(data: bytes) -> str:
    return email.base64mime.body_encode(data, maxlinelen=76).rstrip("\n")


def qp(text: str, charset: str) -> str:
    data = text.encode(charset).replace(b"\n", b"\r\n")
    return quopri.encodestring(data).decode("ascii").replace("\r\n", "\n").rstrip("\n")


def part(headers: list[str], body: str) -> str:
    return "\n".join(headers) + "\n\n" + body


def multipart(boundary: str, parts: list[str]) -> str:
    return "".join(f"--{boundary}\n{item}\n" for item in parts) + f"--{boundary}--\n"


def quote_lines(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.splitlines())


def html_paragraphs(text: str) -> str:
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(f"<p>{block.replace(chr(10), '<br>')}</p>" for block in escaped.split("\n\n"))


def digest(name: str, length: int = 32) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def when(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, second, tzinfo=UK)


def received(sender_domain: str, sent: datetime, helo: str, address: str, return_path: str) -> list[str]:
    arrived = sent + timedelta(seconds=4)
    return [
        f"Return-Path: <{return_path}>",
        "Delivered-To: pst@star-tsa.example",
        f"Received: from {helo} ({helo} [{address}])",
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {digest(helo + sent.isoformat(), 10).upper()}",
        f"\tfor <pst@star-tsa.example>; {format_datetime(arrived)}",
        "Authentication-Results: mx.star-tsa.example;",
        f"\tspf=pass smtp.mailfrom={sender_domain};",
        f"\tdkim=pass header.d={sender_domain};",
        f"\tdmarc=pass header.from={sender_domain}",
    ]


def answer_headers(request: dict, sent: datetime, helo: str, address: str) -> list[str]:
    return received(request["domain"], sent, helo, address, request["address"])


def write(name: str, message: str, crlf: bool, expectation: dict) -> None:
    data = message.encode("latin-1")
    if crlf:
        data = data.replace(b"\r\n", b"\n").replace(b"\n", b"\r\n")
    (FOLDER / f"{name}.eml").write_bytes(data)
    lines = []
    for key in ("about", "client", "outcome", "case", "intent", "automatic", "bounced", "attachments", "opens_case"):
        value = expectation[key]
        if isinstance(value, bool):
            rendered = "true" if value else "false"
        elif isinstance(value, list):
            rendered = "[" + ", ".join(f'"{item}"' for item in value) + "]"
        else:
            rendered = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
        lines.append(f"{key} = {rendered}")
    (FOLDER / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def answer(about: str, client: str, request: dict, intent: str = "yes") -> dict:
    return {
        "about": about, "client": client, "outcome": "processed", "case": request["case"], "intent": intent,
        "automatic": False, "bounced": "", "attachments": [], "opens_case": False,
    }


def stranger(about: str, client: str) -> dict:
    return {
        "about": about, "client": client, "outcome": "attention", "case": "", "intent": "",
        "automatic": False, "bounced": "", "attachments": [], "opens_case": False,
    }


def outlook_quote(request: dict, recipient: str) -> str:
    return (
        "From: STAR Teaching School Alliance <" + request["reply_to"] + ">\n"
        "Sent: 12 December 2026 10:00\n"
        f"To: {recipient}\n"
        f"Subject: {request['subject']}\n\n{request['text']}"
    )


# The messages


def windows_1252_outlook() -> None:
    name = "windows-1252-outlook"
    request = ENDORSEMENT
    sent = when(4, 8, 12, 40)
    note = "Yes – I’m very happy to endorse Sam’s request.\n\nHelen\n\n" + WARD_SIGNATURE
    text = note + "\n\n" + outlook_quote(request, "Helen Ward <head@oakfield-primary.example>") + "\n"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Windows-1252"></head>'
        '<body lang="EN-GB" link="#0563C1" vlink="#954F72"><div class="WordSection1">'
        "<p class=\"MsoNormal\">Yes &#8211; I’m very happy to endorse Sam’s request.<o:p></o:p></p>"
        "<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p><p class=\"MsoNormal\">Helen<o:p></o:p></p>"
        f"<p class=\"MsoNormal\">{WARD_SIGNATURE.replace(chr(10), '<br>')}<o:p></o:p></p>"
        '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm">'
        f"<p class=\"MsoNormal\"><b>From:</b> STAR Teaching School Alliance &lt;{request['reply_to']}&gt; <br><b>Sent:</b> 12 December 2026 10:00<br>"
        f"<b>To:</b> Helen Ward &lt;head@oakfield-primary.example&gt;<br><b>Subject:</b> {request['subject']}<o:p></o:p></p></div>"
        f"{html_paragraphs(request['text'])}</div></body></html>\n"
    )
    boundary = "_000_" + digest(name).upper() + "oakfieldprimary_"
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="Windows-1252"', "Content-Transfer-Encoding: quoted-printable"], qp(text, "cp1252")),
        part(['Content-Type: text/html; charset="Windows-1252"', "Content-Transfer-Encoding: quoted-printable"], qp(html, "cp1252")),
    ])
    headers = [
        *answer_headers(request, sent, "mail.oakfield-primary.example", "192.0.2.61"),
        f"From: {request['from']}",
        f'To: "{BOT_NAME}" <{request["reply_to"]}>',
        f"Subject: RE: {request['subject']}",
        f"Thread-Topic: {request['subject']}",
        "Thread-Index: AdtFZ2QmV0z1dJcBQ5yS0xqQ7cF3/gAAbG1w",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <{digest(name, 40).upper()}@exch.oakfield-primary.example>",
        f"References: {request['id']}",
        f"In-Reply-To: {request['id']}",
        "Accept-Language: en-GB, en-US",
        "Content-Language: en-US",
        "X-MS-Has-Attach:",
        "X-MS-TNEF-Correlator:",
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"',
        "MIME-Version: 1.0",
    ]
    write(name, part(headers, body), True, answer(
        "Outlook desktop YES in Windows-1252 quoted-printable text and HTML, with an en dash and curly apostrophes.",
        "outlook-desktop", request))


def iso_8859_1_thunderbird() -> None:
    name = "iso-8859-1-thunderbird"
    request = CONSENT
    sent = when(5, 16, 3, 22)
    text = (
        "Yes, I consent. Priya has told me the visit fits round her Year 10 lessons;\n"
        "our café is open from 8.15 for the visitor.\n\n"
        f"-- \n{BARNES_SIGNATURE}\n\n"
        f"On 12/12/2026 10:00, {BOT_NAME} wrote:\n{quote_lines(request['text'])}\n"
    )
    headers = [
        *answer_headers(request, sent, "mail.northgate-high.example", "192.0.2.73"),
        f"Message-ID: <{digest(name, 8)}-{digest(name + 'x', 4)}@northgate-high.example>",
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:115.0) Gecko/20100101 Thunderbird/115.18.0",
        f"Subject: Re: {request['subject']}",
        "Content-Language: en-GB",
        f"To: {BOT_NAME} <{request['reply_to']}>",
        f"References: {request['id']}",
        f"From: {request['from']}",
        f"In-Reply-To: {request['id']}",
        "Content-Type: text/plain; charset=ISO-8859-1; format=flowed",
        "Content-Transfer-Encoding: 8bit",
    ]
    write(name, part(headers, encode(text, "iso-8859-1")), False, answer(
        "Thunderbird consent YES in ISO-8859-1 sent as 8bit, with an accented word in the new text.",
        "thunderbird", request))


def utf8_base64_gmail() -> None:
    name = "utf8-base64-gmail"
    request = ENDORSEMENT
    sent = when(5, 21, 40, 9)
    note = "Yes — endorsed. Sam’s group will gain a lot from this. 👍"
    quote_head = f"On Sat, 12 Dec 2026 at 10:00, {BOT_NAME} <\n{request['reply_to']}> wrote:"
    text = f"{note}\n\nHelen Ward\nHeadteacher\n\n{quote_head}\n\n{quote_lines(request['text'])}\n"
    html = (
        f'<div dir="ltr"><div>{note}</div><div><br></div><div>Helen Ward</div><div>Headteacher</div></div><br>'
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Sat, 12 Dec 2026 at 10:00, '
        f'{BOT_NAME} &lt;<a href="mailto:{request["reply_to"]}">{request["reply_to"]}</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{html_paragraphs(request['text'])}</blockquote></div>\n"
    )
    boundary = "000000000000" + digest(name, 16)
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: base64"], b64(text.encode("utf-8"))),
        part(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: base64"], b64(html.encode("utf-8"))),
    ])
    token = base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()).decode().rstrip("=")
    headers = [
        *answer_headers(request, sent, "mail-wr1-f52.google.example", "198.51.100.52"),
        "MIME-Version: 1.0",
        f"References: {request['id']}",
        f"In-Reply-To: {request['id']}",
        f"From: {request['from']}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <CAK{token}@mail.gmail.example>",
        f"Subject: Re: {request['subject']}",
        f"To: {BOT_NAME} <{request['reply_to']}>",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    write(name, part(headers, body), True, answer(
        "Gmail YES whose text and HTML parts are UTF-8 in base64, with an em dash and an emoji.",
        "gmail-web", request))


def utf8_quoted_printable_apple() -> None:
    name = "utf8-quoted-printable-apple"
    request = CONSENT
    sent = when(6, 7, 31, 50)
    text = (
        "Yes. Happy for Priya to host – she’s keen.\n\nLuke\n\n"
        f"> On 12 Dec 2026, at 10:00, {BOT_NAME} <{request['reply_to']}> wrote:\n>\n{quote_lines(request['text'])}\n"
    )
    headers = [
        *answer_headers(request, sent, "mail.northgate-high.example", "192.0.2.73"),
        "Content-Type: text/plain;\n\tcharset=utf-8",
        "Content-Transfer-Encoding: quoted-printable",
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))",
        f"Subject: Re: {request['subject']}",
        f"From: {request['from']}",
        f"In-Reply-To: {request['id']}",
        f"Date: {format_datetime(sent)}",
        f"To: {BOT_NAME} <{request['reply_to']}>",
        f"References: {request['id']}",
        f"Message-Id: <{digest(name, 8).upper()}-{digest(name, 12)[8:].upper()}-4C2E-9F1A-{digest(name + 'y', 12).upper()}@northgate-high.example>",
        "X-Mailer: Apple Mail (2.3826.400.131.1.6)",
    ]
    write(name, part(headers, qp(text, "utf-8")), False, answer(
        "Apple Mail consent YES as UTF-8 quoted-printable plain text with Apple's quoted attribution line.",
        "apple-mail", request))


def utf8_declared_windows_1252_bytes() -> None:
    name = "utf8-declared-windows-1252-bytes"
    request = ENDORSEMENT
    sent = when(6, 12, 5, 17)
    text = (
        "That’s fine – yes, please go ahead.\n\nHelen Ward\nHeadteacher, Oakfield Primary School\n\n"
        f"----- Original Message -----\nFrom: {BOT_NAME} <{request['reply_to']}>\nTo: head@oakfield-primary.example\n"
        f"Sent: Saturday, December 12, 2026 10:00 AM\nSubject: {request['subject']}\n\n{quote_lines(request['text'])}\n"
    )
    headers = [
        *answer_headers(request, sent, "webmail.oakfield-primary.example", "192.0.2.62"),
        f"Message-ID: <{digest(name, 24)}.squirrel@webmail.oakfield-primary.example>",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        f"Date: {format_datetime(sent)}",
        f"Subject: Re: {request['subject']}",
        f"From: \"Helen Ward\" <{request['address']}>",
        f"To: {request['reply_to']}",
        "User-Agent: SquirrelMail/1.4.23",
        "MIME-Version: 1.0",
        "Content-Type: text/plain;charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "X-Priority: 3 (Normal)",
        "Importance: Normal",
    ]
    write(name, part(headers, encode(text, "cp1252")), True, answer(
        "SquirrelMail YES declared as UTF-8 whose bytes are really Windows-1252, so the curly apostrophe in \"That’s fine\" is invalid UTF-8.",
        "squirrelmail", request))


def misspelt_charset(name: str, request: dict, charset_label: str, codec: str, sent: datetime, note: str, client: str, about: str, mailer: str, crlf: bool) -> None:
    signature = WARD_SIGNATURE if request is ENDORSEMENT else BARNES_SIGNATURE
    text = (
        f"{note}\n\n{signature}\n\n"
        f"-----Original Message-----\nFrom: {BOT_NAME} [mailto:{request['reply_to']}]\nSent: 12 December 2026 10:00\n"
        f"To: {request['address']}\nSubject: {request['subject']}\n\n{request['text']}\n"
    )
    headers = [
        *answer_headers(request, sent, f"mail.{request['domain']}", "192.0.2.80"),
        f"From: {request['from']}",
        f"To: \"{BOT_NAME}\" <{request['reply_to']}>",
        f"Subject: RE: {request['subject']}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <{digest(name, 20)}${digest(name + 'z', 8)}$@{request['domain']}>",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset=\"{charset_label}\"",
        "Content-Transfer-Encoding: 8bit",
        f"X-Mailer: {mailer}",
    ]
    write(name, part(headers, encode(text, codec)), crlf, answer(about, client, request))


def charset_variants() -> None:
    misspelt_charset(
        "charset-utf8-misspelt", CONSENT, "utf8", "utf-8", when(5, 9, 14, 2),
        "Yes – consent given. Priya’s timetable is clear that morning.",
        "zimbra", "Zimbra consent YES in UTF-8 bytes declared with the misspelt charset name \"utf8\".",
        "Zimbra 10.0.9_GA_4651 (ZimbraWebClient - FF133 (Win)/10.0.9_GA_4651)", True)
    misspelt_charset(
        "charset-utf-underscore-8", ENDORSEMENT, "UTF_8", "utf-8", when(5, 13, 50, 30),
        "Yes, I endorse this – Sam’s plan for the visit is sound.",
        "sogo", "SOGo YES in UTF-8 bytes declared with the charset name \"UTF_8\", which no registry lists.",
        "SOGo Mail 5.10.0", False)
    misspelt_charset(
        "charset-win-1252", ENDORSEMENT, "win-1252", "cp1252", when(7, 7, 58, 0),
        "That’s fine by me – yes.",
        "eudora", "Eudora YES in Windows-1252 bytes declared as \"win-1252\", where the answer depends on the curly apostrophe.",
        "QUALCOMM Windows Eudora Version 7.1.0.9", True)


def charset_unknown() -> None:
    name = "charset-unknown"
    request = CONSENT
    sent = when(8, 10, 21, 45)
    text = f"Yes, consent given.\n\nLuke\n\nSent from my BlackBerry\n\n-----Original Message-----\nFrom: {BOT_NAME} <{request['reply_to']}>\nDate: Sat, 12 Dec 2026 10:00:00\nTo: <{request['address']}>\nSubject: {request['subject']}\n\n{request['text']}\n"
    headers = [
        *answer_headers(request, sent, "mail.northgate-high.example", "192.0.2.73"),
        f"Message-ID: <{digest(name, 10)}-{digest(name + 'b', 12)}-{digest(name + 'c', 4)}@bbhub.northgate-high.example>",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        f"Subject: Re: {request['subject']}",
        f"From: {request['from']}",
        f"To: {request['reply_to']}",
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=x-unknown-charset",
        "Content-Transfer-Encoding: 8bit",
    ]
    write(name, part(headers, encode(text, "ascii")), True, answer(
        "BlackBerry Hub consent YES in plain ASCII text declared with the unknown charset x-unknown-charset.",
        "blackberry-hub", request))


def raw_8bit_headers_utf8() -> None:
    name = "raw-8bit-headers-utf8"
    request = ENDORSEMENT
    sent = when(6, 18, 44, 3)
    text = (
        "Yes, endorsed.\n\nHelen\n\n"
        f"On 2026-12-12 10:00, {BOT_NAME} wrote:\n{quote_lines(request['text'])}\n"
    )
    headers = [
        *answer_headers(request, sent, "webmail.oakfield-primary.example", "192.0.2.62"),
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=UTF-8",
        "Content-Transfer-Encoding: 8bit",
        f"Date: {format_datetime(sent)}",
        encode(f"From: \"Helen Ward – Headteacher, Oakfield Primary\" <{request['address']}>", "utf-8"),
        f"To: {request['reply_to']}",
        encode(f"Subject: Re: {request['subject']} – endorsed ✓", "utf-8"),
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        f"Message-ID: <{digest(name)}@webmail.oakfield-primary.example>",
        "User-Agent: Roundcube Webmail/1.6.9",
    ]
    write(name, part(headers, encode(text, "utf-8")), False, answer(
        "Roundcube YES whose From display name and Subject hold raw UTF-8 bytes instead of RFC 2047 encoded words.",
        "roundcube", request))


def raw_8bit_headers_latin1_stranger() -> None:
    name = "raw-8bit-headers-latin1-stranger"
    sent = when(9, 14, 7, 11)
    text = (
        "Hello,\n\nI run a small maths tutoring centre in Lowbridge and I would like to know whether\n"
        "our tutors could take part in your Peer Support Teacher visits, or whether they\n"
        "are only for teachers in alliance schools.\n\nMany thanks,\nRenée Fauré\nFauré Maths Tuition\n"
    )
    headers = [
        *received("faure-tuition.example", sent, "smtp.faure-tuition.example", "198.51.100.90", "renee@faure-tuition.example"),
        encode("From: \"Renée Fauré\" <renee@faure-tuition.example>", "iso-8859-1"),
        "To: <pst@star-tsa.example>",
        encode("Subject: Enquiry from Renée Fauré about PST visits", "iso-8859-1"),
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain;\n\tcharset=\"iso-8859-1\"",
        "Content-Transfer-Encoding: 8bit",
        "X-Priority: 3",
        "X-MSMail-Priority: Normal",
        "X-Mailer: Microsoft Outlook Express 6.00.2900.5931",
        "X-MimeOLE: Produced By Microsoft MimeOLE V6.00.2900.6157",
        f"Message-ID: <000801db{digest(name, 8)}$a1b2c3d0$6400a8c0@RENEEPC>",
    ]
    write(name, part(headers, encode(text, "iso-8859-1")), True, stranger(
        "Outlook Express enquiry from a stranger whose From and Subject hold raw ISO-8859-1 bytes and which names no case.",
        "outlook-express"))


def charset_latin1_stranger() -> None:
    name = "charset-latin1-stranger"
    sent = when(10, 19, 26, 58)
    text = (
        "Dear Sir or Madam,\n\nI saw the Peer Support Teacher scheme mentioned in the county newsletter.\n"
        "I am a retired deputy head (30 years in primary) and would like to volunteer.\n"
        "Who should I speak to?\n\nYours faithfully,\nBjörn Ólafsson\n"
    )
    headers = [
        *received("fjord-mail.example", sent, "smtp.fjord-mail.example", "198.51.100.17", "bjorn.olafsson@fjord-mail.example"),
        f"Date: {format_datetime(sent)}",
        "From: =?iso-8859-1?Q?Bj=F6rn_=D3lafsson?= <bjorn.olafsson@fjord-mail.example>",
        "To: pst@star-tsa.example",
        "Subject: Volunteering as a PST",
        f"Message-ID: <{digest(name, 16)}@opera.fjord-mail.example>",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=latin1",
        "Content-Transfer-Encoding: 8bit",
        "User-Agent: Opera Mail/1.0 (Win32)",
    ]
    write(name, part(headers, encode(text, "iso-8859-1")), False, stranger(
        "Opera Mail enquiry from a stranger in ISO-8859-1 bytes declared as \"latin1\", which names no case.",
        "opera-mail"))


def rfc2047_subject_outlook() -> None:
    name = "rfc2047-subject-outlook"
    request = ENDORSEMENT
    sent = when(7, 15, 2, 33)
    subject = f"RE: {request['subject']} – endorsed"
    # The subject is split into encoded words of whole characters, each within the 75-character limit of RFC 2047.
    encoded = [f"=?utf-8?B?{base64.b64encode(subject[i:i + 36].encode()).decode()}?=" for i in range(0, len(subject), 36)]
    text = f"Yes, endorsed.\n\nHelen\n\n________________________________\n{outlook_quote(request, 'Helen Ward <head@oakfield-primary.example>')}\n"
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body dir="ltr">'
        '<div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt">Yes, endorsed.<br><br>Helen</div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
        f"<b>From:</b> STAR Teaching School Alliance &lt;{request['reply_to']}&gt;<br><b>Sent:</b> 12 December 2026 10:00<br>"
        f"<b>To:</b> Helen Ward &lt;head@oakfield-primary.example&gt;<br><b>Subject:</b> {request['subject']}</div>"
        f"<div>{html_paragraphs(request['text'])}</div></body></html>\n"
    )
    boundary = "_000_" + digest(name).upper() + "prodoutlook_"
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: base64"], b64(text.encode())),
        part(['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: base64"], b64(html.encode())),
    ])
    headers = [
        *answer_headers(request, sent, "mail.oakfield-primary.example", "192.0.2.61"),
        f"From: {request['from']}",
        f'To: "{BOT_NAME}" <{request["reply_to"]}>',
        "Subject: " + "\n ".join(encoded),
        f"Thread-Topic: {request['subject']}",
        "Thread-Index: AdtFZ2QmV0z1dJcBQ5yS0xqQ7cF3/gABCd3e",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <{digest(name, 40).upper()}@LO0P265MB5843.GBRP265.PROD.OUTLOOK.example>",
        f"References: {request['id']}",
        f"In-Reply-To: {request['id']}",
        "Accept-Language: en-GB, en-US",
        "Content-Language: en-GB",
        "X-MS-Has-Attach:",
        "X-MS-TNEF-Correlator:",
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"',
        "MIME-Version: 1.0",
    ]
    write(name, part(headers, body), True, answer(
        "Outlook on the web YES whose whole Subject, case reference included, is three RFC 2047 base64 encoded words.",
        "outlook-web", request))


def html_only_samsung() -> None:
    name = "html-only-samsung"
    request = CONSENT
    sent = when(8, 6, 55, 12)
    html = (
        "<html><head><meta http-equiv=\"Content-Type\" content=\"text/html; charset=UTF-8\"></head><body>"
        "<div dir=\"auto\">Yes&nbsp;– happy to consent.</div><div dir=\"auto\"><br></div>"
        "<div dir=\"auto\">Luke</div><div dir=\"auto\"><br></div>"
        "<div id=\"composer_signature\" dir=\"auto\"><div style=\"font-size:85%;color:#575757\" dir=\"auto\">Sent from my Galaxy</div></div>"
        "<div><br></div><div align=\"left\" dir=\"auto\" style=\"font-size:100%;color:#000000\"><div>-------- Original message --------</div>"
        f"<div>From: STAR Teaching School Alliance &lt;{request['reply_to']}&gt; </div><div>Date: 12/12/2026  10:00  (GMT+00:00) </div>"
        f"<div>To: {request['address']} </div><div>Subject: {request['subject']} </div><div><br></div></div>"
        f"<blockquote>{html_paragraphs(request['text'])}</blockquote></body></html>\n"
    )
    headers = [
        *answer_headers(request, sent, "mail.northgate-high.example", "192.0.2.73"),
        f"Message-ID: <{digest(name, 24)}@northgate-high.example>",
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "Content-Type: text/html; charset=UTF-8",
        "Content-Transfer-Encoding: quoted-printable",
        f"From: {request['from']}",
        f"To: {request['reply_to']}",
        f"Subject: RE: {request['subject']}",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        "X-Mailer: Samsung Email 6.1.94.3",
    ]
    write(name, part(headers, qp(html, "utf-8")), True, answer(
        "Samsung Email consent YES sent as HTML only, with a non-breaking space after Yes and the original message below.",
        "samsung-email", request))


def no_message_id_answer() -> None:
    name = "no-message-id-answer"
    request = ENDORSEMENT
    sent = when(6, 9, 0, 41)
    text = f"Yes\n\nHelen Ward\n\n>>> {BOT_NAME} <{request['reply_to']}> 12/12/2026 10:00 >>>\n{request['text']}\n"
    headers = [
        *answer_headers(request, sent, "mail.oakfield-primary.example", "192.0.2.61"),
        f"Date: {format_datetime(sent)}",
        f"From: {request['from']}",
        f"To: <{request['reply_to']}>",
        f"Subject: Re: {request['subject']}",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=US-ASCII",
        "Content-Transfer-Encoding: 7bit",
        "X-Mailer: GroupWise Internet Agent 18.4.2",
    ]
    write(name, part(headers, text), True, answer(
        "GroupWise YES with threading but no Message-ID header, so the message must be told apart by its content.",
        "groupwise", request))


def no_message_id_stranger() -> None:
    name = "no-message-id-stranger"
    sent = when(9, 22, 13, 7)
    text = (
        "Name: Dale Hurst\nEmail: dale.hurst@riverside-chess.example\n\n"
        "Message:\nHello, our chess club runs after-school sessions and we wondered if any of your\n"
        "schools would like a free taster session this spring.\n\n--\nSent from the Riverside Chess Club website\n"
    )
    headers = [
        *received("riverside-chess.example", sent, "web1.riverside-chess.example", "198.51.100.120", "www-data@web1.riverside-chess.example"),
        "To: pst@star-tsa.example",
        "Subject: Free chess taster sessions for your schools",
        "X-PHP-Originating-Script: 33:contact.php",
        "From: Riverside Chess Club <website@riverside-chess.example>",
        "Reply-To: dale.hurst@riverside-chess.example",
        f"Date: {format_datetime(sent)}",
        "Content-Type: text/plain; charset=UTF-8",
    ]
    write(name, part(headers, text), False, stranger(
        "PHP mail() message from a stranger with no Message-ID header and no case, a different message from the answer that also lacks one.",
        "php-mail"))


def empty_body_answer() -> None:
    name = "empty-body-answer"
    request = ENDORSEMENT
    sent = when(7, 20, 11, 0)
    headers = [
        *answer_headers(request, sent, "mail.oakfield-primary.example", "192.0.2.61"),
        f"Message-ID: <{digest(name, 8)}-{digest(name, 16)[8:]}@oakfield-primary.example>",
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla Thunderbird",
        f"Subject: Re: {request['subject']}",
        "Content-Language: en-GB",
        f"To: {BOT_NAME} <{request['reply_to']}>",
        f"References: {request['id']}",
        f"From: {request['from']}",
        f"In-Reply-To: {request['id']}",
        "Content-Type: text/plain; charset=UTF-8; format=flowed",
        "Content-Transfer-Encoding: 7bit",
    ]
    write(name, part(headers, ""), False, answer(
        "Thunderbird reply from the headteacher with threading and an empty body, which is neither YES nor NO.",
        "thunderbird", request, intent="unclear"))


def nul_byte_answer() -> None:
    name = "nul-byte-answer"
    request = CONSENT
    sent = when(8, 13, 36, 20)
    text = f"Yes, I consent.\x00\n\nLuke Barnes\n\n-----Original Message-----\nFrom: {BOT_NAME}\nTo: {request['address']}\nSubject: {request['subject']}\n\n{request['text']}\n"
    headers = [
        *answer_headers(request, sent, "mail.northgate-high.example", "192.0.2.73"),
        f"From: {request['from']}",
        f"To: {request['reply_to']}",
        f"Subject: RE: {request['subject']}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <{digest(name, 20).upper()}@mobile.northgate-high.example>",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "Content-Transfer-Encoding: 8bit",
        "X-Mailer: Nine - mail for Android 4.9.4a",
    ]
    write(name, part(headers, text), True, answer(
        "Nine for Android consent YES whose 8bit body has a NUL byte at the end of the answer line.",
        "nine-android", request))


def long_lines_answer() -> None:
    name = "long-lines-answer"
    request = ENDORSEMENT
    sent = when(10, 21, 2, 38)
    reasons = (
        "Sam has been working hard on questioning with her Year 4 class since September and the visit would let her see "
        "hinge questions used live by someone who does it every day, which is exactly what our improvement plan asks for "
        "this year; "
    )
    first_line = "Yes, I endorse the request. " + reasons * 24
    text = f"{first_line}\n\nHelen Ward\n\nQuoting {BOT_NAME} <{request['reply_to']}>:\n\n{quote_lines(request['text'])}\n"
    headers = [
        *answer_headers(request, sent, "webmail.oakfield-primary.example", "192.0.2.62"),
        f"Message-ID: <20270110210238.Horde.{digest(name, 22)}@webmail.oakfield-primary.example>",
        f"Date: {format_datetime(sent)}",
        f"From: {request['from']}",
        f"To: {request['reply_to']}",
        f"Subject: Re: {request['subject']}",
        f"In-Reply-To: {request['id']}",
        f"References: {request['id']}",
        "User-Agent: Horde Application Framework 5",
        "Content-Type: text/plain; charset=utf-8",
        "MIME-Version: 1.0",
        "Content-Transfer-Encoding: 8bit",
    ]
    write(name, part(headers, text), False, answer(
        f"Horde YES whose first line is {len(first_line)} characters long in 8bit, beyond the 998-character line limit of RFC 5322.",
        "horde", request))


def main() -> None:
    for make in (
        windows_1252_outlook, iso_8859_1_thunderbird, utf8_base64_gmail, utf8_quoted_printable_apple,
        utf8_declared_windows_1252_bytes, charset_variants, charset_unknown, raw_8bit_headers_utf8,
        raw_8bit_headers_latin1_stranger, charset_latin1_stranger, rfc2047_subject_outlook, html_only_samsung,
        no_message_id_answer, no_message_id_stranger, empty_body_answer, nul_byte_answer, long_lines_answer,
    ):
        make()


if __name__ == "__main__":
    main()
