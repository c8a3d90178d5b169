"""Write the forms/ corpus: the website's PST request form as WordPress form plugins send it.

Run it with the project's Python; it rewrites every NAME.eml and NAME.toml in
this folder. Messages are assembled as text whose characters stand for bytes
(one character per byte, as Latin-1 maps them), so that 8bit bodies keep their
exact charset.

The field labels are those of rules/form.toml. A complete form opens a case
however it is laid out, and also when the business manager forwards it. A
form without a valid "Your Email" opens no case and goes to a person.
"""

from __future__ import annotations

import base64
import email.base64mime
import hashlib
import html
import quopri
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path

FOLDER = Path(__file__).parent
UK = timezone(timedelta(0))

NAME = "Your Name"
EMAIL = "Your Email"
HEAD_NAME = "Headteacher Name (if different from above)"
HEAD_EMAIL = "Headteacher Email (if different to above)"
SCHOOL = "Your School Name"
VISITOR_NAME = "Name of teacher who will make the visit"
VISITOR_EMAIL = "Email of teacher who will make the visit (so lesson plan can be shared in advance)"
INITIATED = "Was this visit initiated by Headteacher suggestion, visiting teacher request, or a joint idea? Please specify"
CONTEXT = "School Context"
REASON = (
    "To allow us to match your request to an appropriate PST, please provide information about your "
    "school/class context and the reason behind the visit request"
)
OBJECTIVES = "What are the specific objectives of the visit, please state here"
REQUIRED = {NAME, EMAIL, SCHOOL}
FORM_ORDER = [NAME, EMAIL, HEAD_NAME, HEAD_EMAIL, SCHOOL, VISITOR_NAME, VISITOR_EMAIL, INITIATED, CONTEXT, REASON, OBJECTIVES]

CF7_FOOTER = "--\nThis e-mail was sent from a contact form on STAR TSA (https://star-tsa.example/pst/)"


# Helpers. Every string below stands for bytes, one character per byte.


def encode(text: str, charset: str) -> str:
    return text.encode(charset).decode("latin-1")


def b64(data: bytes) -> str:
    return email.base64mime.body_encode(data, maxlinelen=76).rstrip("\n")


def qp(text: str, charset: str = "utf-8") -> str:
    data = text.encode(charset).replace(b"\n", b"\r\n")
    return quopri.encodestring(data).decode("ascii").replace("\r\n", "\n").rstrip("\n")


def part(headers: list[str], body: str) -> str:
    return "\n".join(headers) + "\n\n" + body


def multipart(boundary: str, parts: list[str], preamble: str = "") -> str:
    out = preamble + "\n" if preamble else ""
    return out + "".join(f"--{boundary}\n{item}\n" for item in parts) + f"--{boundary}--\n"


def digest(name: str, length: int = 32) -> str:
    return hashlib.sha256(name.encode()).hexdigest()[:length]


def when(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, second, tzinfo=UK)


def escape(text: str) -> str:
    return html.escape(text, quote=False)


def website_received(sent: datetime, return_path: str = "wordpress@star-tsa.example") -> list[str]:
    arrived = sent + timedelta(seconds=2)
    return [
        f"Return-Path: <{return_path}>",
        "Delivered-To: pst@star-tsa.example",
        "Received: from web02.star-tsa.example (web02.star-tsa.example [192.0.2.21])",
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {digest(sent.isoformat(), 10).upper()}",
        f"\tfor <pst@star-tsa.example>; {format_datetime(arrived)}",
        "Authentication-Results: mx.star-tsa.example;",
        "\tspf=pass smtp.mailfrom=star-tsa.example;",
        "\tdkim=pass header.d=star-tsa.example;",
        "\tdmarc=pass header.from=star-tsa.example",
    ]


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


def opens(about: str, client: str) -> dict:
    return {
        "about": about, "client": client, "outcome": "processed", "case": "", "intent": "",
        "automatic": False, "bounced": "", "attachments": [], "opens_case": True,
    }


def incomplete(about: str, client: str) -> dict:
    return {
        "about": about, "client": client, "outcome": "attention", "case": "", "intent": "",
        "automatic": False, "bounced": "", "attachments": [], "opens_case": False,
    }


# Layouts


def cf7_text(answers: dict[str, str], order: list[str], required_note: bool = True, colon: bool = True) -> str:
    """Return Contact Form 7's default mail body: one "Label (required): value" line per field, long values continuing below."""
    lines = []
    for label in order:
        if label not in answers:
            continue
        shown = label + (" (required)" if required_note and label in REQUIRED else "")
        lines.append(f"{shown}{':' if colon else ''} {answers[label]}")
    return "\n".join(lines) + f"\n\n{CF7_FOOTER}\n"


def stacked_text(answers: dict[str, str], order: list[str], label_suffix: str = "") -> str:
    """Return each label on its own line with its value below and a blank line between fields, as WPForms writes them."""
    blocks = [f"{label}{label_suffix}\n{answers[label]}" for label in order if label in answers]
    return "\n\n".join(blocks) + "\n"


def cf7_message(name: str, sent: datetime, reply_to: str, text: str, charset: str = "UTF-8", subject: str = "PST Request Form", extra: list[str] | None = None) -> str:
    headers = [
        *website_received(sent),
        f"Date: {format_datetime(sent)}",
        "To: pst@star-tsa.example",
        "From: STAR TSA Website <wordpress@star-tsa.example>",
        f"Reply-To: {reply_to}",
        f"Subject: {subject}",
        f"Message-ID: <{digest(name)}@star-tsa.example>",
        "X-Mailer: PHPMailer 6.9.1",
        *(extra or []),
        "MIME-Version: 1.0",
        f"Content-Type: text/plain; charset={charset}",
        "Content-Transfer-Encoding: 8bit",
    ]
    return part(headers, encode(text, "cp1252" if charset.lower() == "windows-1252" else "utf-8"))


def noreply_headers(name: str, sent: datetime, reply_to: str, content_type: str, subject: str = "PST Request Form", sender: str = "STAR TSA <noreply@star-tsa.example>") -> list[str]:
    return [
        *website_received(sent, "noreply@star-tsa.example"),
        f"Date: {format_datetime(sent)}",
        f"From: {sender}",
        "To: pst@star-tsa.example",
        f"Reply-To: {reply_to}",
        f"Subject: {subject}",
        f"Message-ID: <{digest(name, 24)}@star-tsa.example>",
        "X-Mailer: PHPMailer 6.9.1",
        "MIME-Version: 1.0",
        f"Content-Type: {content_type}",
    ]


# Requests. Every person and school is invented.

BROOKSIDE = {
    NAME: "Aisha Rahman",
    EMAIL: "a.rahman@brookside-primary.example",
    HEAD_NAME: "Mr Colin Darby",
    HEAD_EMAIL: "head@brookside-primary.example",
    SCHOOL: "Brookside Primary School",
    VISITOR_NAME: "Aisha Rahman",
    VISITOR_EMAIL: "a.rahman@brookside-primary.example",
    INITIATED: "Visiting teacher request",
    CONTEXT: "Two-form entry primary on the edge of town, 410 pupils. I teach Year 2.",
    REASON: "Our phonics screening results dipped last summer and I am new to Key Stage 1.",
    OBJECTIVES: "See a phonics lesson with strong pace and same-day catch-up for pupils who fall behind.",
}

KINGSMEAD = {
    NAME: "Mr Daniel Osei",
    EMAIL: "head@kingsmead-academy.example",
    HEAD_NAME: "N/A",
    HEAD_EMAIL: "N/A",
    SCHOOL: "Kingsmead Academy",
    VISITOR_NAME: "Ella Brookes",
    VISITOR_EMAIL: "e.brookes@kingsmead-academy.example",
    INITIATED: "Headteacher suggestion",
    CONTEXT: "11-16 academy, 870 students, science department of eight.",
    REASON: "Ella is in her second year and her Year 8 practical lessons overrun.",
    OBJECTIVES: "Watch a Year 8 practical that finishes on time and see how the PST models the write-up.",
}


def cf7_reordered_fields() -> None:
    name = "cf7-reordered-fields"
    order = [SCHOOL, OBJECTIVES, VISITOR_NAME, VISITOR_EMAIL, EMAIL, NAME, HEAD_EMAIL, HEAD_NAME, CONTEXT, REASON, INITIATED]
    message = cf7_message(name, when(4, 19, 12, 7), "Aisha Rahman <a.rahman@brookside-primary.example>", cf7_text(BROOKSIDE, order))
    write(name, message, False, opens(
        "Contact Form 7 request whose fields arrive in a different order from the website's form, starting with the school name.",
        "wordpress-cf7"))


def plain_colons_no_required() -> None:
    name = "plain-colons-no-required"
    message = cf7_message(name, when(5, 7, 48, 30), KINGSMEAD[EMAIL], cf7_text(KINGSMEAD, FORM_ORDER, required_note=False))
    write(name, message, True, opens(
        "Contact Form 7 request with \"Label: answer\" lines and no \"(required)\" notes, sent by a headteacher who leaves the headteacher fields as N/A.",
        "wordpress-cf7"))


def stacked_required_labels() -> None:
    name = "stacked-required-labels"
    answers = {
        NAME: "Hannah Lowe",
        EMAIL: "h.lowe@westfield-juniors.example",
        HEAD_NAME: "Mrs Ruth Okonjo",
        HEAD_EMAIL: "head@westfield-juniors.example",
        SCHOOL: "Westfield Junior School",
        VISITOR_NAME: "Hannah Lowe",
        VISITOR_EMAIL: "h.lowe@westfield-juniors.example",
        INITIATED: "Joint idea",
        CONTEXT: "Three-form entry junior school with a large resourced provision for autistic pupils.",
        REASON: "My Year 6 class includes four pupils from the resourced provision for maths.",
        OBJECTIVES: "See adaptive teaching in a mixed-attainment Year 6 maths lesson.",
    }
    shown = {(label + " (required)" if label in REQUIRED else label): value for label, value in answers.items()}
    order = [label + " (required)" if label in REQUIRED else label for label in FORM_ORDER]
    text = "New entry from the PST Request Form\n\n" + stacked_text(shown, order) + "\n---\nSent by WPForms on STAR TSA\n"
    message = part(noreply_headers(name, when(5, 20, 3, 11), answers[EMAIL], 'text/plain; charset="UTF-8"') + ["Content-Transfer-Encoding: quoted-printable"], qp(text))
    write(name, message, True, opens(
        "WPForms plain-text request with each \"(required)\" label on its own line and the answer on the line below.",
        "wpforms"))


def multiline_answers() -> None:
    name = "multiline-answers"
    answers = {
        NAME: "Jo Whitfield",
        EMAIL: "j.whitfield@marshlane-infants.example",
        HEAD_NAME: "Ms Patricia Kaur",
        HEAD_EMAIL: "head@marshlane-infants.example",
        SCHOOL: "Marsh Lane Infant School",
        VISITOR_NAME: "Jo Whitfield",
        VISITOR_EMAIL: "j.whitfield@marshlane-infants.example",
        INITIATED: "Joint idea: I raised it at my appraisal and\nMs Kaur suggested the alliance.",
        CONTEXT: (
            "Infant school, 270 pupils, on two sites.\n"
            "  - Reception: 3 classes\n"
            "  - Year 1: 3 classes\n"
            "  - Year 2: 3 classes\n\n"
            "38% of pupils speak English as an additional language."
        ),
        REASON: (
            "I lead Reception and our outdoor provision is not used well in the afternoons.\n\n"
            "Children choose the same few activities and adults spend the time tidying\n"
            "rather than talking with them."
        ),
        OBJECTIVES: (
            "1. See an afternoon of continuous provision, inside and out\n"
            "2. Learn how adults are deployed and what they record\n"
            "3. Plan two changes to trial before Easter\n\n"
            "If possible, a short talk with the PST afterwards about observation notes."
        ),
    }
    message = cf7_message(name, when(6, 21, 30, 45), answers[EMAIL], cf7_text(answers, FORM_ORDER))
    write(name, message, False, opens(
        "Contact Form 7 request whose answers run over several lines, with indented lists and blank lines inside an answer.",
        "wordpress-cf7"))


def html_only_two_column_table() -> None:
    name = "html-only-two-column-table"
    answers = {
        NAME: "Marcus Bell",
        EMAIL: "m.bell@cedarbank-high.example",
        HEAD_NAME: "Dr Anita Sharma",
        HEAD_EMAIL: "head@cedarbank-high.example",
        SCHOOL: "Cedarbank High School",
        VISITOR_NAME: "Marcus Bell",
        VISITOR_EMAIL: "m.bell@cedarbank-high.example",
        INITIATED: "Visiting teacher request",
        CONTEXT: "Mixed 11-18 comprehensive, 1,300 students, growing sixth form.",
        REASON: "I teach A level history and my students' essays describe rather than argue.",
        OBJECTIVES: "See how the PST teaches argument in a sixth-form history lesson.<br>Collect feedback strategies for essay drafts.",
    }
    rows = "\n".join(
        f'<tr><td style="width:35%;vertical-align:top"><strong>{escape(label)}</strong></td>'
        f"<td>{answers[label] if label == OBJECTIVES else escape(answers[label])}</td></tr>"
        for label in FORM_ORDER
    )
    page = (
        '<!DOCTYPE html><html><head><meta charset="UTF-8"><title>PST Request Form</title></head><body>\n'
        '<table border="0" cellpadding="6" cellspacing="0" width="600">\n'
        f"{rows}\n</table>\n<p><small>This message was sent by Ninja Forms on STAR TSA.</small></p>\n</body></html>\n"
    )
    headers = noreply_headers(name, when(7, 10, 5, 50), answers[EMAIL], "text/html; charset=UTF-8") + ["Content-Transfer-Encoding: quoted-printable"]
    write(name, part(headers, qp(page)), True, opens(
        "Ninja Forms request sent as HTML only, as a two-column table of label and answer cells.",
        "ninja-forms"))


def html_only_definition_list() -> None:
    name = "html-only-definition-list"
    answers = {
        NAME: "Grace Tomlinson",
        EMAIL: "g.tomlinson@holmewood-primary.example",
        HEAD_NAME: "Mr Ian Fletcher",
        HEAD_EMAIL: "head@holmewood-primary.example",
        SCHOOL: "Holmewood Primary School",
        VISITOR_NAME: "Nadia Haddad",
        VISITOR_EMAIL: "n.haddad@holmewood-primary.example",
        INITIATED: "Headteacher suggestion",
        CONTEXT: "One-form entry village primary with mixed-age classes.",
        REASON: "Nadia teaches a Year 3/4 class and finds it hard to pitch science for both year groups.",
        OBJECTIVES: "See a mixed-age science lesson.\nDiscuss long-term planning on a two-year cycle.",
    }
    items = "\n".join(
        f"  <dt>{escape(label)}:</dt>\n  <dd>{escape(answers[label]).replace(chr(10), '<br>' + chr(10) + '      ')}</dd>"
        for label in FORM_ORDER
    )
    page = (
        "<html>\n<head>\n<style>dt { font-weight: bold; margin-top: 8px; } dd { margin-left: 0; }</style>\n</head>\n<body>\n"
        "<h3>PST Request Form</h3>\n<dl>\n" + items + "\n</dl>\n"
        '<p style="color:#777">Formidable Forms &middot; STAR TSA website</p>\n</body>\n</html>\n'
    )
    headers = noreply_headers(name, when(7, 16, 44, 2), answers[EMAIL], 'text/html; charset="utf-8"') + ["Content-Transfer-Encoding: base64"]
    write(name, part(headers, b64(page.encode())), False, opens(
        "Formidable Forms request sent as base64 HTML only, laid out as a definition list of dt labels with colons and dd answers.",
        "formidable-forms"))


def non_ascii_names_utf8() -> None:
    name = "non-ascii-names-utf8"
    answers = {
        NAME: "Siân Llewelyn-Pérez",
        EMAIL: "s.llewelyn-perez@st-bedes-primary.example",
        HEAD_NAME: "Mrs Zoë O’Neill",
        HEAD_EMAIL: "head@st-bedes-primary.example",
        SCHOOL: "St Bede’s Catholic Primary School",
        VISITOR_NAME: "Seán Ó Briain",
        VISITOR_EMAIL: "s.obriain@st-bedes-primary.example",
        INITIATED: "Joint idea – Seán asked and Mrs O’Neill agreed",
        CONTEXT: "Voluntary-aided primary, 315 pupils; Seán teaches Year 4.",
        REASON: "Seán’s class use manipulatives but struggle to move on to written methods.",
        OBJECTIVES: "See the “concrete – pictorial – abstract” sequence in a Year 4 lesson.",
    }
    text = stacked_text(answers, FORM_ORDER)
    rows = "".join(
        f'<tr><td style="font-weight:bold">{escape(label)}</td></tr><tr><td>{escape(answers[label])}</td></tr>'
        for label in FORM_ORDER
    )
    page = f'<html><head><meta charset="utf-8"></head><body><table width="100%" cellpadding="4">{rows}</table><p style="color:#888">Sent from the STAR TSA website</p></body></html>\n'
    boundary = "b1_" + digest(name, 40)
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(text)),
        part(['Content-Type: text/html; charset="utf-8"', "Content-Transfer-Encoding: quoted-printable"], qp(page)),
    ], preamble="This is a multi-part message in MIME format.")
    headers = noreply_headers(name, when(8, 9, 2, 17), "=?UTF-8?Q?Si=C3=A2n_Llewelyn-P=C3=A9rez?= <s.llewelyn-perez@st-bedes-primary.example>", f'multipart/alternative;\n boundary="{boundary}"')
    write(name, part(headers, body), True, opens(
        "WPForms request in UTF-8 quoted-printable with accented names, a curly apostrophe in O’Neill and St Bede’s, and curly quotes.",
        "wpforms"))


def html_entities_gravity() -> None:
    name = "html-entities-gravity"
    answers = [
        (NAME, "Chlo&euml; D&rsquo;Arcy"),
        (EMAIL, '<a href="mailto:c.darcy@oldmill-primary.example">c.darcy@oldmill-primary.example</a>'),
        (HEAD_NAME, "Mr Jos&eacute; Navarro"),
        (HEAD_EMAIL, '<a href="mailto:head@oldmill-primary.example">head@oldmill-primary.example</a>'),
        (SCHOOL, "Old Mill Primary School"),
        (VISITOR_NAME, "Chlo&euml; D&rsquo;Arcy"),
        (VISITOR_EMAIL, '<a href="mailto:c.darcy@oldmill-primary.example">c.darcy@oldmill-primary.example</a>'),
        (INITIATED, "Joint idea"),
        (CONTEXT, "Primary school of 200 pupils in a coastal town; many families work seasonally."),
        (REASON, "Attendance drops in the summer term and my Year 5 reading fluency falls behind."),
        (OBJECTIVES, "See a whole-class fluency session &amp; the PST&rsquo;s approach to catch-up reading."),
    ]
    rows = "\n".join(
        f'<tr bgcolor="#EAF2FA"><td colspan="2"><font style="font-family: sans-serif; font-size:12px;"><strong>{escape(label)}</strong></font></td></tr>\n'
        f'<tr bgcolor="#FFFFFF"><td width="20">&nbsp;</td><td><font style="font-family: sans-serif; font-size:12px;">{value}</font></td></tr>'
        for label, value in answers
    )
    page = (
        '<html><body><table width="99%" border="0" cellpadding="1" cellspacing="0" bgcolor="#EAEAEA"><tr><td>'
        f'<table width="100%" border="0" cellpadding="5" cellspacing="0" bgcolor="#FFFFFF">\n{rows}\n</table></td></tr></table></body></html>\n'
    )
    headers = noreply_headers(name, when(8, 14, 27, 39), "c.darcy@oldmill-primary.example", 'text/html; charset=UTF-8', sender="STAR TSA Website <wordpress@star-tsa.example>") + ["Content-Transfer-Encoding: quoted-printable"]
    write(name, part(headers, qp(page)), False, opens(
        "Gravity Forms request sent as HTML only, with names written as HTML entities (Chlo&euml; D&rsquo;Arcy) and emails as mailto links.",
        "gravity-forms"))


GREYFRIARS = {
    NAME: "Owen Price",
    EMAIL: "o.price@greyfriars-academy.example",
    HEAD_NAME: "Mrs Laura Finch",
    HEAD_EMAIL: "head@greyfriars-academy.example",
    SCHOOL: "Greyfriars Academy",
    VISITOR_NAME: "Owen Price",
    VISITOR_EMAIL: "o.price@greyfriars-academy.example",
    INITIATED: "Visiting teacher request",
    CONTEXT: "Secondary academy, 980 students; I teach geography.",
    REASON: "My Key Stage 3 fieldwork lessons lack structure when we are back in the classroom.",
    OBJECTIVES: "See how the PST turns fieldwork data into extended writing.",
}

SOUTHMOOR = {
    NAME: "Kerry Ashworth",
    EMAIL: "k.ashworth@southmoor-primary.example",
    HEAD_NAME: "Mr Graham Lund",
    HEAD_EMAIL: "head@southmoor-primary.example",
    SCHOOL: "Southmoor Primary School",
    VISITOR_NAME: "Kerry Ashworth",
    VISITOR_EMAIL: "k.ashworth@southmoor-primary.example",
    INITIATED: "Joint idea",
    CONTEXT: "Two-form entry primary; I am the early career teacher in Year 1.",
    REASON: "I would like to see early reading taught well to a class with many summer-born children.",
    OBJECTIVES: "See a Year 1 phonics lesson and how the PST groups children for practice.",
}


def forwarded_inline_gmail() -> None:
    name = "forwarded-inline-gmail"
    sent = when(4, 8, 31, 12)
    original_text = cf7_text(GREYFRIARS, FORM_ORDER)
    note = "This one came to my inbox over the holidays, please pick it up."
    forward_head = (
        "---------- Forwarded message ---------\n"
        "From: STAR TSA Website <wordpress@star-tsa.example>\n"
        "Date: Sun, 3 Jan 2027 at 20:41\n"
        "Subject: PST Request Form\n"
        "To: <bm@star-tsa.example>\n"
    )
    text = f"{note}\n\nBusiness Manager\nSTAR Teaching School Alliance\n\n{forward_head}\n\n{original_text}"
    original_html = escape(original_text).replace("\n", "<br>\n")
    page = (
        f'<div dir="ltr"><div>{note}</div><div><br></div><div>Business Manager<br>STAR Teaching School Alliance</div><br>'
        '<div class="gmail_quote gmail_quote_container"><div dir="ltr" class="gmail_attr">---------- Forwarded message ---------<br>'
        'From: <strong class="gmail_sendername" dir="auto">STAR TSA Website</strong> <span dir="auto">&lt;'
        '<a href="mailto:wordpress@star-tsa.example">wordpress@star-tsa.example</a>&gt;</span><br>'
        "Date: Sun, 3 Jan 2027 at 20:41<br>Subject: PST Request Form<br>To: &lt;<a href=\"mailto:bm@star-tsa.example\">bm@star-tsa.example</a>&gt;<br></div>"
        f"<br><br>{original_html}</div></div>\n"
    )
    boundary = "000000000000" + digest(name, 16)
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(text)),
        part(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(page)),
    ])
    token = base64.urlsafe_b64encode(hashlib.sha256(name.encode()).digest()).decode().rstrip("=")
    headers = [
        "Return-Path: <bm@star-tsa.example>",
        "Delivered-To: pst@star-tsa.example",
        "Received: from mail-ej1-f45.google.example (mail-ej1-f45.google.example [198.51.100.45])",
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {digest(name, 10).upper()}",
        f"\tfor <pst@star-tsa.example>; {format_datetime(sent + timedelta(seconds=3))}",
        "Authentication-Results: mx.star-tsa.example;",
        "\tspf=pass smtp.mailfrom=star-tsa.example;",
        "\tdkim=pass header.d=star-tsa.example;",
        "\tdmarc=pass header.from=star-tsa.example",
        "MIME-Version: 1.0",
        f"References: <{digest('greyfriars-original')}@star-tsa.example>",
        f"In-Reply-To: <{digest('greyfriars-original')}@star-tsa.example>",
        "From: STAR TSA Business Manager <bm@star-tsa.example>",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <CAJ{token}@mail.gmail.example>",
        "Subject: Fwd: PST Request Form",
        "To: pst@star-tsa.example",
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
    ]
    write(name, part(headers, body), True, opens(
        "Business manager's Gmail forward of a request form as inline text under a \"---------- Forwarded message ---------\" header.",
        "gmail-web"))


def forwarded_attached_outlook() -> None:
    name = "forwarded-attached-outlook"
    sent = when(5, 9, 12, 44)
    original_sent = when(2, 15, 3, 27)
    original = cf7_message("southmoor-original", original_sent, "Kerry Ashworth <k.ashworth@southmoor-primary.example>", cf7_text(SOUTHMOOR, FORM_ORDER))
    original = original.replace("To: pst@star-tsa.example", "To: bm@star-tsa.example").replace("Delivered-To: pst@star-tsa.example", "Delivered-To: bm@star-tsa.example")
    original = original.replace("for <pst@star-tsa.example>", "for <bm@star-tsa.example>")
    note = "Hi,\n\nThis form was sent to me instead of the PST inbox. Attached so you can pick it up.\n\nThanks\nBusiness Manager\nSTAR Teaching School Alliance"
    page = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body dir="ltr">'
        '<div style="font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt">'
        + "".join(f"<div>{escape(line) or '<br>'}</div>" for line in note.split("\n")) + "</div></body></html>\n"
    )
    mixed = "_004_" + digest(name).upper() + "startsa_"
    alternative = mixed.replace("_004_", "_000_")
    body = multipart(mixed, [
        part([f'Content-Type: multipart/alternative;\n\tboundary="{alternative}"'], multipart(alternative, [
            part(['Content-Type: text/plain; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(note, "ascii")),
            part(['Content-Type: text/html; charset="us-ascii"', "Content-Transfer-Encoding: quoted-printable"], qp(page, "ascii")),
        ])),
        part([
            "Content-Type: message/rfc822",
            "Content-Disposition: attachment;\n\tcreation-date=\"Tue, 05 Jan 2027 09:12:40 GMT\";\n\tmodification-date=\"Tue, 05 Jan 2027 09:12:40 GMT\"",
        ], original),
    ])
    headers = [
        "Return-Path: <bm@star-tsa.example>",
        "Delivered-To: pst@star-tsa.example",
        "Received: from mail.star-tsa.example (mail.star-tsa.example [192.0.2.10])",
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {digest(name, 10).upper()}",
        f"\tfor <pst@star-tsa.example>; {format_datetime(sent + timedelta(seconds=2))}",
        "From: Business Manager <bm@star-tsa.example>",
        "To: PST inbox <pst@star-tsa.example>",
        "Subject: FW: PST Request Form",
        "Thread-Topic: PST Request Form",
        "Thread-Index: AQHbX2YvZ0m1a0T3KkO9pXcFq2iA5w==",
        f"Date: {format_datetime(sent)}",
        f"Message-ID: <{digest(name, 40).upper()}@mail.star-tsa.example>",
        "Accept-Language: en-GB, en-US",
        "Content-Language: en-GB",
        "X-MS-Has-Attach: yes",
        "X-MS-TNEF-Correlator:",
        f'Content-Type: multipart/mixed;\n\tboundary="{mixed}"',
        "MIME-Version: 1.0",
    ]
    write(name, part(headers, body), True, opens(
        "Business manager's Outlook forward of a request form as an attached message/rfc822, with only a short note in the body.",
        "outlook-desktop"))


def missing_email_field() -> None:
    name = "missing-email-field"
    answers = {
        NAME: "Leah Morgan",
        HEAD_NAME: "Mrs Diane Walsh",
        HEAD_EMAIL: "head@hilltop-juniors.example",
        SCHOOL: "Hilltop Junior School",
        VISITOR_NAME: "Leah Morgan",
        INITIATED: "Visiting teacher request",
        CONTEXT: "Junior school, 360 pupils.",
        REASON: "Behaviour for learning in my Year 5 class after lunch.",
        OBJECTIVES: "See routines that settle a class quickly after lunch.",
    }
    message = cf7_message(name, when(6, 22, 50, 5), "wordpress@star-tsa.example", cf7_text(answers, FORM_ORDER))
    write(name, message, False, incomplete(
        "Contact Form 7 request with no \"Your Email\" line at all, so no case can be opened and a person must follow it up.",
        "wordpress-cf7"))


def missing_email_placeholder() -> None:
    name = "missing-email-placeholder"
    answers = {
        NAME: "Leah Morgan",
        EMAIL: "(empty)",
        HEAD_NAME: "(empty)",
        HEAD_EMAIL: "(empty)",
        SCHOOL: "Hilltop Junior School",
        VISITOR_NAME: "Leah Morgan",
        VISITOR_EMAIL: "(empty)",
        INITIATED: "Visiting teacher request",
        CONTEXT: "Junior school, 360 pupils.",
        REASON: "Behaviour for learning in my Year 5 class after lunch.",
        OBJECTIVES: "See routines that settle a class quickly after lunch.",
    }
    text = stacked_text(answers, FORM_ORDER)
    headers = noreply_headers(name, when(7, 6, 40, 0), "noreply@star-tsa.example", 'text/plain; charset="utf-8"') + ["Content-Transfer-Encoding: 7bit"]
    write(name, part(headers, text), True, incomplete(
        "WPForms request whose \"Your Email\" answer is the placeholder (empty), so it is incomplete and opens no case.",
        "wpforms"))


def invalid_email_words() -> None:
    name = "invalid-email-words"
    answers = {
        **BROOKSIDE,
        NAME: "Tom Hollis",
        EMAIL: "t.hollis at ashgrove-primary dot example",
        HEAD_NAME: "Ms Fiona Reeve",
        HEAD_EMAIL: "head@ashgrove-primary.example",
        SCHOOL: "Ashgrove Primary School",
        VISITOR_NAME: "Tom Hollis",
        VISITOR_EMAIL: "(empty)",
    }
    message = cf7_message(name, when(8, 18, 9, 26), "wordpress@star-tsa.example", cf7_text(answers, FORM_ORDER))
    write(name, message, True, incomplete(
        "Contact Form 7 request whose \"Your Email\" is written out in words (\"at\", \"dot\"), which is not a valid email address.",
        "wordpress-cf7"))


def invalid_email_no_domain() -> None:
    name = "invalid-email-no-domain"
    answers = {
        **KINGSMEAD,
        NAME: "Ms Rachel Adebayo",
        EMAIL: "r.adebayo@",
        SCHOOL: "Lowfield School",
        VISITOR_NAME: "Sam Carter",
        VISITOR_EMAIL: "s.carter@lowfield-school.example",
    }
    text = stacked_text(answers, FORM_ORDER)
    headers = noreply_headers(name, when(9, 11, 17, 3), "noreply@star-tsa.example", 'text/plain; charset="utf-8"') + ["Content-Transfer-Encoding: quoted-printable"]
    write(name, part(headers, qp(text)), False, incomplete(
        "WPForms request whose \"Your Email\" is r.adebayo@ with nothing after the @, so it is invalid and opens no case.",
        "wpforms"))


def subject_case_and_auto_submitted() -> None:
    name = "subject-case-and-auto-submitted"
    answers = {**BROOKSIDE, NAME: "Femi Adewale", EMAIL: "f.adewale@larkhill-primary.example", HEAD_NAME: "Mrs Joan Pryce",
               HEAD_EMAIL: "head@larkhill-primary.example", SCHOOL: "Larkhill Primary School", VISITOR_NAME: "Femi Adewale",
               VISITOR_EMAIL: "f.adewale@larkhill-primary.example"}
    message = cf7_message(name, when(9, 19, 55, 31), answers[EMAIL], cf7_text(answers, FORM_ORDER), subject="  pst request form ",
                          extra=["Auto-Submitted: auto-generated", "X-Auto-Response-Suppress: All"])
    write(name, message, False, opens(
        "Contact Form 7 request with the subject in lower case between spaces and an Auto-Submitted header, which still opens a case.",
        "wordpress-cf7"))


def support_request_subject() -> None:
    name = "support-request-subject"
    answers = {
        NAME: "Imran Siddiqui",
        EMAIL: "i.siddiqui@parkview-academy.example",
        HEAD_NAME: "Mrs Helen Cho",
        HEAD_EMAIL: "head@parkview-academy.example",
        SCHOOL: "Parkview Academy",
        VISITOR_NAME: "Imran Siddiqui",
        VISITOR_EMAIL: "i.siddiqui@parkview-academy.example",
        INITIATED: "Headteacher suggestion",
        CONTEXT: "All-through academy, 1,600 pupils aged 4 to 16.",
        REASON: "I teach computing at Key Stage 3 and want to improve how I teach programming to beginners.",
        OBJECTIVES: "See pair programming and live coding in a Year 7 computing lesson.",
    }
    text = stacked_text(answers, FORM_ORDER, label_suffix=":")
    headers = noreply_headers(name, when(10, 12, 0, 58), answers[EMAIL], 'text/plain; charset="utf-8"', subject="PST Support Request Form") + ["Content-Transfer-Encoding: 8bit"]
    write(name, part(headers, encode(text, "utf-8")), True, opens(
        "WPForms request with the other configured subject \"PST Support Request Form\" and stacked labels ending in colons.",
        "wpforms"))


def older_label_aliases() -> None:
    name = "older-label-aliases"
    lines = [
        ("Your Full Name", "Beth Carragher"),
        ("Your Email Address", "b.carragher@riverside-free.example"),
        ("Headteacher's Name", "Mr Neil Ashton"),
        ("Headteacher's Email", "head@riverside-free.example"),
        ("School Name", "Riverside Free School"),
        ("Name of visiting teacher", "Beth Carragher"),
        ("Email of visiting teacher", "b.carragher@riverside-free.example"),
        ("Was this visit initiated by Headteacher suggestion, visiting teacher request, or a joint idea?", "Joint idea"),
        ("School Context", "Free school, 540 pupils, opened in 2016."),
        ("Reason for the visit request", "Our Year 9 English classes find unseen poetry hard."),
        ("What are the specific objectives of the visit?", "See how the PST scaffolds the first reading of an unseen poem."),
    ]
    text = "\n".join(f"{label}: {value}" for label, value in lines) + f"\n\n{CF7_FOOTER}\n"
    message = cf7_message(name, when(10, 17, 21, 9), "b.carragher@riverside-free.example", text)
    write(name, message, False, opens(
        "Contact Form 7 request from the older version of the form, whose labels are the aliases such as \"Your Full Name\" and \"School Name\".",
        "wordpress-cf7"))


def html_paragraphs_plain_without_answers() -> None:
    name = "html-paragraphs-plain-without-answers"
    answers = {
        NAME: "Rosie Egan",
        EMAIL: "r.egan@elmstead-ce.example",
        HEAD_NAME: "Revd Canon Paul Lacey",
        HEAD_EMAIL: "head@elmstead-ce.example",
        SCHOOL: "Elmstead Church of England Primary School",
        VISITOR_NAME: "Rosie Egan",
        VISITOR_EMAIL: "r.egan@elmstead-ce.example",
        INITIATED: "Visiting teacher request",
        CONTEXT: "Small rural school with four mixed-age classes.",
        REASON: "I am a new subject leader for music with no music specialist on the staff.",
        OBJECTIVES: "See a whole-class instrumental lesson and discuss a progression map for music.",
    }
    text = "New message from \"PST Request Form\"\n\nA new submission is waiting. View it in your dashboard.\n\n---\nPowered by Elementor\n"
    paragraphs = "\n".join(f"<p><strong>{escape(label)}:</strong> {escape(answers[label])}</p>" for label in FORM_ORDER)
    page = f'<html><body style="font-family:Arial,sans-serif">\n{paragraphs}\n<br><hr><p style="font-size:11px">Powered by Elementor</p>\n</body></html>\n'
    boundary = "b1_" + digest(name, 40)
    body = multipart(boundary, [
        part(['Content-Type: text/plain; charset="UTF-8"', "Content-Transfer-Encoding: 7bit"], text),
        part(['Content-Type: text/html; charset="UTF-8"', "Content-Transfer-Encoding: quoted-printable"], qp(page)),
    ], preamble="This is a multi-part message in MIME format.")
    headers = noreply_headers(name, when(11, 7, 15, 0), answers[EMAIL], f'multipart/alternative;\n boundary="{boundary}"', sender="STAR TSA Website <wordpress@star-tsa.example>")
    write(name, part(headers, body), True, opens(
        "Elementor request whose plain part has no answers and whose HTML part has one paragraph per field with a bold label and colon.",
        "elementor-forms"))


def windows_1252_apostrophes() -> None:
    name = "windows-1252-apostrophes"
    answers = {
        NAME: "Ciarán O’Donnell",
        EMAIL: "c.odonnell@fairholme-primary.example",
        HEAD_NAME: "Mrs Bríd McGuinness",
        HEAD_EMAIL: "head@fairholme-primary.example",
        SCHOOL: "Fairholme Primary School",
        VISITOR_NAME: "Ciarán O’Donnell",
        VISITOR_EMAIL: "c.odonnell@fairholme-primary.example",
        INITIATED: "Joint idea",
        CONTEXT: "Primary school, 450 pupils, new maths scheme this year.",
        REASON: "I’m the maths lead and we’ve changed scheme; staff aren’t confident with bar models.",
        OBJECTIVES: "See bar models used in a Year 6 lesson – and how the PST introduces them in Year 3.",
    }
    message = cf7_message(name, when(11, 8, 3, 52), "c.odonnell@fairholme-primary.example", cf7_text(answers, FORM_ORDER), charset="windows-1252")
    write(name, message, True, opens(
        "Contact Form 7 request in Windows-1252 8bit with Irish names holding accents and the curly apostrophe of O’Donnell.",
        "wordpress-cf7"))


def main() -> None:
    for make in (
        cf7_reordered_fields, plain_colons_no_required, stacked_required_labels, multiline_answers,
        html_only_two_column_table, html_only_definition_list, non_ascii_names_utf8, html_entities_gravity,
        forwarded_inline_gmail, forwarded_attached_outlook, missing_email_field, missing_email_placeholder,
        invalid_email_words, invalid_email_no_domain, subject_case_and_auto_submitted, support_request_subject,
        older_label_aliases, html_paragraphs_plain_without_answers, windows_1252_apostrophes,
    ):
        make()


if __name__ == "__main__":
    main()
