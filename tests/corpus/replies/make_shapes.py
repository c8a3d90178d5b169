"""Shared pieces for make_replies.py and ../trust/make_trust.py, imported by both: the bot's earlier emails and each client's reply shape.

Every message is assembled as text from headers and MIME parts, so that
each client's header order, parameter quoting and quoting style stay as
that client writes them. The body encodings come from the standard
``email`` package (quoprimime and base64mime). ``write_message`` parses
every message back with ``email`` and checks that each text part decodes
to the text it was built from.
"""

from __future__ import annotations

import email
import email.policy
import hashlib
import html
import json
import textwrap
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from email import base64mime, quoprimime
from email.utils import format_datetime
from pathlib import Path

BOT_NAME = "STAR Teaching School Alliance"
BOT_ADDRESS = "pst@star-tsa.example"
BOT = f"{BOT_NAME} <{BOT_ADDRESS}>"
TRUSTED_HOST = "mx.star-tsa.example"
# The world's bot emails were all sent 30 days before the corpus moment, Monday 11/01/2027 10:00.
BOT_SENT = datetime(2026, 12, 12, 10, 0, tzinfo=timezone.utc)

SUMMARY_0101 = """Reference:          PST-2026-0101
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
Better hinge questions in maths."""


@dataclass(frozen=True)
class Original:
    """One of the bot's emails in the corpus world, as a reply quotes it."""

    reference: str
    token: str
    subject: str
    recipient_name: str
    recipient: str
    text: str

    @property
    def message_id(self) -> str:
        return f"<{self.reference}.{self.token}@star-tsa.example>"

    @property
    def reply_address(self) -> str:
        return f"pst+{self.token}@star-tsa.example"

    @property
    def recipient_header(self) -> str:
        if self.recipient_name == self.recipient:
            return self.recipient
        return f"{self.recipient_name} <{self.recipient}>"


ORIGINALS = {
    "e101": Original(
        "PST-2026-0101",
        "e101e101e101e101e101",
        "[PST-2026-0101] Please endorse a PST visit request for Oakfield Primary School",
        "Mrs Helen Ward",
        "head@oakfield-primary.example",
        "Dear Mrs Ward,\n\n"
        "Sam Patel has asked STAR Teaching School Alliance to arrange a visit to a Peer Support Teacher (PST) "
        "for Oakfield Primary School. Before we look for a PST, we ask the headteacher to endorse each request.\n\n"
        "Please reply to this email with YES to endorse the request, or NO if the school should not go ahead. "
        "A one-word reply at the top of your email is all we need.\n\n"
        "This is what we received:\n\n" + SUMMARY_0101 + "\n\nKind regards,\nSTAR Teaching School Alliance",
    ),
    "a101": Original(
        "PST-2026-0101",
        "a101a101a101a101a101",
        "[PST-2026-0101] We have received your request for a PST visit",
        "Sam Patel",
        "s.patel@oakfield-primary.example",
        "Dear Sam Patel,\n\n"
        "Thank you for your request for a visit to a Peer Support Teacher (PST) for Oakfield Primary School. "
        "Its reference is PST-2026-0101; please keep it in the subject line if you write to us about it.\n\n"
        "What happens next: we will first ask your headteacher, Mrs Helen Ward, to endorse the request. "
        "Once they have, our Strategic Lead for SLEs and PSTs will look for a PST who fits it and we will ask "
        "that PST's headteacher to agree to the visit.\n\n"
        "This is what we received:\n\n" + SUMMARY_0101 + "\n\n"
        "If anything here is wrong, please reply to this email and tell us.\n\nKind regards,\nSTAR Teaching School Alliance",
    ),
    "c102": Original(
        "PST-2026-0102",
        "c102c102c102c102c102",
        "[PST-2026-0102] Please consent to a PST visit to Priya Anand",
        "Mr Luke Barnes",
        "head@northgate-high.example",
        "Dear Mr Barnes,\n\n"
        "STAR Teaching School Alliance would like to arrange a visit to Priya Anand, one of your school's Peer "
        "Support Teachers (PSTs), by a teacher from Fernhill Community School. The visit is usually one morning: "
        "the visitor observes a lesson, then Priya Anand discusses it with them. The alliance reimburses your "
        "school for each half-day session.\n\n"
        "Please reply to this email with YES to consent to the visit, or NO if it cannot go ahead. "
        "A one-word reply at the top of your email is all we need.\n\n"
        "What the visiting school would like to explore:\n\nBetter hinge questions in maths.\n\n"
        "Kind regards,\nSTAR Teaching School Alliance",
    ),
    "b102": Original(
        "PST-2026-0102",
        "b102b102b102b102b102",
        "[PST-2026-0102] A request to visit you is on its way",
        "Priya Anand",
        "p.anand@northgate-high.example",
        "Dear Priya Anand,\n\n"
        "STAR Teaching School Alliance has matched you to a request from Fernhill Community School for a visit "
        "to a Peer Support Teacher. We have asked your headteacher to consent to the visit; once they have, we "
        "will be in touch to agree a date with you and the visiting teacher.\n\n"
        "What the visiting school would like to explore:\n\nBetter hinge questions in maths.\n\n"
        "Kind regards,\nSTAR Teaching School Alliance",
    ),
    "f104": Original(
        "PST-2026-0104",
        "f104f104f104f104f104",
        "[PST-2026-0104] How was your visit to Tom Reid on 07/01/2027?",
        "Joy Okafor",
        "j.okafor@castlegate-academy.example",
        "Dear Joy Okafor,\n\n"
        "We hope your visit to Tom Reid at Willowbank Primary School on 07/01/2027 was useful. Your feedback "
        "helps the alliance make sure every visit is worthwhile.\n\n"
        "Please reply to this email with:\n\n"
        "- a rating from 1 to 5 on the first line (5 is the best), and\n"
        "- a few words on what you took away and what could be better.\n\n"
        "For example:\n\n"
        "4 - The questioning was excellent; more time for discussion would have helped.\n\n"
        "Kind regards,\nSTAR Teaching School Alliance",
    ),
}


def staff_notice(reference: str, token: str, subject: str, text: str, recipient: str = "bm@star-tsa.example") -> Original:
    """Return one of the bot's notices to staff: it is not in the world's outbox, so only its subject names the case."""
    return Original(reference, token, f"[{reference}] {subject}", recipient, recipient, text)


@dataclass(frozen=True)
class Earlier:
    """A person's email in the thread between the bot's email and this reply, as a reply quotes it."""

    sender: str
    date: datetime
    to: str
    subject: str
    text: str
    message_id: str
    cc: str = ""


@dataclass
class Reply:
    """One reply to write: its sender, its own words and quoted thread, how it was delivered, and what mailbot must do."""

    name: str
    client: str
    about: str
    sender: str
    date: datetime
    top: str
    original: Original | None
    outcome: str
    case: str
    intent: str
    to: list[str] = field(default_factory=lambda: [BOT])
    cc: list[str] = field(default_factory=list)
    subject: str | None = None
    prefix: str = "Re: "
    # False drops In-Reply-To and References, as a new message or some forwarding does.
    threading: bool = True
    # Emails quoted between the bot's email and this reply, newest first.
    earlier: list[Earlier] = field(default_factory=list)
    signature: str = ""
    # Text under the signature, such as a legal disclaimer.
    footer: str = ""
    lang: str = "en"
    html_only: bool = False
    crlf: bool = True
    # Authentication-Results values that the alliance's mail host adds above its own Received line.
    authentication: list[str] = field(default_factory=list)
    # (name, value) pairs the sending client writes among its own headers.
    extra_headers: list[tuple[str, str]] = field(default_factory=list)
    reply_to: str | None = None
    # Replaces the HTML made from ``top`` when the HTML part must differ from the plain text.
    top_html: str | None = None
    # A client's sub-kind: "smtp" or "logo" for Outlook desktop, "android" for Gmail or Outlook on Android.
    variant: str = ""
    sender_host: str = ""
    sender_ip: str = "192.0.2.25"
    # The Subject header exactly as written, when it must be RFC 2047 encoded.
    raw_subject: str | None = None
    # Header lines written by hosts before the alliance's mail host, placed under its Received line.
    upstream: list[str] = field(default_factory=list)

    @property
    def address(self) -> str:
        return self.sender.rsplit("<", 1)[-1].rstrip(">").strip()

    @property
    def domain(self) -> str:
        return self.address.rsplit("@", 1)[-1]

    @property
    def full_subject(self) -> str:
        if self.subject is not None:
            return self.subject
        return self.prefix + self.original.subject

    @property
    def subject_header(self) -> str:
        """The Subject header as written, which differs from the subject when it is RFC 2047 encoded."""
        return self.raw_subject or self.full_subject

    @property
    def references(self) -> list[str]:
        if not self.threading:
            return []
        ids = [self.original.message_id] if self.original is not None else []
        ids += [earlier.message_id for earlier in reversed(self.earlier)]
        return ids


# Identifiers, dates and header helpers


def digest(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def hex_id(name: str, length: int, salt: str = "") -> str:
    return digest(name, salt)[:length]


def rfc_date(moment: datetime) -> str:
    return format_datetime(moment)


def uuid_like(name: str, salt: str = "") -> str:
    h = digest(name, salt, "uuid").upper()
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-A{h[17:20]}-{h[20:32]}"


def thread_index(name: str) -> str:
    raw = bytes.fromhex(digest(name, "thread-index")[:44])
    return base64mime.body_encode(b"\x01" + raw[1:], maxlinelen=200, eol="").strip()


def header(name: str, value: str) -> str:
    return f"{name}: {value}"


def address_list(addresses: list[str]) -> str:
    return ",\n\t".join(addresses)


# MIME parts


@dataclass
class Leaf:
    content_type: str
    cte: str | None
    body: str
    text: str | None = None
    extra: list[str] = field(default_factory=list)
    binary: bytes | None = None


@dataclass
class Multi:
    content_type: str
    boundary: str
    parts: list
    preamble: str = ""


def encode_text(text: str, cte: str | None, charset: str = "utf-8") -> str:
    data = text.encode(charset)
    if cte == "quoted-printable":
        return quoprimime.body_encode(data.decode("latin-1"), maxlinelen=76, eol="\n")
    if cte == "base64":
        # Text is base64-encoded in its canonical form, with CRLF line ends (RFC 2045).
        data = text.replace("\r\n", "\n").replace("\n", "\r\n").encode(charset)
        return base64mime.body_encode(data, maxlinelen=76, eol="\n").rstrip("\n")
    return text


def text_leaf(text: str, content_type: str, cte: str | None, charset: str = "utf-8", extra: list[str] | None = None) -> Leaf:
    return Leaf(content_type, cte, encode_text(text, cte, charset), text=text, extra=extra or [])


def binary_leaf(data: bytes, content_type: str, extra: list[str]) -> Leaf:
    return Leaf(content_type, "base64", base64mime.body_encode(data, maxlinelen=76, eol="\n").rstrip("\n"), extra=extra, binary=data)


def render_part(node) -> tuple[list[str], str]:
    """Return the part's MIME header lines and its body text."""
    if isinstance(node, Leaf):
        lines = [header("Content-Type", node.content_type)]
        if node.cte:
            lines.append(header("Content-Transfer-Encoding", node.cte))
        lines.extend(node.extra)
        return lines, node.body
    lines = [header("Content-Type", node.content_type)]
    chunks = [node.preamble] if node.preamble else []
    for part in node.parts:
        part_headers, part_body = render_part(part)
        chunks.append(f"--{node.boundary}\n" + "\n".join(part_headers) + "\n\n" + part_body.rstrip("\n") + "\n")
    chunks.append(f"--{node.boundary}--\n")
    return lines, "\n".join(chunks)


# Quoting


def quote_gt(text: str, empty: str = ">") -> str:
    """Prefix every line with "> " and write ``empty`` for a blank line, as Gmail and Apple Mail quote plain text without rewrapping."""
    return "\n".join(f"> {line}" if line else empty for line in text.split("\n"))


def flowed(text: str, width: int = 72, prefix: str = "") -> str:
    """Wrap text as format=flowed (RFC 3676): a soft break ends with a space, and quoted lines keep their "> " prefix."""
    out: list[str] = []
    for line in text.split("\n"):
        if line == "-- ":
            out.append(prefix + line)
            continue
        if len(prefix + line) <= width or line.startswith(" "):
            out.append((prefix + line).rstrip() if line.strip() else prefix.rstrip())
            continue
        pieces = textwrap.wrap(line, width - len(prefix), break_long_words=False, break_on_hyphens=False)
        for index, piece in enumerate(pieces):
            out.append(prefix + piece + (" " if index < len(pieces) - 1 else ""))
    return "\n".join(out)


def paragraphs_html(text: str, tag: str = "div", attrs: str = "") -> str:
    """Turn plain text into HTML blocks, one per line, with a <br> block for each blank line."""
    blocks = []
    for line in text.split("\n"):
        inner = html.escape(line) if line.strip() else "<br>"
        blocks.append(f"<{tag}{attrs}>{inner}</{tag}>")
    return "\n".join(blocks)


def summary_html(text: str) -> str:
    """The bot's email as HTML paragraphs, with line breaks kept inside each paragraph."""
    paras = [p for p in text.split("\n\n")]
    return "\n".join(f"<p>{'<br>'.join(html.escape(line) for line in para.split(chr(10)))}</p>" for para in paras)


# Transport


def transport_lines(reply: Reply, delivered_to: str) -> list[str]:
    """Headers the alliance's own servers add on delivery: Return-Path, Delivered-To, Received and any Authentication-Results."""
    host = reply.sender_host or f"mail.{reply.domain}"
    received_at = reply.date + timedelta(seconds=3)
    lines = [
        header("Return-Path", f"<{reply.address}>"),
        header("Delivered-To", delivered_to),
        header(
            "Received",
            f"from {TRUSTED_HOST} ({TRUSTED_HOST} [198.51.100.10])\n\tby imap.star-tsa.example with LMTP\n\t"
            f"id {hex_id(reply.name, 22, 'lmtp')}\n\t(envelope-from <{reply.address}>)\n\tfor <{delivered_to}>; {rfc_date(received_at)}",
        ),
    ]
    lines.extend(header("Authentication-Results", value) for value in reply.authentication)
    lines.append(
        header(
            "Received",
            f"from {host} ({host} [{reply.sender_ip}])\n\tby {TRUSTED_HOST} (Postfix) with ESMTPS id {hex_id(reply.name, 10, 'smtp').upper()}\n\t"
            f"for <{delivered_to}>; {rfc_date(reply.date + timedelta(seconds=2))}",
        )
    )
    lines.extend(reply.upstream)
    return lines


def delivered_to(reply: Reply) -> str:
    for address in reply.to + reply.cc:
        if address.startswith("pst") or "<pst" in address:
            return address.rsplit("<", 1)[-1].rstrip(">").strip()
    return BOT_ADDRESS


def assemble(reply: Reply, client_headers: list[str], root) -> bytes:
    """Join the delivery headers, the client's headers (with a "MIME" marker for the MIME headers) and the body."""
    mime_lines, body = render_part(root)
    lines = transport_lines(reply, delivered_to(reply))
    for line in client_headers:
        if line == "MIME":
            lines.extend(mime_lines)
        else:
            lines.append(line)
    text = "\n".join(lines) + "\n\n" + body
    if not text.endswith("\n"):
        text += "\n"
    if reply.crlf:
        text = text.replace("\n", "\r\n")
    return text.encode("utf-8")


# Expectation files


def toml_string(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def expectation(about: str, client: str, outcome: str, case: str, intent: str, attachments: list[str] | None = None) -> str:
    attachments = attachments or []
    return (
        f"about = {toml_string(about)}\n"
        f"client = {toml_string(client)}\n"
        f"outcome = {toml_string(outcome)}\n"
        f"case = {toml_string(case)}\n"
        f"intent = {toml_string(intent)}\n"
        "automatic = false\n"
        'bounced = ""\n'
        f"attachments = [{', '.join(toml_string(name) for name in attachments)}]\n"
        "opens_case = false\n"
    )


def leaves(node) -> list[Leaf]:
    if isinstance(node, Leaf):
        return [node]
    return [leaf for part in node.parts for leaf in leaves(part)]


def check_round_trip(raw: bytes, root, name: str) -> None:
    """Parse ``raw`` with the email package and check that every text part decodes to the text it was built from."""
    message = email.message_from_bytes(raw, policy=email.policy.default)
    parsed = [part for part in message.walk() if not part.is_multipart()]
    built = leaves(root)
    assert len(parsed) == len(built), f"{name}: {len(parsed)} parts parsed, {len(built)} built"
    for part, leaf in zip(parsed, built):
        if leaf.text is not None:
            got = part.get_payload(decode=True).decode(part.get_content_charset() or "utf-8")
            assert got.replace("\r\n", "\n").rstrip("\n") == leaf.text.rstrip("\n"), f"{name}: a {part.get_content_type()} part does not decode to its text"
        if leaf.binary is not None:
            assert part.get_payload(decode=True) == leaf.binary, f"{name}: a binary part does not decode to its bytes"
    assert message["Message-ID"] or message["Message-Id"], f"{name}: no Message-ID"


def write_message(folder: Path, name: str, raw: bytes, root, toml: str) -> None:
    check_round_trip(raw, root, name)
    (folder / f"{name}.eml").write_bytes(raw)
    (folder / f"{name}.toml").write_text(toml, encoding="utf-8")


# The thread a reply quotes


@dataclass(frozen=True)
class Quoted:
    sender: str
    date: datetime
    to: str
    cc: str
    subject: str
    text: str


def chain(reply: Reply) -> list[Quoted]:
    """The emails a reply quotes, newest first: the people's emails in between, then the bot's email."""
    quoted = [Quoted(e.sender, e.date, e.to, e.cc, e.subject, e.text) for e in reply.earlier]
    if reply.original is not None:
        o = reply.original
        quoted.append(Quoted(BOT, BOT_SENT, o.recipient_header, "", o.subject, o.text))
    return quoted


def new_words(reply: Reply) -> str:
    """The reply's own text: the top, then its signature and footer."""
    parts = [reply.top]
    if reply.signature:
        parts.append(reply.signature)
    if reply.footer:
        parts.append(reply.footer)
    return "\n\n".join(parts)


WEEKDAYS = {
    "en": ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"],
    "de": ["Montag", "Dienstag", "Mittwoch", "Donnerstag", "Freitag", "Samstag", "Sonntag"],
    "fr": ["lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche"],
    "nl": ["maandag", "dinsdag", "woensdag", "donderdag", "vrijdag", "zaterdag", "zondag"],
    "es": ["lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo"],
    "sv": ["måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag", "söndag"],
}
MONTHS = {
    "en": ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November", "December"],
    "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September", "Oktober", "November", "Dezember"],
    "fr": ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"],
    "nl": ["januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober", "november", "december"],
    "es": ["enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre", "octubre", "noviembre", "diciembre"],
    "sv": ["januari", "februari", "mars", "april", "maj", "juni", "juli", "augusti", "september", "oktober", "november", "december"],
}
# Outlook's reply header labels: From, Sent, To, Cc, Subject.
OUTLOOK_LABELS = {
    "en": ("From:", "Sent:", "To:", "Cc:", "Subject:"),
    "de": ("Von:", "Gesendet:", "An:", "Cc:", "Betreff:"),
    "fr": ("De\u00a0:", "Envoyé\u00a0:", "À\u00a0:", "Cc\u00a0:", "Objet\u00a0:"),
    "nl": ("Van:", "Verzonden:", "Aan:", "CC:", "Onderwerp:"),
    "es": ("De:", "Enviado el:", "Para:", "CC:", "Asunto:"),
    "sv": ("Från:", "Skickat:", "Till:", "Kopia:", "Ämne:"),
}


def outlook_date(moment: datetime, lang: str) -> str:
    day, weekday, month = moment.day, WEEKDAYS[lang][moment.weekday()], MONTHS[lang][moment.month - 1]
    clock = moment.strftime("%H:%M")
    return {
        "en": f"{weekday}, {day} {month} {moment.year} {clock}",
        "de": f"{weekday}, {day}. {month} {moment.year} {clock}",
        "fr": f"{weekday} {day} {month} {moment.year} {clock}",
        "nl": f"{weekday} {day} {month} {moment.year} {clock}",
        "es": f"{weekday}, {day} de {month} de {moment.year} {clock}",
        "sv": f"den {day} {month} {moment.year} {clock}",
    }[lang]


def short_date(moment: datetime) -> str:
    return moment.strftime("%a, %d %b %Y").replace(" 0", " ")


# Outlook, all kinds


def outlook_block_text(quoted: Quoted, lang: str) -> str:
    sender, sent, to, cc, subject = OUTLOOK_LABELS[lang]
    lines = [f"{sender} {quoted.sender} ", f"{sent} {outlook_date(quoted.date, lang)}", f"{to} {quoted.to}"]
    if quoted.cc:
        lines.append(f"{cc} {quoted.cc}")
    lines.append(f"{subject} {quoted.subject}")
    return "\n".join(lines)


def outlook_block_html(quoted: Quoted, lang: str, word: bool) -> str:
    labels = OUTLOOK_LABELS[lang]
    values = [quoted.sender, outlook_date(quoted.date, lang), quoted.to] + ([quoted.cc] if quoted.cc else []) + [quoted.subject]
    names = [labels[0], labels[1], labels[2]] + ([labels[3]] if quoted.cc else []) + [labels[4]]
    rows = "<br>\n".join(f"<b>{html.escape(n)}</b> {html.escape(v)}" for n, v in zip(names, values))
    if word:
        return (
            "<div style='border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm'>\n"
            f"<p class=MsoNormal><span lang=EN-US style='font-size:11.0pt;font-family:\"Calibri\",sans-serif'>{rows}<o:p></o:p></span></p>\n</div>"
        )
    return (
        '<hr style="display:inline-block;width:98%" tabindex="-1">\n'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        f"{rows}</font>\n<div>&nbsp;</div>\n</div>"
    )


def word_paragraphs(text: str) -> str:
    out = []
    for line in text.split("\n"):
        inner = html.escape(line) if line.strip() else "<o:p>&nbsp;</o:p>"
        out.append(f"<p class=MsoNormal><span style='font-size:11.0pt'>{inner}<o:p></o:p></span></p>")
    return "\n".join(out)


WORD_HEAD = """<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">
<head><meta http-equiv=Content-Type content="text/html; charset=utf-8"><meta name=Generator content="Microsoft Word 15 (filtered medium)">
<style><!--
/* Font Definitions */
@font-face
	{font-family:"Cambria Math";
	panose-1:2 4 5 3 5 4 6 3 2 4;}
@font-face
	{font-family:Aptos;}
/* Style Definitions */
p.MsoNormal, li.MsoNormal, div.MsoNormal
	{margin:0cm;
	font-size:12.0pt;
	font-family:"Aptos",sans-serif;
	mso-ligatures:standardcontextual;
	mso-fareast-language:EN-US;}
span.EmailStyle20
	{mso-style-type:personal-reply;
	font-family:"Aptos",sans-serif;
	color:windowtext;}
.MsoChpDefault
	{mso-style-type:export-only;
	font-size:10.0pt;
	mso-ligatures:none;}
@page WordSection1
	{size:612.0pt 792.0pt;
	margin:72.0pt 72.0pt 72.0pt 72.0pt;}
div.WordSection1
	{page:WordSection1;}
--></style><!--[if gte mso 9]><xml>
<o:shapedefaults v:ext="edit" spidmax="1026" />
</xml><![endif]--><!--[if gte mso 9]><xml>
<o:shapelayout v:ext="edit">
<o:idmap v:ext="edit" data="1" />
</o:shapelayout></xml><![endif]--></head>"""


def outlook_desktop(reply: Reply) -> tuple[list[str], object]:
    """Build Outlook for Windows: Word HTML, and a plain part with the localised From/Sent/To/Subject block and no "> "."""
    lang = reply.lang
    quoted = chain(reply)
    exchange = reply.variant != "smtp"
    logo_id = f"image001.png@01DB6413.{hex_id(reply.name, 8, 'cid').upper()}"

    spacer = "\u00a0"
    plain = new_words(reply)
    for item in quoted:
        plain += f"\n\n{spacer}\n\n" + outlook_block_text(item, lang) + f"\n\n{spacer}\n\n" + item.text

    body_html = reply.top_html or word_paragraphs(new_words(reply))
    if reply.variant == "logo":
        body_html += f'\n<p class=MsoNormal><img width=48 height=48 style=\'width:.5in;height:.5in\' id="Picture_x0020_1" src="cid:{logo_id}" alt="Northgate High School"><o:p></o:p></p>'
    html_quoted = ""
    for item in quoted:
        blank = "\n<p class=MsoNormal><o:p>&nbsp;</o:p></p>\n"
        html_quoted += blank + outlook_block_html(item, lang, word=True) + blank + word_paragraphs(item.text)
    body_lang = "EN-GB" if lang == "en" else lang.upper()
    page = (
        f"{WORD_HEAD}<body lang={body_lang} link=\"#467886\" vlink=\"#96607D\" style='word-wrap:break-word'>"
        f"<div class=WordSection1>\n{body_html}\n{html_quoted}\n</div>\n</body>\n</html>\n"
    )

    if exchange:
        token = hex_id(reply.name, 30, "exchange").upper()
        server = f"AM9PR02MB{hex_id(reply.name, 4, 'srv').upper()}"
        boundary = f"_000_{server}{token[:24]}{server}eurp_"
        text_part = text_leaf(plain, 'text/plain; charset="utf-8"', "base64")
        html_part = text_leaf(page, 'text/html; charset="utf-8"', "base64")
        message_id = f"<{server}{token}@{server}.eurprd02.prod.outlook.example>"
    else:
        charset = "utf-8" if any(ord(c) > 127 for c in plain) else "us-ascii"
        stamp = hex_id(reply.name, 8, "stamp").upper()
        boundary = f"----=_NextPart_000_00{stamp[:2]}_01DB6413.{stamp}"
        text_part = text_leaf(plain, f'text/plain;\n\tcharset="{charset}"', "quoted-printable", charset)
        html_part = text_leaf(page, 'text/html;\n\tcharset="utf-8"', "quoted-printable")
        message_id = f"<{hex_id(reply.name, 4, 'a')}01db6413${hex_id(reply.name, 8, 'b')}${hex_id(reply.name, 8, 'c')}$@{reply.domain}>"
    root = Multi(f'multipart/alternative;\n\tboundary="{boundary}"', boundary, [text_part, html_part])

    if reply.variant == "logo":
        # Outlook puts the signature picture beside the alternative in multipart/related, with its own boundary.
        root.boundary = boundary.replace("_000_", "_005_") if exchange else boundary.replace("_000_", "_001_")
        root.content_type = f'multipart/alternative;\n\tboundary="{root.boundary}"'
        data = tiny_png()
        logo = binary_leaf(
            data,
            'image/png;\n\tname="image001.png"',
            [
                "Content-Description: image001.png",
                f'Content-Disposition: inline; filename="image001.png"; size={len(data)};\n\tcreation-date="Mon, 11 Jan 2027 08:20:11 GMT";\n\tmodification-date="Mon, 11 Jan 2027 08:20:11 GMT"',
                f"Content-ID: <{logo_id}>",
            ],
        )
        related = boundary.replace("_000_", "_004_")
        root = Multi(f'multipart/related;\n\tboundary="{related}";\n\ttype="multipart/alternative"', related, [root, logo])

    headers = outlook_common_headers(reply, message_id, exchange, mailer=None if exchange else "Microsoft Outlook 16.0")
    return headers, root


def outlook_common_headers(reply: Reply, message_id: str, exchange: bool, mailer: str | None) -> list[str]:
    topic = reply.original.subject if reply.original is not None else reply.full_subject
    threading = []
    if reply.references:
        threading = [header("References", "\n ".join(reply.references)), header("In-Reply-To", reply.references[-1])]
    language = {"en": "en-GB", "de": "de-DE", "fr": "fr-FR", "nl": "nl-NL", "es": "es-ES", "sv": "sv-SE"}[reply.lang]
    if exchange:
        lines = [header("From", reply.sender), header("To", address_list(reply.to))]
        if reply.cc:
            lines.append(header("CC", address_list(reply.cc)))
        if reply.reply_to:
            lines.append(header("Reply-To", reply.reply_to))
        lines += [
            header("Subject", reply.subject_header),
            header("Thread-Topic", topic),
            header("Thread-Index", thread_index(reply.name)),
            header("Date", rfc_date(reply.date)),
            header("Message-ID", message_id),
            *threading,
            header("Accept-Language", f"{language}, en-US" if language != "en-GB" else "en-GB, en-US"),
            header("Content-Language", language),
            header("X-MS-Has-Attach", "yes" if reply.variant == "logo" else ""),
            header("X-MS-TNEF-Correlator", ""),
            header("msip_labels", ""),
            *[header(n, v) for n, v in reply.extra_headers],
            "MIME",
            header("MIME-Version", "1.0"),
        ]
        return lines
    lines = [header("From", f'"{reply.sender.split(" <")[0]}" <{reply.address}>'), header("To", address_list(reply.to))]
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    lines += [
        *threading,
        header("Subject", reply.subject_header),
        header("Date", rfc_date(reply.date).replace("+0000", "-0000")),
        header("Message-ID", message_id),
        header("MIME-Version", "1.0"),
        "MIME",
        header("X-Mailer", mailer or "Microsoft Outlook 16.0"),
        header("Thread-Index", thread_index(reply.name)),
        header("Content-Language", language.lower()),
        *[header(n, v) for n, v in reply.extra_headers],
    ]
    return lines


def tiny_png() -> bytes:
    """A valid 8x8 PNG in the school's colour, standing in for a signature logo."""
    import struct
    import zlib

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    rows = b"".join(b"\x00" + bytes([0x1F, 0x4E, 0x79]) * 8 for _ in range(8))
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 8, 8, 8, 2, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


OWA_STYLE = "font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);"


def outlook_web(reply: Reply) -> tuple[list[str], object]:
    """Build Outlook on the web: divRplyFwdMsg in HTML, a line of underscores before the header block in plain text."""
    lang = reply.lang
    quoted = chain(reply)
    plain = new_words(reply)
    html_quoted = ""
    for item in quoted:
        plain += "\n________________________________\n" + outlook_block_text(item, lang).replace(" \n", "\n") + "\n\n" + item.text
        html_quoted += "\n" + outlook_block_html(item, lang, word=False) + f"\n<div>\n{summary_html(item.text)}\n</div>"
    top_html = reply.top_html or paragraphs_html(new_words(reply), attrs=f' class="elementToProof" style="{OWA_STYLE}"')
    page = (
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
        f'</head>\n<body dir="ltr">\n{top_html}\n<div id="appendonsend"></div>{html_quoted}\n</body>\n</html>\n'
    )
    server = f"DB9PR02MB{hex_id(reply.name, 4, 'owa').upper()}"
    token = hex_id(reply.name, 30, "owa-id").upper()
    message_id = f"<{server}{token}@{server}.eurprd02.prod.outlook.example>"
    boundary = f"_000_{server}{token[:24]}{server}eurp_"
    html_part = text_leaf(page, 'text/html; charset="utf-8"', "quoted-printable")
    if reply.html_only:
        root = html_part
    else:
        charset = "utf-8" if any(ord(c) > 127 for c in plain) else "us-ascii"
        root = Multi(
            f'multipart/alternative;\n\tboundary="{boundary}"', boundary,
            [text_leaf(plain, f'text/plain; charset="{charset}"', "quoted-printable", charset), html_part],
        )
    return outlook_common_headers(reply, message_id, exchange=True, mailer=None), root


def outlook_mobile(reply: Reply) -> tuple[list[str], object]:
    """Build Outlook for iOS or Android: "Get Outlook for iOS" under the reply, then Outlook's header block."""
    platform = "Android" if reply.variant == "android" else "iOS"
    quoted = chain(reply)
    plain = new_words(reply) + f"\n\nGet Outlook for {platform}"
    html_quoted = ""
    for item in quoted:
        block = outlook_block_text(item, "en").replace(" \n", "\n").replace(
            outlook_date(item.date, "en"), outlook_date(item.date, "en") + ":00"
        )
        plain += "\n________________________________\n" + block + "\n\n" + item.text
        block_html = outlook_block_html(item, "en", word=False).replace(outlook_date(item.date, "en"), outlook_date(item.date, "en") + ":00")
        html_quoted += "\n" + block_html + f"\n<div>\n{summary_html(item.text)}\n</div>"
    top_html = reply.top_html or paragraphs_html(new_words(reply), attrs=' dir="auto"')
    page = (
        '<html>\n<head>\n<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n</head>\n<body>\n'
        f'<div dir="auto">\n{top_html}\n<div dir="auto"><br></div>\n'
        f'<div class="ms-outlook-mobile-signature" dir="auto">Get Outlook for {platform}</div>\n</div>\n'
        f'<div id="ms-outlook-mobile-body-separator-line" dir="auto"><br></div>{html_quoted}\n</body>\n</html>\n'
    )
    server = f"{'PAXP' if platform == 'iOS' else 'DU0P'}R02MB{hex_id(reply.name, 4, 'mob').upper()}"
    token = hex_id(reply.name, 30, "mobile-id").upper()
    message_id = f"<{server}{token}@{server}.eurprd02.prod.outlook.example>"
    boundary = f"_000_{server}{token[:24]}{server}eurp_"
    root = Multi(
        f'multipart/alternative;\n\tboundary="{boundary}"', boundary,
        [text_leaf(plain, 'text/plain; charset="utf-8"', "base64"), text_leaf(page, 'text/html; charset="utf-8"', "base64")],
    )
    return outlook_common_headers(reply, message_id, exchange=True, mailer=None), root


# Gmail


def gmail_attribution(item: Quoted, android: bool) -> tuple[str, str]:
    """Return Gmail's "On ... wrote:" line as its plain text writes it and as HTML.

    In plain text Gmail breaks a line longer than 78 characters after the "<"
    that opens the address, so the attribution spans two lines.
    """
    name, _, address = item.sender.rpartition(" <")
    address = address.rstrip(">")
    if android:
        when = f"{short_date(item.date)}, {item.date:%H:%M} {name},"
    else:
        when = f"{short_date(item.date)} at {item.date:%H:%M}, {name}"

    plain = f"On {when} <{address}> wrote:"
    if len(plain) > 78:
        plain = f"On {when} <\n{address}> wrote:"
    html_line = f'On {html.escape(when)} &lt;<a href="mailto:{address}">{address}</a>&gt; wrote:<br>'
    return plain, html_line


def nested_gt(quoted: list[Quoted], attribution) -> str:
    if not quoted:
        return ""
    first, rest = quoted[0], quoted[1:]
    inner = first.text + ("\n\n" + nested_gt(rest, attribution) if rest else "")
    return attribution(first) + "\n\n" + quote_gt(inner)


def nested_html(quoted: list[Quoted], attribution_html, open_quote: str) -> str:
    if not quoted:
        return ""
    first, rest = quoted[0], quoted[1:]
    inner = summary_html(first.text) + ("\n" + nested_html(rest, attribution_html, open_quote) if rest else "")
    return attribution_html(first) + f"\n{open_quote}\n{inner}\n</blockquote>"


def gmail_id(reply: Reply) -> str:
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-+="
    seed = digest(reply.name, "gmail")
    body = "".join(alphabet[int(seed[i : i + 2], 16) % len(alphabet)] for i in range(0, 64, 2))
    return f"<CA{body[:2].upper()}{body[2:]}@mail.gmail.example>"


def fake_dkim_signature(reply: Reply) -> str:
    """A DKIM-Signature header shaped like Google Workspace's, with made-up hashes that verify nothing."""
    body_hash = base64mime.body_encode(bytes.fromhex(digest(reply.name, "bh")), maxlinelen=200, eol="").strip()
    signature = base64mime.body_encode(bytes.fromhex(digest(reply.name, "b1") + digest(reply.name, "b2")), maxlinelen=200, eol="").strip()
    signed_at = 1799651000 + int(hex_id(reply.name, 3, "t"), 16) % 1000
    return header(
        "DKIM-Signature",
        f"v=1; a=rsa-sha256; c=relaxed/relaxed;\n\td={reply.domain}; s=google; t={signed_at}; x={signed_at + 604800}; darn=star-tsa.example;\n\t"
        "h=to:subject:message-id:date:from:in-reply-to:references:mime-version\n\t :from:to:cc:subject:date:message-id:reply-to;\n\t"
        f"bh={body_hash};\n\tb={signature}",
    )


def gmail(reply: Reply) -> tuple[list[str], object]:
    """Build Gmail on the web or Android: "On ... wrote:" over two lines, "> " quoting and a gmail_quote div."""
    android = reply.variant == "android"
    quoted = chain(reply)

    plain = new_words(reply)
    if quoted:
        plain += "\n\n" + nested_gt(quoted, lambda item: gmail_attribution(item, android)[0])

    wrapper = '<div dir="auto">' if android else '<div dir="ltr">'
    top_html = reply.top_html or (wrapper + "<br>".join(html.escape(line) for line in new_words(reply).split("\n")) + "</div>")
    if android:
        quote_style = '<blockquote class="gmail_quote" style="margin:0 0 0 .8ex;border-left:1px #ccc solid;padding-left:1ex">'
    else:
        quote_style = '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
    quoted_html = ""
    if quoted:
        attribution = nested_html(quoted, lambda item: gmail_attribution(item, android)[1] + "</div>", quote_style)
        quoted_html = f'<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">{attribution}\n</div>'
    page = f"{top_html}{quoted_html}\n"

    # Gmail sends short ASCII text without a Content-Transfer-Encoding header, and anything else as quoted-printable.
    needs_qp = any(len(line) > 76 for line in plain.split("\n")) or any(ord(c) > 127 for c in plain)
    boundary = "0000000000" + hex_id(reply.name, 18, "gmail-boundary")
    root = Multi(
        f'multipart/alternative; boundary="{boundary}"', boundary,
        [
            text_leaf(plain, 'text/plain; charset="UTF-8"', "quoted-printable" if needs_qp else None),
            text_leaf(page, 'text/html; charset="UTF-8"', "quoted-printable"),
        ],
    )

    lines = [fake_dkim_signature(reply), header("MIME-Version", "1.0")]
    if reply.references:
        lines += [header("References", "\n ".join(reply.references)), header("In-Reply-To", reply.references[-1])]
    lines.append(header("From", reply.sender))
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    lines += [header("Date", rfc_date(reply.date)), header("Message-ID", gmail_id(reply)), header("Subject", reply.subject_header)]
    lines.append(header("To", address_list(reply.to)))
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    lines += [*[header(n, v) for n, v in reply.extra_headers], "MIME"]
    return lines, root


# Apple Mail and iPhone Mail


def apple_attribution(item: Quoted) -> str:
    return f"On {item.date.day} {item.date:%b %Y}, at {item.date:%H:%M}, {item.sender} wrote:"


def apple_mail(reply: Reply) -> tuple[list[str], object]:
    """Build Apple Mail on a Mac: the attribution inside the quote, and a blockquote type=cite in HTML."""
    quoted = chain(reply)

    plain = new_words(reply)
    if quoted:
        plain += "\n\n" + apple_nested(quoted)

    # Apple Mail writes the first line bare and every later line in its own div.
    lines_of_text = new_words(reply).split("\n")
    top_html = html.escape(lines_of_text[0])
    for line in lines_of_text[1:]:
        top_html += f"<div>{html.escape(line) if line else '<br>'}</div>"
    top_html = reply.top_html or top_html
    quoted_html = ""
    if quoted:
        quoted_html = '<div><br><blockquote type="cite">' + apple_nested_html(quoted) + "</blockquote></div>"
    page = (
        '<html aria-label="message body"><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head>'
        '<body style="overflow-wrap: break-word; -webkit-nbsp-mode: space; line-break: after-white-space;">'
        f"{top_html}{quoted_html}</body></html>"
    )

    boundary = f"Apple-Mail={uuid_like(reply.name, 'apple-boundary')}"
    root = Multi(
        f'multipart/alternative;\n\tboundary="{boundary}"', boundary,
        [text_leaf(plain, "text/plain;\n\tcharset=utf-8", "quoted-printable"), text_leaf(page, "text/html;\n\tcharset=utf-8", "quoted-printable")],
    )

    lines = [header("From", reply.sender), "MIME", header("Mime-Version", "1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))")]
    lines += [header("Subject", reply.subject_header), header("Date", rfc_date(reply.date))]
    if reply.references:
        lines.append(header("In-Reply-To", reply.references[-1]))
    lines.append(header("To", address_list(reply.to)))
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    if reply.references:
        lines.append(header("References", " ".join(reply.references)))
    lines += [header("Message-Id", f"<{uuid_like(reply.name)}@{reply.domain}>"), header("X-Mailer", "Apple Mail (2.3826.400.131.1.6)")]
    lines += [header(n, v) for n, v in reply.extra_headers]
    return lines, root


def apple_nested(quoted: list[Quoted], bom: bool = False) -> str:
    first, rest = quoted[0], quoted[1:]
    inner = apple_attribution(first) + "\n\n" + ("\ufeff" if bom else "") + first.text + ("\n\n" + apple_nested(rest, bom) if rest else "")
    return quote_gt(inner, empty="> ")


def apple_nested_html(quoted: list[Quoted]) -> str:
    first, rest = quoted[0], quoted[1:]
    inner = summary_html(first.text) + ("<br><blockquote type=\"cite\">" + apple_nested_html(rest) + "</blockquote>" if rest else "")
    return f"<div>{html.escape(apple_attribution(first))}</div><br class=\"Apple-interchange-newline\"><div><div>{inner}</div></div>"


def iphone_mail(reply: Reply) -> tuple[list[str], object]:
    """Build Mail on an iPhone: plain text only, "Sent from my iPhone", the quote after it with a byte order mark."""
    quoted = chain(reply)
    plain = new_words(reply) + "\n\nSent from my iPhone"
    if quoted:
        plain += "\n\n" + apple_nested(quoted, bom=True)
    needs_qp = any(ord(c) > 127 for c in plain) or any(len(line) > 76 for line in plain.split("\n"))
    root = text_leaf(plain, "text/plain;\n\tcharset=utf-8", "quoted-printable" if needs_qp else "7bit")
    lines = ["MIME", header("From", reply.sender), header("Mime-Version", "1.0 (1.0)"), header("Date", rfc_date(reply.date)), header("Subject", reply.subject_header)]
    lines.append(header("Message-Id", f"<{uuid_like(reply.name)}@{reply.domain}>"))
    if reply.references:
        lines += [header("References", " ".join(reply.references)), header("In-Reply-To", reply.references[-1])]
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    lines += [header("To", address_list(reply.to)), header("X-Mailer", "iPhone Mail (22C152)"), *[header(n, v) for n, v in reply.extra_headers]]
    return lines, root


# Thunderbird


def thunderbird(reply: Reply) -> tuple[list[str], object]:
    """Build Thunderbird: format=flowed plain text, "On DD/MM/YYYY HH:MM, Name wrote:", "-- " before the signature."""
    quoted = chain(reply)
    own = reply.top
    if reply.signature:
        own += f"\n\n-- \n{reply.signature}"
    if reply.footer:
        own += f"\n\n{reply.footer}"
    text = flowed(own)
    if quoted:
        text += "\n\n" + thunderbird_nested(quoted)
    if reply.html_only:
        raise ValueError("Thunderbird HTML-only replies are not built")
    has_non_ascii = any(ord(c) > 127 for c in text)
    root = text_leaf(text, "text/plain; charset=UTF-8; format=flowed", "8bit" if has_non_ascii else "7bit")
    lines = [header("Message-ID", f"<{uuid_like(reply.name, 'tb').lower()}@{reply.domain}>"), header("Date", rfc_date(reply.date)), header("MIME-Version", "1.0")]
    lines += [header("User-Agent", "Mozilla Thunderbird"), header("Subject", reply.subject_header), header("Content-Language", "en-GB"), header("To", address_list(reply.to))]
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    if reply.references:
        lines.append(header("References", "\n ".join(reply.references)))
    lines.append(header("From", reply.sender))
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    if reply.references:
        lines.append(header("In-Reply-To", reply.references[-1]))
    lines += [header(n, v) for n, v in reply.extra_headers]
    # Thunderbird writes Content-Type and Content-Transfer-Encoding last.
    lines.append("MIME")
    return lines, root


def thunderbird_nested(quoted: list[Quoted]) -> str:
    """Quote the newest email with its attribution line, and older ones one ">" deeper inside it."""
    first, rest = quoted[0], quoted[1:]
    name = first.sender.rpartition(" <")[0] or first.sender
    attribution = f"On {first.date:%d/%m/%Y %H:%M}, {name} wrote:"
    body = flowed(first.text, prefix="> ")
    if rest:
        deeper = []
        for line in thunderbird_nested(rest).split("\n"):
            # A line already quoted gains one more ">"; the attribution line gains "> ".
            deeper.append(">" + line if line.startswith(">") else "> " + line)
        body += "\n>\n" + "\n".join(deeper)
    return attribution + "\n" + body


# Samsung Email


def samsung(reply: Reply) -> tuple[list[str], object]:
    """Build Samsung Email on Android: base64 parts, "Sent from my Galaxy" and an "Original message" block."""
    quoted = chain(reply)

    plain = new_words(reply) + "\n\n\n\nSent from my Galaxy\n\n"
    html_quoted = ""
    for item in quoted:
        sent = f"{item.date:%d/%m/%Y %H:%M} (GMT+00:00)"
        copy_line = f"Cc: {item.cc} \n" if item.cc else ""
        plain += (
            f"\n-------- Original message --------\nFrom: {item.sender} \nDate: {sent} \n"
            f"To: {item.to} \n{copy_line}Subject: {item.subject} \n\n{item.text}\n"
        )
        html_quoted += (
            '<div><br></div><div><br></div><div align="left" dir="auto" style="font-size:100%;color:#000000"><div>-------- Original message --------</div>'
            f"<div>From: {html.escape(item.sender)} </div><div>Date: {sent} </div>"
            f"<div>To: {html.escape(item.to)} </div><div>Subject: {html.escape(item.subject)} </div><div><br></div></div>{summary_html(item.text)}"
        )
    top_html = reply.top_html or paragraphs_html(new_words(reply), attrs=' dir="auto"')
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=UTF-8"></head><body dir="auto">'
        f'{top_html}<div dir="auto"><br></div><div dir="auto"><br></div><div id="composer_signature" dir="auto">'
        '<div style="font-size:85%;color:#575757" dir="auto">Sent from my Galaxy</div></div>'
        f"{html_quoted}</body></html>"
    )

    boundary = f"--_com.samsung.android.email_{int(hex_id(reply.name, 12, 'samsung'), 16) % 10**18:018d}"
    root = Multi(
        f'multipart/alternative; boundary="{boundary}"', boundary,
        [text_leaf(plain, "text/plain; charset=utf-8", "base64"), text_leaf(page, "text/html; charset=utf-8", "base64")],
    )

    message_id = f"<{hex_id(reply.name, 8, 'sm')}-{hex_id(reply.name, 4, 'sm2')}-{hex_id(reply.name, 12, 'sm3')}@email.android.example>"
    lines = [header("Message-ID", message_id), header("Date", rfc_date(reply.date)), header("Subject", reply.subject_header)]
    if reply.references:
        lines += [header("In-Reply-To", reply.references[-1]), header("References", " ".join(reply.references))]
    lines += [header("Importance", "normal"), header("From", reply.sender)]
    if reply.reply_to:
        lines.append(header("Reply-To", reply.reply_to))
    lines.append(header("To", address_list(reply.to)))
    if reply.cc:
        lines.append(header("Cc", address_list(reply.cc)))
    lines += [header("MIME-Version", "1.0"), *[header(n, v) for n, v in reply.extra_headers], "MIME"]
    return lines, root


BUILDERS = {
    "outlook-desktop": outlook_desktop,
    "outlook-web": outlook_web,
    "outlook-ios": outlook_mobile,
    "outlook-android": outlook_mobile,
    "gmail-web": gmail,
    "gmail-android": gmail,
    "apple-mail": apple_mail,
    "iphone-mail": iphone_mail,
    "thunderbird": thunderbird,
    "samsung-email": samsung,
}


def build(reply: Reply) -> tuple[bytes, object]:
    """Return the raw message as delivered to the bot's mailbox, and its MIME tree for checking."""
    if reply.client == "outlook-android":
        reply.variant = "android"
    if reply.client == "gmail-android":
        reply.variant = reply.variant or "android"
    client_headers, root = BUILDERS[reply.client](reply)
    return assemble(reply, client_headers, root), root


def write_reply(folder: Path, reply: Reply) -> None:
    raw, root = build(reply)
    toml = expectation(reply.about, reply.client, reply.outcome, reply.case, reply.intent)
    write_message(folder, reply.name, raw, root, toml)
