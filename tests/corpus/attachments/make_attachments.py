"""Write the attachments/ corpus: Tom Reid's session plans for case PST-2026-0103, as mail programs send them.

Run it from any folder with the project's Python; it rewrites every NAME.eml and
NAME.toml in this folder. Messages are assembled as text whose characters
stand for bytes (each character is one byte, as Latin-1 maps them), so that
raw 8-bit headers and exact transfer encodings come out byte for byte.

The documents inside are small but real files: a PDF with a text page, a
.docx (a zip with the three parts Word needs), PNG and JPEG pictures, and a
TNEF stream (winmail.dat) written to the MS-OXTNEF layout by ``tnef_stream``.
"""

from __future__ import annotations

import base64
import email.base64mime
import hashlib
import quopri
import struct
import textwrap
import zipfile
import zlib
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from io import BytesIO
from pathlib import Path

FOLDER = Path(__file__).parent

CASE = "PST-2026-0103"
PLAN_REQUEST_ID = "<PST-2026-0103.d103d103d103d103d103@star-tsa.example>"
BOT_REPLY_TO = "pst+d103d103d103d103d103@star-tsa.example"
BOT_NAME = "STAR Teaching School Alliance"
REQUEST_SUBJECT = "[PST-2026-0103] Session plan needed by 14/01/2027 for the visit on 18/01/2027"
TOM = "Tom Reid <t.reid@willowbank-primary.example>"
RORY = "Rory McAllister <r.mcallister@fernhill-community.example>"
UK = timezone(timedelta(0))

REQUEST_TEXT = """\
Dear Tom Reid,

Rory McAllister from Fernhill Community School visits you on 18/01/2027 (morning). Please send the session plan for the lesson they will observe, so that they can read it before they come.

Reply to this email with the plan attached, by 14/01/2027 5.00pm at the latest. We will forward it to Rory McAllister straight away. If you would rather send it to them yourself, please copy this address in.

Kind regards,
STAR Teaching School Alliance"""

REQUEST_HTML = """\
<p>Dear Tom Reid,</p>
<p>Rory McAllister from Fernhill Community School visits you on <strong>18/01/2027 (morning)</strong>. Please send the session plan for the lesson they will observe, so that they can read it before they come.</p>
<p>Reply to this email with the plan attached, by <strong>14/01/2027 5.00pm</strong> at the latest. We will forward it to Rory McAllister straight away. If you would rather send it to them yourself, please copy this address in.</p>
<p>Kind regards,<br>STAR Teaching School Alliance</p>"""

SIGNATURE_TEXT = """\
Tom Reid
Year 5 Teacher | Maths Lead
Willowbank Primary School
01632 960 418"""

DISCLAIMER = (
    "This email and any files sent with it are confidential and intended only for the person or organisation "
    "to whom they are addressed. If you have received it in error, please tell the sender and delete it. "
    "Willowbank Primary School does not accept liability for any viruses in this email."
)


# Documents


def make_pdf(lines: list[str]) -> bytes:
    """Return a one-page PDF 1.4 file that shows ``lines`` of ASCII text."""
    text = "BT /F1 12 Tf 72 760 Td 16 TL " + " ".join(f"({line}) '" for line in lines) + " ET"
    objects = [
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        f"<< /Length {len(text)} >>\nstream\n{text}\nendstream",
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = "%PDF-1.4\n%\xe2\xe3\xcf\xd3\n"
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out.encode("latin-1")))
        out += f"{number} 0 obj\n{body}\nendobj\n"
    xref = len(out.encode("latin-1"))
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n"
    out += "".join(f"{offset:010d} 00000 n \n" for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out.encode("latin-1")


def make_docx(paragraphs: list[str]) -> bytes:
    """Return a minimal Word document with one paragraph per string; fixed timestamps keep it reproducible."""
    def escape(text: str) -> str:
        return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")

    body = "".join(f"<w:p><w:r><w:t xml:space=\"preserve\">{escape(p)}</w:t></w:r></w:p>" for p in paragraphs)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" '
            'ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>'
            "</Types>"
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f"<w:body>{body}</w:body></w:document>"
        ),
    }
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in parts.items():
            info = zipfile.ZipInfo(name, date_time=(2027, 1, 7, 19, 30, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content.encode("utf-8"))
    return buffer.getvalue()


def make_png(width: int, height: int, rgb: tuple[int, int, int]) -> bytes:
    """Return a PNG of one solid colour, like the small logos in email signatures."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    row = b"\x00" + bytes(rgb) * width
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(row * height, 9)) + chunk(b"IEND", b"")


def make_jpeg() -> bytes:
    """Return a baseline JFIF JPEG of one grey pixel.

    Each Huffman table has a single one-bit code, so the scan is the DC
    category 0 code then the end-of-block code, padded with 1 bits.
    """
    def segment(marker: int, data: bytes) -> bytes:
        return struct.pack(">BBH", 0xFF, marker, len(data) + 2) + data

    app0 = segment(0xE0, b"JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00\x00")
    quantisation = segment(0xDB, b"\x00" + bytes([1] * 64))
    frame = segment(0xC0, b"\x08\x00\x01\x00\x01\x01\x01\x11\x00")
    one_code = bytes([1] + [0] * 15) + b"\x00"
    dc_table = segment(0xC4, b"\x00" + one_code)
    ac_table = segment(0xC4, b"\x10" + one_code)
    scan = segment(0xDA, b"\x01\x01\x00\x00\x3f\x00")
    return b"\xff\xd8" + app0 + quantisation + frame + dc_table + ac_table + scan + b"\x3f" + b"\xff\xd9"


def make_exe() -> bytes:
    """Return the first bytes of a Windows program file: an MZ header, the DOS stub and a PE signature, not a program that runs."""
    header = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00\xb8" + b"\x00" * 43 + b"\x80\x00\x00\x00"
    stub = b"\x0e\x1f\xba\x0e\x00\xb4\x09\xcd\x21\xb8\x01\x4c\xcd\x21This program cannot be run in DOS mode.\r\r\n$"
    return header + stub + b"\x00" * (128 - len(header) - len(stub)) + b"PE\x00\x00"


# TNEF (winmail.dat) in the MS-OXTNEF layout


TNEF_SIGNATURE = 0x223E9F78
LEVEL_MESSAGE = 0x01
LEVEL_ATTACHMENT = 0x02
# Attribute identifiers: the high word is the attribute's data type, the low word its id.
ATT_TNEF_VERSION = 0x00089006
ATT_OEM_CODEPAGE = 0x00069007
ATT_MESSAGE_CLASS = 0x00078008
ATT_ATTACH_REND_DATA = 0x00069002
ATT_ATTACH_TITLE = 0x00018010
ATT_ATTACH_MODIFY_DATE = 0x00038013
ATT_ATTACH_DATA = 0x0006800F
ATT_ATTACHMENT = 0x00069005
# MAPI property tags (id in the high word, type in the low word) for attAttachment.
PT_LONG = 0x0003
PT_UNICODE = 0x001F
PR_ATTACH_EXTENSION = 0x3703
PR_ATTACH_LONG_FILENAME = 0x3707
PR_ATTACH_METHOD = 0x3705
PR_ATTACH_MIME_TAG = 0x370E
ATTACH_BY_VALUE = 1


def tnef_attribute(level: int, attribute: int, data: bytes) -> bytes:
    """Encode one attribute: level, id, length, data, then the data's checksum (byte sum modulo 65536)."""
    checksum = sum(data) & 0xFFFF
    return struct.pack("<BII", level, attribute, len(data)) + data + struct.pack("<H", checksum)


def tnef_unicode_property(property_id: int, text: str) -> bytes:
    value = (text + "\x00").encode("utf-16-le")
    padding = b"\x00" * (-len(value) % 4)
    return struct.pack("<HHII", PT_UNICODE, property_id, 1, len(value)) + value + padding


def tnef_stream(filename: str, data: bytes, content_type: str, modified: datetime) -> bytes:
    """Return a winmail.dat holding one attached file, as Outlook writes it for a message in Rich Text format.

    The file's name is in attAttachTitle (in the code page of attOemCodepage)
    and again, in UTF-16, as PR_ATTACH_LONG_FILENAME in the attachment's MAPI
    properties. The stream carries no message body, as when Outlook puts the
    text in the MIME part beside it.
    """
    stream = struct.pack("<IH", TNEF_SIGNATURE, 0x6B2A)
    stream += tnef_attribute(LEVEL_MESSAGE, ATT_TNEF_VERSION, struct.pack("<I", 0x00010000))
    stream += tnef_attribute(LEVEL_MESSAGE, ATT_OEM_CODEPAGE, struct.pack("<II", 1252, 0))
    stream += tnef_attribute(LEVEL_MESSAGE, ATT_MESSAGE_CLASS, b"IPM.Microsoft Mail.Note\x00")

    # attAttachRendData opens the attachment: file type, position unknown (0xFFFFFFFF), icon size 32x32, no MacBinary.
    stream += tnef_attribute(LEVEL_ATTACHMENT, ATT_ATTACH_REND_DATA, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 32, 32, 0))
    stream += tnef_attribute(LEVEL_ATTACHMENT, ATT_ATTACH_TITLE, filename.encode("cp1252") + b"\x00")
    date = struct.pack("<7H", modified.year, modified.month, modified.day, modified.hour, modified.minute, modified.second, modified.isoweekday() % 7)
    stream += tnef_attribute(LEVEL_ATTACHMENT, ATT_ATTACH_MODIFY_DATE, date)
    stream += tnef_attribute(LEVEL_ATTACHMENT, ATT_ATTACH_DATA, data)

    extension = "." + filename.rsplit(".", 1)[-1]
    properties = [
        struct.pack("<HHI", PT_LONG, PR_ATTACH_METHOD, ATTACH_BY_VALUE),
        tnef_unicode_property(PR_ATTACH_LONG_FILENAME, filename),
        tnef_unicode_property(PR_ATTACH_EXTENSION, extension),
        tnef_unicode_property(PR_ATTACH_MIME_TAG, content_type),
    ]
    stream += tnef_attribute(LEVEL_ATTACHMENT, ATT_ATTACHMENT, struct.pack("<I", len(properties)) + b"".join(properties))
    return stream


# MIME helpers. Every string below stands for bytes, one character per byte.


def as_bytes_text(text: str, charset: str = "utf-8") -> str:
    """Encode ``text`` in ``charset`` and return the bytes as one character each."""
    return text.encode(charset).decode("latin-1")


def b64(data: bytes) -> str:
    return email.base64mime.body_encode(data, maxlinelen=76).rstrip("\n")


def qp(text: str, charset: str = "utf-8") -> str:
    return quopri.encodestring(text.encode(charset).replace(b"\n", b"\r\n")).decode("ascii").replace("\r\n", "\n").rstrip("\n")


def encoded_word(text: str, encoding: str = "B") -> str:
    data = text.encode("utf-8")
    if encoding == "B":
        return f"=?utf-8?B?{base64.b64encode(data).decode('ascii')}?="
    quoted = "".join(chr(b) if chr(b).isascii() and (chr(b).isalnum() or chr(b) in ".-") else f"={b:02X}" for b in data)
    return f"=?UTF-8?Q?{quoted.replace('=20', '_')}?="


def encoded_words(text: str, size: int) -> str:
    """Return ``text`` as B-encoded words of ``size`` characters each, folded onto continuation lines."""
    return "\n ".join(encoded_word(text[start:start + size]).replace("utf-8", "UTF-8") for start in range(0, len(text), size))


def part(headers: list[str], body: str) -> str:
    return "\n".join(headers) + "\n\n" + body


def multipart(boundary: str, parts: list[str], preamble: str = "") -> str:
    out = preamble + "\n" if preamble else ""
    for item in parts:
        out += f"--{boundary}\n{item}\n"
    return out + f"--{boundary}--\n"


def quote_lines(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.splitlines())


def message_id(name: str, domain: str, style: str = "hex") -> str:
    digest = hashlib.sha256(name.encode()).hexdigest()
    if style == "outlook":
        return f"<{digest[:40].upper()}@exch01.{domain}>"
    if style == "gmail":
        token = base64.b64encode(hashlib.sha256(name.encode()).digest()).decode().rstrip("=")[:43]
        return f"<CAF{token.replace('/', '_')}@mail.gmail.example>"
    if style == "apple":
        return f"<{digest[:8].upper()}-{digest[8:12].upper()}-{digest[12:16].upper()}-{digest[16:20].upper()}-{digest[20:32].upper()}@{domain}>"
    return f"<{digest[:12]}.{digest[12:20]}@{domain}>"


def thread_index(name: str, replies: int = 1) -> str:
    """Return an Outlook Thread-Index: a 22-byte conversation header and five bytes per reply."""
    digest = hashlib.sha256(("thread" + name).encode()).digest() * 2
    return base64.b64encode(b"\x01\xdb" + digest[:20 + 5 * replies]).decode()


def received(sent: datetime, helo: str, address: str) -> list[str]:
    arrived = sent + timedelta(seconds=3)
    queue_id = hashlib.sha256((helo + sent.isoformat()).encode()).hexdigest()[:10].upper()
    return [
        "Return-Path: <t.reid@willowbank-primary.example>",
        "Delivered-To: pst@star-tsa.example",
        f"Received: from {helo} ({helo} [{address}])",
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {queue_id}",
        f"\tfor <pst@star-tsa.example>; {format_datetime(arrived)}",
        "Authentication-Results: mx.star-tsa.example;",
        "\tspf=pass smtp.mailfrom=willowbank-primary.example;",
        "\tdkim=pass header.d=willowbank-primary.example;",
        "\tdmarc=pass header.from=willowbank-primary.example",
    ]


def when(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, second, tzinfo=UK)


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
            rendered = "[" + ", ".join(toml_string(item) for item in value) + "]"
        else:
            rendered = toml_string(value)
        lines.append(f"{key} = {rendered}")
    (FOLDER / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def toml_string(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'"{escaped}"'


def plan(about: str, client: str, attachments: list[str], outcome: str = "processed") -> dict:
    return {
        "about": about, "client": client, "outcome": outcome, "case": CASE, "intent": "",
        "automatic": False, "bounced": "", "attachments": attachments, "opens_case": False,
    }


# Clients' reply layouts


def outlook_headers(name: str, sent: datetime, subject: str = "RE: " + REQUEST_SUBJECT, to: str = f'"{BOT_NAME}" <{BOT_REPLY_TO}>', content_type: str = "", extra: list[str] | None = None) -> list[str]:
    return [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f"From: {TOM}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Thread-Topic: {REQUEST_SUBJECT}",
        f"Thread-Index: {thread_index(name)}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: {message_id(name, 'willowbank-primary.example', 'outlook')}",
        f"References: {PLAN_REQUEST_ID}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        "Accept-Language: en-GB, en-US",
        "Content-Language: en-GB",
        "X-MS-Has-Attach: yes",
        "X-MS-TNEF-Correlator:",
        *(extra or []),
        f"Content-Type: {content_type}",
        "MIME-Version: 1.0",
    ]


def outlook_quote_text() -> str:
    return (
        "________________________________\n"
        f"From: {BOT_NAME} <{BOT_REPLY_TO}>\n"
        "Sent: 12 December 2026 10:00\n"
        "To: Tom Reid <t.reid@willowbank-primary.example>\n"
        f"Subject: {REQUEST_SUBJECT}\n\n" + REQUEST_TEXT
    )


def outlook_quote_html() -> str:
    return (
        '<div id="appendonsend"></div>\n<hr style="display:inline-block;width:98%" tabindex="-1">\n'
        '<div id="divRplyFwdMsg" dir="ltr"><font face="Calibri, sans-serif" style="font-size:11pt" color="#000000">'
        f"<b>From:</b> {BOT_NAME} &lt;{BOT_REPLY_TO}&gt;<br>\n<b>Sent:</b> 12 December 2026 10:00<br>\n"
        "<b>To:</b> Tom Reid &lt;t.reid@willowbank-primary.example&gt;<br>\n"
        f"<b>Subject:</b> {REQUEST_SUBJECT}</font>\n<div>&nbsp;</div>\n</div>\n<div>\n{REQUEST_HTML}\n</div>"
    )


def outlook_alternative(boundary: str, note: str, note_html: str, logos: list[str] | None = None) -> str:
    """Return Outlook's text and HTML pair; ``logos`` are the Content-IDs of signature pictures the HTML shows."""
    images = "".join(f'<img width="120" height="40" src="cid:{cid}" alt="Willowbank Primary School logo">' for cid in logos or [])
    text = f"{note}\n\n{SIGNATURE_TEXT}\n\n{DISCLAIMER}\n\n{outlook_quote_text()}\n"
    html = (
        '<html xmlns:o="urn:schemas-microsoft-com:office:office">\n<head>\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n</head>\n'
        '<body dir="ltr">\n<div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt; color: rgb(0, 0, 0);">\n'
        f"{note_html}\n</div>\n"
        '<div id="Signature"><p style="font-size:10pt">Tom Reid<br>Year 5 Teacher | Maths Lead<br>Willowbank Primary School<br>01632 960 418</p>'
        f"{images}</div>\n"
        f'<p style="font-size:8pt;color:#808080">{DISCLAIMER}</p>\n'
        f"{outlook_quote_html()}\n</body>\n</html>\n"
    )
    return multipart(boundary, [
        part(['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(text)),
        part(['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(html)),
    ])


def outlook_attachment(content_type: str, filename_params: str, data: bytes, content_id: str = "", description: str = "") -> str:
    """Return an Outlook attachment part; ``filename_params`` is the text after ``name=``/``filename=``, quotes included."""
    headers = [
        f"Content-Type: {content_type};\n\tname={filename_params}",
        f"Content-Description: {description or filename_params.strip(chr(34))}",
        f"Content-Disposition: attachment;\n\tfilename={filename_params}; size={len(data)};\n"
        '\tcreation-date="Thu, 07 Jan 2027 19:31:04 GMT";\n\tmodification-date="Fri, 08 Jan 2027 16:40:52 GMT"',
    ]
    if content_id:
        headers.append(f"Content-ID: <{content_id}>")
    headers.append("Content-Transfer-Encoding: base64")
    return part(headers, b64(data))


def gmail_quote_text() -> str:
    return (
        f"On Sat, 12 Dec 2026 at 10:00, {BOT_NAME} <\n{BOT_REPLY_TO}> wrote:\n\n" + quote_lines(REQUEST_TEXT)
    )


def gmail_quote_html() -> str:
    return (
        '<br><div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">On Sat, 12 Dec 2026 at 10:00, '
        f'{BOT_NAME} &lt;<a href="mailto:{BOT_REPLY_TO}">{BOT_REPLY_TO}</a>&gt; wrote:<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        f"{REQUEST_HTML}</blockquote></div>"
    )


def gmail_headers(name: str, sent: datetime, content_type: str, to: str = BOT_REPLY_TO, threading: bool = True) -> list[str]:
    headers = [
        *received(sent, "mail-sor-f41.google.example", "198.51.100.41"),
        "MIME-Version: 1.0",
    ]
    if threading:
        headers += [f"References: {PLAN_REQUEST_ID}", f"In-Reply-To: {PLAN_REQUEST_ID}"]
    headers += [
        f"From: {TOM}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: {message_id(name, '', 'gmail')}",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"To: {to}",
        f"Content-Type: {content_type}",
    ]
    return headers


def gmail_alternative(boundary: str, note: str, note_html: str) -> str:
    text = f"{note}\n\nTom\n\n{gmail_quote_text()}\n"
    html = f'<div dir="ltr">{note_html}<div><br></div><div>Tom</div></div>{gmail_quote_html()}\n'
    return multipart(boundary, [
        part(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(text)),
        part(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(html)),
    ])


def thunderbird_headers(name: str, sent: datetime, content_type: str) -> list[str]:
    return [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f"Message-ID: {message_id(name, 'willowbank-primary.example')}",
        f"Date: {format_datetime(sent)}",
        "MIME-Version: 1.0",
        "User-Agent: Mozilla Thunderbird",
        f"Subject: Re: {REQUEST_SUBJECT}",
        "Content-Language: en-GB",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        f"References: {PLAN_REQUEST_ID}",
        f"From: {TOM}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"Content-Type: {content_type}",
    ]


def thunderbird_body(note: str) -> str:
    return (
        f"{note}\n\n-- \n{SIGNATURE_TEXT}\n\n"
        f"On 12/12/2026 10:00, {BOT_NAME} wrote:\n{quote_lines(REQUEST_TEXT)}\n"
    )


# The messages


def rfc2231_continuation_thunderbird() -> None:
    name = "rfc2231-continuation-thunderbird"
    sent = when(7, 19, 42, 18)
    filename = "Session plan – Year 5 fractions on a number line (Willowbank, 18 Jan).docx"
    data = make_docx(["Session plan: Year 5 fractions on a number line", "Observed by Rory McAllister, 18/01/2027, 9.00am"])
    boundary = "------------0hRz3Qb9Jx2kTq7WfL1mNc4D"
    body = multipart(boundary, [
        part(["Content-Type: text/plain; charset=UTF-8; format=flowed", "Content-Transfer-Encoding: 8bit"],
             as_bytes_text(thunderbird_body("Hi,\n\nHere is the plan for Rory's visit on the 18th. The worksheets are at\nthe end of the document.\n\nThanks,\nTom"))),
        part([
            "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;",
            f' name="{encoded_words(filename, 30)}"',
            "Content-Disposition: attachment;",
            " filename*0*=UTF-8''Session%20plan%20%E2%80%93%20Year%205%20fractions%20on;",
            " filename*1*=%20a%20number%20line%20%28Willowbank%2C%2018%20Jan%29.docx",
            "Content-Transfer-Encoding: base64",
        ], b64(data)),
    ], preamble="This is a multi-part message in MIME format.")
    headers = thunderbird_headers(name, sent, f'multipart/mixed; boundary="{boundary}"')
    write(name, part(headers, body), False, plan(
        "Thunderbird reply whose plan has a long non-ASCII name split over RFC 2231 continuations filename*0* and filename*1*.",
        "thunderbird", [filename]))


def rfc2231_split_utf8_k9() -> None:
    name = "rfc2231-split-utf8-k9"
    sent = when(8, 7, 12, 55)
    filename = "Plan – Year 5 fractions.pdf"
    data = make_pdf(["Year 5 fractions: session plan", "Starter: fraction wall (10 min)"])
    boundary = "----K9-Mail-3F1C6A0E2B7D4958"
    note = "Hi,\n\nPlan attached for Monday the 18th.\n\nTom\n\n-- \nSent from my Android device with K-9 Mail. Please excuse my brevity."
    body = multipart(boundary, [
        part(["Content-Type: text/plain; charset=utf-8", "Content-Transfer-Encoding: quoted-printable"],
             qp(note + f"\n\nOn 12 December 2026 10:00:00 GMT, {BOT_NAME} <{BOT_REPLY_TO}> wrote:\n{quote_lines(REQUEST_TEXT)}\n")),
        part([
            "Content-Type: application/pdf;",
            " name*0*=utf-8''Plan%20%E2%80;",
            " name*1*=%93%20Year%205%20fractions.pdf",
            "Content-Transfer-Encoding: base64",
            "Content-Disposition: attachment;",
            " filename*0*=utf-8''Plan%20%E2%80;",
            " filename*1*=%93%20Year%205;",
            ' filename*2=" fractions.pdf";',
            f" size={len(data)}",
        ], b64(data)),
    ])
    headers = [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        "MIME-Version: 1.0",
        f"Date: {format_datetime(sent)}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"References: {PLAN_REQUEST_ID}",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        f"From: {TOM}",
        f"Message-ID: {message_id(name, 'willowbank-primary.example')}",
        "User-Agent: K-9 Mail for Android",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
    ]
    write(name, part(headers, body), True, plan(
        "K-9 Mail plan whose RFC 2231 name splits a UTF-8 en dash between two percent-encoded sections and ends with a quoted plain section.",
        "k9-mail", [filename]))


def rfc2047_outlook_name() -> None:
    name = "rfc2047-outlook-name"
    sent = when(8, 16, 42, 11)
    filename = "Séance plan – Year 5 Maths, Rory’s visit 18.01.27.docx"
    data = make_docx(["Séance plan: Year 5 maths", "Lesson focus: equivalent fractions"])
    first, second = filename[:26], filename[26:]
    params = f'"{encoded_word(first)}\n =?utf-8?B?{base64.b64encode(second.encode()).decode()}?="'
    mixed, alternative = "_004_4A7C0D2E9B1F4E3A8C6D5B2A1F0E9D8Cexch01willowbankpri_", "_000_4A7C0D2E9B1F4E3A8C6D5B2A1F0E9D8Cexch01willowbankpri_"
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'],
             outlook_alternative(alternative, "Hi,\n\nPlease find my plan for Rory's visit attached.\n\nMany thanks\nTom",
                                 "<p>Hi,</p><p><br></p><p>Please find my plan for Rory's visit attached.</p><p><br></p><p>Many thanks</p><p>Tom</p>")),
        outlook_attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", params, data, description=params.strip('"')),
    ])
    headers = outlook_headers(name, sent, content_type=f'multipart/mixed;\n\tboundary="{mixed}"')
    write(name, part(headers, body), True, plan(
        "Outlook desktop plan whose non-ASCII file name is written as two RFC 2047 encoded words in name= and filename=.",
        "outlook-desktop", [filename]))


def rfc2047_gmail_filename() -> None:
    name = "rfc2047-gmail-filename"
    sent = when(9, 10, 5, 37)
    filename = "Plan de séance – fractions équivalentes.pdf"
    data = make_pdf(["Equivalent fractions: plan for the observed lesson", "Year 5, Willowbank Primary School"])
    words = [encoded_word("Plan de séance – ", "Q"), encoded_word("fractions équivalentes.pdf", "Q")]
    mixed, alternative = "000000000000a1b2c3062f0e9d41", "000000000000a1b2bf062f0e9d3f"
    attachment_id = "f_m5q8w2vd0"
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative; boundary="{alternative}"'],
             gmail_alternative(alternative, "Hi,\n\nAttached is the plan for the visit on Monday 18 January.",
                               "<div>Hi,</div><div><br></div><div>Attached is the plan for the visit on Monday 18 January.</div>")),
        part([
            f'Content-Type: application/pdf; \n\tname="{words[0]} {words[1]}"',
            f'Content-Disposition: attachment; \n\tfilename="{words[0]} {words[1]}"',
            "Content-Transfer-Encoding: base64",
            f"Content-ID: <{attachment_id}>",
            f"X-Attachment-Id: {attachment_id}",
        ], b64(data)),
    ])
    headers = gmail_headers(name, sent, f'multipart/mixed; boundary="{mixed}"')
    write(name, part(headers, body), True, plan(
        "Gmail plan named with RFC 2047 Q-encoded words in filename=, carrying the Content-ID and X-Attachment-Id that Gmail gives attachments.",
        "gmail-web", [filename]))


def raw_utf8_filename() -> None:
    name = "raw-utf8-filename"
    sent = when(9, 20, 14, 2)
    filename = "Session plan – Zoë’s group, Year 5.pdf"
    data = make_pdf(["Session plan for Zoe's group, Year 5", "Visit 18/01/2027"])
    boundary = "=_8d1f0a6c2e94b7f5a3c1e0d9b8a7f6e5"
    raw_name = as_bytes_text(filename)
    body = multipart(boundary, [
        part(["Content-Transfer-Encoding: 8bit", "Content-Type: text/plain; charset=UTF-8"],
             as_bytes_text("Hi,\n\nthe plan is attached – Zoë’s group is the one Rory will watch.\n\nTom\n\n"
                           f"On 2026-12-12 10:00, {BOT_NAME} wrote:\n{quote_lines(REQUEST_TEXT)}\n")),
        part([
            f'Content-Transfer-Encoding: base64',
            f'Content-Type: application/pdf;\n name="{raw_name}"',
            f'Content-Disposition: attachment;\n filename="{raw_name}";\n size={len(data)}',
        ], b64(data)),
    ], preamble="")
    headers = [
        *received(sent, "webmail.willowbank-primary.example", "203.0.113.46"),
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed;\n boundary="{boundary}"',
        f"Date: {format_datetime(sent)}",
        f"From: {TOM}",
        f"To: {BOT_REPLY_TO}",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"References: {PLAN_REQUEST_ID}",
        f"Message-ID: <{hashlib.sha256(name.encode()).hexdigest()[:32]}@webmail.willowbank-primary.example>",
        "X-Sender: t.reid@willowbank-primary.example",
        "User-Agent: Roundcube Webmail/1.6.9",
    ]
    write(name, part(headers, body), False, plan(
        "Roundcube plan whose file name is raw UTF-8 bytes in the quoted filename= and name= parameters (8-bit headers).",
        "roundcube", [filename]))


def windows_path_filename() -> None:
    name = "windows-path-filename"
    sent = when(8, 11, 3, 40)
    data = make_docx(["Session plan for the PST visit", "Year 5 maths"])
    boundary = "0__=8FBB0E7CDFA2D3F08f9e8a93df938690918c8FBB0E7CDFA2D3F0"
    note = "Hi,\n\nPlan attached as requested.\n\nRegards\nTom Reid\nWillowbank Primary School"
    body = multipart(boundary, [
        part(["Content-type: text/plain; charset=US-ASCII", "Content-Disposition: inline", "Content-transfer-encoding: 7bit"],
             f"{note}\n\n\n\nFrom:\t{BOT_NAME} <{BOT_REPLY_TO}>\nTo:\tTom Reid <t.reid@willowbank-primary.example>\n"
             f"Date:\t12/12/2026 10:00\nSubject:\t{REQUEST_SUBJECT}\n\n\n\n{REQUEST_TEXT}\n"),
        part([
            'Content-type: application/vnd.openxmlformats-officedocument.wordprocessingml.document; name="C:\\Users\\tom\\Plan.docx"',
            'Content-Disposition: attachment; filename="C:\\Users\\tom\\Plan.docx"',
            "Content-transfer-encoding: base64",
        ], b64(data)),
    ])
    headers = [
        *received(sent, "notes.willowbank-primary.example", "203.0.113.47"),
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        f"From: {TOM}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"References: {PLAN_REQUEST_ID}",
        "MIME-Version: 1.0",
        "X-Mailer: Lotus Notes Release 9.0.1FP10 SHF31 February 28, 2019",
        f"Message-ID: <OF6A1D2B3C.4E5F6071-ON80258A2F.003C1D2E-80258A2F.003C4B5A@willowbank-primary.example>",
        f"Date: {format_datetime(sent)}",
        f'Content-type: multipart/mixed; Boundary="{boundary}"',
        "Content-Disposition: inline",
    ]
    write(name, part(headers, body), True, plan(
        "Lotus Notes plan whose filename= is a full Windows path with unescaped backslashes, so only the base name Plan.docx is kept.",
        "lotus-notes", ["Plan.docx"]))


def relative_path_filename() -> None:
    name = "relative-path-filename"
    sent = when(8, 21, 37, 9)
    data = make_pdf(["Session plan", "Year 5, 18/01/2027"])
    boundary = "Kq3mZ8tV0aB5cX1dY7eW"
    note = "Hi,\n\nplan for the 18th attached.\n\nTom"
    body = multipart(boundary, [
        part(["Content-Type: text/plain; charset=us-ascii", "Content-Disposition: inline"],
             f"{note}\n\nOn Sat, Dec 12, 2026 at 10:00:00AM +0000, {BOT_NAME} wrote:\n{quote_lines(REQUEST_TEXT)}\n"),
        part([
            'Content-Type: application/pdf',
            'Content-Disposition: attachment; filename="../../plan.pdf"',
            "Content-Transfer-Encoding: base64",
        ], b64(data)),
    ])
    headers = [
        *received(sent, "laptop-tr.willowbank-primary.example", "203.0.113.48"),
        f"Date: {format_datetime(sent)}",
        f"From: {TOM}",
        f"To: {BOT_REPLY_TO}",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"Message-ID: <20270108213709.GA4127@laptop-tr.willowbank-primary.example>",
        f"References: {PLAN_REQUEST_ID}",
        "MIME-Version: 1.0",
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "Content-Disposition: inline",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        "User-Agent: Mutt/2.2.13 (2024-03-09)",
    ]
    write(name, part(headers, body), False, plan(
        "Mutt plan attached from a relative path ../../plan.pdf, so only the base name plan.pdf is kept.",
        "mutt", ["plan.pdf"]))


def control_characters_filename() -> None:
    name = "control-characters-filename"
    sent = when(7, 17, 20, 44)
    data = make_docx(["Plan for Rory McAllister's visit", "Year 5 maths, 18/01/2027"])
    encoded = "=?utf-8?Q?Plan=07=08_for_Rory=1B.docx?="
    mixed, alternative = "_004_9C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5Fexch01willowbankpri_", "_000_9C1D2E3F4A5B6C7D8E9F0A1B2C3D4E5Fexch01willowbankpri_"
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'],
             outlook_alternative(alternative, "Hi,\n\nPlan attached.\n\nTom", "<p>Hi,</p><p><br></p><p>Plan attached.</p><p><br></p><p>Tom</p>")),
        outlook_attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", f'"{encoded}"', data, description="Plan for Rory.docx"),
    ])
    headers = outlook_headers(name, sent, content_type=f'multipart/mixed;\n\tboundary="{mixed}"')
    write(name, part(headers, body), True, plan(
        "Outlook plan whose RFC 2047 file name decodes to BEL, BS and ESC control characters, which are removed.",
        "outlook-desktop", ["Plan for Rory.docx"]))


def crlf_in_filename() -> None:
    name = "crlf-in-filename"
    sent = when(10, 18, 2, 31)
    data = make_pdf(["Session plan - Year 5", "Place value and fractions"])
    boundary = "Apple-Mail=_6E2F1A4C-3B5D-4E7F-9A0B-1C2D3E4F5A6B"
    note = "Hi,\n\nHere\u2019s the plan.\n\nTom"
    body = multipart(boundary, [
        part(["Content-Transfer-Encoding: quoted-printable", "Content-Type: text/plain;\n\tcharset=utf-8"],
             qp(f"{note}\n\n> On 12 Dec 2026, at 10:00, {BOT_NAME} <{BOT_REPLY_TO}> wrote:\n>\n{quote_lines(REQUEST_TEXT)}\n")),
        part([
            "Content-Disposition: attachment;",
            "\tfilename*=utf-8''Session%20plan%0D%0A%20-%20Year%205.pdf",
            "Content-Type: application/pdf;",
            "\tx-unix-mode=0644;",
            "\tname*=utf-8''Session%20plan%0D%0A%20-%20Year%205.pdf",
            "Content-Transfer-Encoding: base64",
        ], b64(data)),
    ])
    headers = [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f'Content-Type: multipart/mixed;\n\tboundary="{boundary}"',
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"From: {TOM}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"Date: {format_datetime(sent)}",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        f"References: {PLAN_REQUEST_ID}",
        f"Message-Id: {message_id(name, 'willowbank-primary.example', 'apple')}",
        "X-Mailer: Apple Mail (2.3826.400.131.1.6)",
    ]
    write(name, part(headers, body), True, plan(
        "Apple Mail plan whose RFC 2231 file name contains an encoded CR LF, which is removed from the name.",
        "apple-mail", ["Session plan - Year 5.pdf"]))


def tnef_winmail() -> None:
    name = "tnef-winmail"
    sent = when(8, 8, 15, 2)
    inner = "Session plan - Y5 fractions 18 Jan.docx"
    document = make_docx(["Session plan: Year 5 fractions", "Visit of Rory McAllister, 18/01/2027"])
    data = tnef_stream(inner, document, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", datetime(2027, 1, 7, 21, 4, 33))
    boundary = "_002_7B3E9A1C5D2F4B6E8A0C1D3E5F7A9B1Cexch01willowbankpri_"
    text = f"Hi,\n\nPlan attached for Rory's visit. Any questions, just shout.\n\nTom\n\n{SIGNATURE_TEXT}\n\n{outlook_quote_text()}\n"
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(text, "ascii")),
        part([
            'Content-Type: application/ms-tnef; name="winmail.dat"',
            'Content-Disposition: attachment; filename="winmail.dat"',
            "Content-Transfer-Encoding: base64",
        ], b64(data)),
    ])
    headers = outlook_headers(name, sent, content_type=f'multipart/mixed;\n\tboundary="{boundary}"')
    correlator = hashlib.sha256(name.encode()).hexdigest()[:40].upper()
    headers = [f"X-MS-TNEF-Correlator: <{correlator}@exch01.willowbank-primary.example>" if h == "X-MS-TNEF-Correlator:" else h for h in headers]
    headers.insert(headers.index("X-MS-Has-Attach: yes") + 2, "X-MS-Exchange-Organization-SCL: -1")
    write(name, part(headers, body), True, plan(
        "Outlook desktop plan sent in Rich Text format, so the docx is inside an application/ms-tnef winmail.dat and its own name is listed.",
        "outlook-desktop", [inner]))


def signature_logos_related() -> None:
    name = "signature-logos-related"
    sent = when(8, 15, 58, 20)
    filename = "Session plan 18.01.27.pdf"
    data = make_pdf(["Session plan 18.01.27", "Year 5, Willowbank Primary School"])
    logo, badge = make_png(120, 40, (18, 86, 50)), make_png(40, 40, (230, 170, 20))
    logo_id, badge_id = "image001.png@01DB61E2.4A7C3D10", "image002.png@01DB61E2.4A7C3D10"
    mixed = "_006_1E2D3C4B5A6978877665544332211FF0exch01willowbankpri_"
    related = "_005_1E2D3C4B5A6978877665544332211FF0exch01willowbankpri_"
    alternative = "_000_1E2D3C4B5A6978877665544332211FF0exch01willowbankpri_"

    def inline_image(filename: str, content_id: str, data: bytes) -> str:
        return part([
            f'Content-Type: image/png; name="{filename}"',
            f"Content-Description: {filename}",
            f'Content-Disposition: inline; filename="{filename}"; size={len(data)};\n'
            '\tcreation-date="Fri, 08 Jan 2027 15:58:19 GMT";\n\tmodification-date="Fri, 08 Jan 2027 15:58:19 GMT"',
            f"Content-ID: <{content_id}>",
            "Content-Transfer-Encoding: base64",
        ], b64(data))

    related_body = multipart(related, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'],
             outlook_alternative(alternative, "Hi,\n\nPlease find attached the session plan for Monday 18th.\n\nKind regards\nTom",
                                 "<p>Hi,</p><p><br></p><p>Please find attached the session plan for Monday 18th.</p><p><br></p><p>Kind regards</p><p>Tom</p>",
                                 logos=[logo_id, badge_id])),
        inline_image("image001.png", logo_id, logo),
        inline_image("image002.png", badge_id, badge),
    ])
    body = multipart(mixed, [
        part([f'Content-Type: multipart/related;\n\tboundary="{related}";\n\ttype="multipart/alternative"'], related_body),
        outlook_attachment("application/pdf", f'"{filename}"', data),
    ])
    headers = outlook_headers(name, sent, content_type=f'multipart/mixed;\n\tboundary="{mixed}"')
    write(name, part(headers, body), True, plan(
        "Outlook plan with two signature logos as Content-ID images inside multipart/related, which are not listed beside the attached PDF.",
        "outlook-desktop", [filename]))


def attached_photo_gmail() -> None:
    name = "attached-photo-gmail"
    sent = when(9, 13, 30, 5)
    photo = "Board plan Y5 fractions.jpg"
    mixed, related, alternative = "0000000000007c4e1d062f0f1a2b", "0000000000007c4e1c062f0f1a2a", "0000000000007c4e1b062f0f1a29"
    signature_id = "ii_m5r0c3a41"
    text = "Hi,\n\nMy planning is on the whiteboard this week, so I've attached a photo of it\ninstead of a document.\n\nTom"
    html = (
        '<div dir="ltr"><div>Hi,</div><div><br></div><div>My planning is on the whiteboard this week, so I\'ve attached a photo of it instead of a document.</div>'
        f'<div><br></div><div>Tom</div><div><img src="cid:{signature_id}" alt="Willowbank logo" width="96" height="32"></div></div>{gmail_quote_html()}\n'
    )
    alternative_body = multipart(alternative, [
        part(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(f"{text}\n\n[image: Willowbank logo]\n\n{gmail_quote_text()}\n")),
        part(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(html)),
    ])
    logo = make_png(96, 32, (18, 86, 50))
    related_body = multipart(related, [
        part([f'Content-Type: multipart/alternative; boundary="{alternative}"'], alternative_body),
        part([
            'Content-Type: image/png; name="willowbank-logo.png"',
            'Content-Disposition: inline; filename="willowbank-logo.png"',
            "Content-Transfer-Encoding: base64",
            f"Content-ID: <{signature_id}>",
            f"X-Attachment-Id: {signature_id}",
        ], b64(logo)),
    ])
    body = multipart(mixed, [
        part([f'Content-Type: multipart/related; boundary="{related}"'], related_body),
        part([
            f'Content-Type: image/jpeg; name="{photo}"',
            f'Content-Disposition: attachment; filename="{photo}"',
            "Content-Transfer-Encoding: base64",
            "Content-ID: <f_m5r0d9xk1>",
            "X-Attachment-Id: f_m5r0d9xk1",
        ], b64(make_jpeg())),
    ])
    headers = gmail_headers(name, sent, f'multipart/mixed; boundary="{mixed}"')
    write(name, part(headers, body), False, plan(
        "Gmail plan sent as a JPEG photo with Content-Disposition attachment, listed, while the inline signature logo is not.",
        "gmail-web", [photo]))


def iphone_photo_inline() -> None:
    name = "iphone-photo-inline"
    sent = when(10, 9, 47, 12)
    photo = "IMG_4127.jpeg"
    boundary = "Apple-Mail-8B2C4D6E-1F3A-4B5C-9D7E-0A2B4C6D8E0F"
    body = multipart(boundary, [
        part(["Content-Type: text/plain;\n\tcharset=us-ascii", "Content-Transfer-Encoding: 7bit"], "Hi, photo of my plan for the 18th. Typed version to follow if Rory wants it.\n\nTom\n"),
        part([
            "Content-Type: image/jpeg;\n\tname=IMG_4127.jpeg;\n\tx-apple-part-url=A1C3E5F7-9B2D-4F6A-8C0E-2D4F6A8C0E2D",
            "Content-Disposition: inline;\n\tfilename=IMG_4127.jpeg",
            "Content-Transfer-Encoding: base64",
        ], b64(make_jpeg())),
        part(["Content-Type: text/plain;\n\tcharset=us-ascii", "Content-Transfer-Encoding: 7bit"],
             f"\n\nSent from my iPhone\n\n> On 12 Dec 2026, at 10:00, {BOT_NAME} <{BOT_REPLY_TO}> wrote:\n>\n{quote_lines(REQUEST_TEXT)}\n"),
    ])
    headers = [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f'Content-Type: multipart/mixed; boundary="{boundary}"',
        "Content-Transfer-Encoding: 7bit",
        f"From: {TOM}",
        "Mime-Version: 1.0 (1.0)",
        f"Date: {format_datetime(sent)}",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"Message-Id: {message_id(name, 'willowbank-primary.example', 'apple')}",
        f"References: {PLAN_REQUEST_ID}",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        "X-Mailer: iPhone Mail (22C152)",
    ]
    write(name, part(headers, body), False, plan(
        "iPhone Mail plan sent as a photo in an inline part with a file name and no Content-ID, which is a file the PST attached.",
        "iphone-mail", [photo]))


def calendar_reply_part() -> None:
    name = "calendar-reply-part"
    sent = when(8, 12, 10, 0)
    filename = "Y5 plan for observed lesson.docx"
    data = make_docx(["Year 5 plan for the observed lesson", "18/01/2027, 9.00am to 10.00am"])
    mixed = "_003_3F4E5D6C7B8A99887766554433221100exch01willowbankpri_"
    alternative = "_000_3F4E5D6C7B8A99887766554433221100exch01willowbankpri_"
    calendar = textwrap.dedent("""\
        BEGIN:VCALENDAR
        METHOD:REPLY
        PRODID:Microsoft Exchange Server 2019
        VERSION:2.0
        BEGIN:VEVENT
        ATTENDEE;PARTSTAT=ACCEPTED;CN=Tom Reid:mailto:t.reid@willowbank-primary.example
        COMMENT;LANGUAGE=en-GB:Accepted. My plan is attached.\\n
        SUMMARY;LANGUAGE=en-GB:Accepted: PST visit from Rory McAllister
        DTSTART:20270118T090000Z
        DTEND:20270118T120000Z
        UID:PST-2026-0103-visit-1@star-tsa.example
        ORGANIZER:mailto:pst@star-tsa.example
        SEQUENCE:0
        DTSTAMP:20270108T121000Z
        END:VEVENT
        END:VCALENDAR
        """).replace("\n", "\r\n")
    text = "Accepted. My plan is attached.\n\nTom\n"
    html = '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body><div>Accepted. My plan is attached.</div><div><br></div><div>Tom</div></body></html>\n'
    alternative_body = multipart(alternative, [
        part(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(text, "ascii")),
        part(['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(html, "ascii")),
        part(['Content-Type: text/calendar; charset="utf-8"; method=REPLY; name="meeting.ics"', "Content-Transfer-Encoding: base64"], b64(calendar.encode())),
    ])
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'], alternative_body),
        outlook_attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", f'"{filename}"', data),
    ])
    headers = outlook_headers(name, sent, subject="Accepted: " + REQUEST_SUBJECT, content_type=f'multipart/mixed;\n\tboundary="{mixed}"')
    write(name, part(headers, body), True, plan(
        "Outlook calendar acceptance with a text/calendar METHOD:REPLY part named meeting.ics and the plan attached, where only the plan is listed.",
        "outlook-desktop", [filename]))


def executable_message(name: str, sent: datetime, note: str, files: list[tuple[str, str, bytes]]) -> str:
    """Return an Outlook web reply with ``note`` and ``files`` as (name, content type, bytes) attachments."""
    mixed = "_004_" + hashlib.sha256(name.encode()).hexdigest()[:32].upper() + "prodoutlook_"
    alternative = mixed.replace("_004_", "_000_")
    parts = [part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'],
                  outlook_alternative(alternative, note, "".join(f"<div>{line or '<br>'}</div>" for line in note.split("\n"))))]
    for filename, content_type, data in files:
        parts.append(outlook_attachment(content_type, f'"{filename}"', data))
    headers = outlook_headers(name, sent, content_type=f'multipart/mixed;\n\tboundary="{mixed}"', extra=["X-MS-Exchange-Organization-AuthAs: Internal", "x-ms-publictraffictype: Email"])
    headers = [h.replace("@exch01.willowbank-primary.example", "@LO4P265MB6127.GBRP265.PROD.OUTLOOK.example") for h in headers]
    return part(headers, multipart(mixed, parts))


def executable_only_exe() -> None:
    name = "executable-only-exe"
    note = "Hi,\n\nThe plan and the resources were too big to send separately, so I've packed them\ninto a self-extracting file. Double-click it and it unpacks into a folder.\n\nTom"
    message = executable_message(name, when(8, 17, 5, 0), note, [("Plan.exe", "application/x-msdownload", make_exe())])
    write(name, message, True, plan(
        "Outlook on the web reply whose only file is Plan.exe, which is no session plan, so a person must look at it.",
        "outlook-web", [], outcome="attention"))


def executable_only_bat() -> None:
    name = "executable-only-bat"
    script = b"@echo off\r\nrem Copies the fractions games onto the visitor laptop\r\nxcopy /E /I \"%~dp0games\" \"%USERPROFILE%\\Desktop\\Fractions games\"\r\n"
    note = "Hi,\n\nThis sets up the fractions games I will use in the lesson, so Rory can try them\non his laptop before Monday.\n\nTom"
    message = executable_message(name, when(9, 9, 12, 30), note, [("setup.bat", "application/x-msdos-program", script)])
    write(name, message, True, plan(
        "Outlook on the web reply whose only file is setup.bat, a batch script and not a document, so it goes to a person.",
        "outlook-web", [], outcome="attention"))


def executable_only_scr() -> None:
    name = "executable-only-scr"
    note = "Hi,\n\nThis is the countdown screensaver I put up at the start of the lesson. The\nwritten plan is coming tomorrow.\n\nTom"
    message = executable_message(name, when(10, 20, 40, 0), note, [("Countdown timer.scr", "application/octet-stream", make_exe())])
    write(name, message, False, plan(
        "Outlook on the web reply whose only file is a Windows screensaver program Countdown timer.scr, so it goes to a person.",
        "outlook-web", [], outcome="attention"))


def javascript_beside_docx() -> None:
    name = "javascript-beside-docx"
    plan_name = "Session plan - fractions.docx"
    script = b"// Starter timer for the fractions lesson: counts down five minutes on the board.\nlet seconds = 300;\nsetInterval(() => { seconds = Math.max(0, seconds - 1); }, 1000);\n"
    note = "Hi,\n\nPlan attached, plus the little timer script I run on the board for the starter.\n\nTom"
    files = [
        (plan_name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", make_docx(["Session plan: fractions", "Starter: 5 minute timer"])),
        ("lesson.js", "text/javascript", script),
    ]
    write(name, executable_message(name, when(8, 19, 22, 0), note, files), True, plan(
        "Outlook on the web plan sent with a lesson.js script, where the docx is listed and the script is not.",
        "outlook-web", [plan_name]))


def vbscript_beside_pdf() -> None:
    name = "vbscript-beside-pdf"
    plan_name = "Plan 18-01-27.pdf"
    script = b"' Opens the lesson slides full screen\r\nSet shell = CreateObject(\"WScript.Shell\")\r\nshell.Run \"POWERPNT.EXE /S Fractions.pptx\"\r\n"
    note = "Hi,\n\nPlan attached. The other file opens my slides full screen if you want to\nshow Rory them on the day.\n\nTom"
    files = [
        ("slides.vbs", "text/vbscript", script),
        (plan_name, "application/pdf", make_pdf(["Plan 18-01-27", "Year 5 fractions"])),
    ]
    write(name, executable_message(name, when(9, 16, 2, 0), note, files), True, plan(
        "Outlook on the web plan sent after a slides.vbs script, where only the PDF is listed.",
        "outlook-web", [plan_name]))


def two_documents() -> None:
    name = "two-documents"
    sent = when(7, 21, 55, 30)
    first, second = "Session plan – 18 January.docx", "Fraction wall worksheet.pdf"
    boundary = "Apple-Mail=_0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0"
    alternative = "Apple-Mail=_A1B2C3D4-E5F6-4789-9ABC-DEF012345678"
    text = "Hi,\n\nThe plan and the worksheet the children will use are attached.\n\nBest wishes,\nTom\n\n"
    html = '<html><head><meta http-equiv="content-type" content="text/html; charset=utf-8"></head><body style="overflow-wrap: break-word;"><div>Hi,</div><div><br></div><div>The plan and the worksheet the children will use are attached.</div><div><br></div><div>Best wishes,</div><div>Tom</div><div><br></div></body></html>'
    after = f"\n\n> On 12 Dec 2026, at 10:00, {BOT_NAME} <{BOT_REPLY_TO}> wrote:\n>\n{quote_lines(REQUEST_TEXT)}\n"
    body = multipart(boundary, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'], multipart(alternative, [
            part(["Content-Transfer-Encoding: 7bit", "Content-Type: text/plain;\n\tcharset=us-ascii"], text + after),
            part(["Content-Transfer-Encoding: quoted-printable", "Content-Type: text/html;\n\tcharset=utf-8"], qp(html)),
        ])),
        part([
            "Content-Disposition: attachment;\n\tfilename*=utf-8''Session%20plan%20%E2%80%93%2018%20January.docx",
            "Content-Type: application/vnd.openxmlformats-officedocument.wordprocessingml.document;\n\tx-unix-mode=0644;\n\tname=\"=?utf-8?Q?Session_plan_=E2=80=93_18_January=2Edocx?=\"",
            "Content-Transfer-Encoding: base64",
        ], b64(make_docx(["Session plan, 18 January", "Year 5 fractions"]))),
        part([
            f'Content-Disposition: attachment;\n\tfilename="{second}"',
            f'Content-Type: application/pdf;\n\tx-unix-mode=0644;\n\tname="{second}"',
            "Content-Transfer-Encoding: base64",
        ], b64(make_pdf(["Fraction wall", "Shade one half, one third and one sixth"]))),
    ])
    headers = [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f"From: {TOM}",
        f'Content-Type: multipart/mixed;\n\tboundary="{boundary}"',
        "Mime-Version: 1.0 (Mac OS X Mail 16.0 \\(3826.400.131.1.6\\))",
        f"Subject: Re: {REQUEST_SUBJECT}",
        f"Date: {format_datetime(sent)}",
        f"References: {PLAN_REQUEST_ID}",
        f"To: {BOT_NAME} <{BOT_REPLY_TO}>",
        f"In-Reply-To: {PLAN_REQUEST_ID}",
        f"Message-Id: {message_id(name, 'willowbank-primary.example', 'apple')}",
        "X-Mailer: Apple Mail (2.3826.400.131.1.6)",
    ]
    write(name, part(headers, body), False, plan(
        "Apple Mail reply with two documents, a docx named in RFC 2231 and a PDF, listed in the order they appear.",
        "apple-mail", [first, second]))


def direct_to_visitor_cc_bot() -> None:
    name = "direct-to-visitor-cc-bot"
    sent = when(9, 11, 48, 26)
    filename = "Plan for Monday 18th.docx"
    mixed = "_004_" + hashlib.sha256(name.encode()).hexdigest()[:32].upper() + "prodoutlook_"
    alternative = mixed.replace("_004_", "_000_")
    note = "Hi Rory,\n\nLooking forward to Monday. Here is the plan for the lesson you will see; the\nfocus is reasoning with fractions. Come to the office for 8.45.\n\nTom"
    note_html = "".join(f"<div>{line or '<br>'}</div>" for line in note.split("\n"))
    text = f"{note}\n\n{SIGNATURE_TEXT}\n\n{DISCLAIMER}\n"
    html = f'<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body dir="ltr"><div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt">{note_html}</div><p style="font-size:8pt;color:#808080">{DISCLAIMER}</p></body></html>\n'
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'], multipart(alternative, [
            part(['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(text)),
            part(['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(html)),
        ])),
        outlook_attachment("application/vnd.openxmlformats-officedocument.wordprocessingml.document", f'"{filename}"', make_docx(["Plan for Monday 18th", "Reasoning with fractions"])),
    ])
    headers = [
        *received(sent, "mail.willowbank-primary.example", "203.0.113.45"),
        f"From: {TOM}",
        f"To: {RORY}",
        f'CC: "{BOT_NAME}" <pst@star-tsa.example>',
        "Subject: Plan for Monday's visit",
        "Thread-Topic: Plan for Monday's visit",
        f"Thread-Index: {thread_index(name, replies=0)}",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: {message_id(name, 'willowbank-primary.example', 'outlook').replace('@exch01.willowbank-primary.example', '@LO4P265MB6127.GBRP265.PROD.OUTLOOK.example')}",
        "Accept-Language: en-GB, en-US",
        "Content-Language: en-GB",
        "X-MS-Has-Attach: yes",
        "X-MS-TNEF-Correlator:",
        f'Content-Type: multipart/mixed;\n\tboundary="{mixed}"',
        "MIME-Version: 1.0",
    ]
    write(name, part(headers, body), True, plan(
        "Outlook on the web plan sent straight to the visiting teacher with the bot in Cc and no threading or case reference.",
        "outlook-web", [filename]))


def main() -> None:
    for make in (
        rfc2231_continuation_thunderbird, rfc2231_split_utf8_k9, rfc2047_outlook_name, rfc2047_gmail_filename,
        raw_utf8_filename, windows_path_filename, relative_path_filename, control_characters_filename, crlf_in_filename,
        tnef_winmail, signature_logos_related, attached_photo_gmail, iphone_photo_inline, calendar_reply_part,
        executable_only_exe, executable_only_bat, executable_only_scr, javascript_beside_docx, vbscript_beside_pdf,
        two_documents, direct_to_visitor_cc_bot,
    ):
        make()


if __name__ == "__main__":
    main()
