"""Write the automatic-mail messages of the mail corpus (NAME.eml and NAME.toml) into this folder.

Out-of-office and vacation replies, helpdesk acknowledgements, mailing lists
and newsletters. Run it with the project's Python:
``python tests/corpus/automatic/make_automatic.py``. The .eml files here are
its output, so change this script and run it again rather than editing them
by hand. Every person, school, host and address is invented and every domain
ends in .example.
"""

from __future__ import annotations

import base64
import json
import quopri
from pathlib import Path

HERE = Path(__file__).parent

BOT = "pst@star-tsa.example"
BOT_NAME = "STAR Teaching School Alliance"

# The bot's emails that these messages reply to: (Message-ID, subject), as tests/corpus/README.md lists them.
E101 = ("<PST-2026-0101.e101e101e101e101e101@star-tsa.example>", "[PST-2026-0101] Please endorse a PST visit request for Oakfield Primary School")
A101 = ("<PST-2026-0101.a101a101a101a101a101@star-tsa.example>", "[PST-2026-0101] We have received your request for a PST visit")
C102 = ("<PST-2026-0102.c102c102c102c102c102@star-tsa.example>", "[PST-2026-0102] Please consent to a PST visit to Priya Anand")
B102 = ("<PST-2026-0102.b102b102b102b102b102@star-tsa.example>", "[PST-2026-0102] A request to visit you is on its way")
D103 = ("<PST-2026-0103.d103d103d103d103d103@star-tsa.example>", "[PST-2026-0103] Session plan needed by 14/01/2027 for the visit on 18/01/2027")
A103 = ("<PST-2026-0103.a103a103a103a103a103@star-tsa.example>", "[PST-2026-0103] Visit confirmed for 18/01/2027")
F104 = ("<PST-2026-0104.f104f104f104f104f104@star-tsa.example>", "[PST-2026-0104] How was your visit to Tom Reid on 07/01/2027?")


# ---------------------------------------------------------------------------
# Building blocks


def qp(text: str) -> str:
    return quopri.encodestring(text.encode("utf-8")).decode("ascii")


def b64(text: str) -> str:
    return base64.encodebytes(text.encode("utf-8")).decode("ascii")


def toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value, ensure_ascii=False)


def write(name: str, raw: str, *, crlf: bool, about: str, client: str, case: str) -> None:
    """Write NAME.eml with the chosen line ends and NAME.toml: automatic, processed under ``case`` or else attention."""
    text = raw.replace("\r\n", "\n")
    if not text.endswith("\n"):
        text += "\n"
    if crlf:
        text = text.replace("\n", "\r\n")
    (HERE / f"{name}.eml").write_bytes(text.encode("utf-8"))

    expectation = {
        "about": about,
        "client": client,
        "outcome": "processed" if case else "attention",
        "case": case,
        "intent": "",
        "automatic": True,
        "bounced": "",
        "attachments": [],
        "opens_case": False,
    }
    lines = [f"{key} = {toml_value(value)}" for key, value in expectation.items()]
    (HERE / f"{name}.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")


def delivered(
    return_path: str, helo: str, address: str, queue_id: str, date: str, domain: str, *, mailfrom: str | None = None, signer: str | None = None
) -> str:
    """Return the lines the alliance's inbound host adds: Return-Path, Delivered-To, Received, Authentication-Results.

    ``domain`` is the From domain; ``mailfrom`` and ``signer`` default to it
    and differ for list and newsletter senders.
    """
    spf = f"spf=pass (helo) smtp.helo={helo}" if return_path == "<>" else f"spf=pass smtp.mailfrom={mailfrom or domain}"
    return (
        f"Return-Path: {return_path}\n"
        "Delivered-To: pst@star-tsa.example\n"
        f"Received: from {helo} ({helo} [{address}])\n"
        f"\tby mx.star-tsa.example (Postfix) with ESMTPS id {queue_id}\n"
        f"\tfor <pst@star-tsa.example>; {date}\n"
        "Authentication-Results: mx.star-tsa.example;\n"
        f"\t{spf};\n"
        f"\tdkim=pass header.d={signer or domain};\n"
        f"\tdmarc=pass header.from={domain}\n"
    )


def outlook_html(paragraphs: list[str], lang: str = "en-GB") -> str:
    """Return the HTML that Exchange writes for an automatic reply typed in Outlook."""
    body = "".join(
        '<div style="font-family: Aptos, Aptos_EmbeddedFont, Aptos_MSFontService, Calibri, Helvetica, sans-serif; '
        f'font-size: 12pt; color: rgb(0, 0, 0);">\n{paragraph}</div>\n'
        for paragraph in paragraphs
    )
    return (
        "<html>\n<head>\n"
        '<meta http-equiv="Content-Type" content="text/html; charset=utf-8">\n'
        '<style type="text/css" style="display:none;"> P {margin-top:0;margin-bottom:0;} </style>\n'
        f'</head>\n<body dir="ltr" lang="{lang}">\n{body}</body>\n</html>\n'
    )


def exchange_alternative(boundary: str, text: str, html: str) -> str:
    """Return the multipart/alternative body of an Exchange automatic reply, both parts quoted-printable."""
    return (
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(text)}\n"
        f"--{boundary}\n"
        'Content-Type: text/html; charset="utf-8"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html)}\n"
        f"--{boundary}--\n"
    )


def m365_received(host: str, date: str) -> str:
    return (
        f"Received: from {host} (2603:10a6:600:2a1::9) by\n"
        f" {host} with Microsoft SMTP Server\n"
        " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id 15.20.8293.22;\n"
        f" {date}\n"
    )


# ---------------------------------------------------------------------------
# Microsoft 365 (Oakfield Primary School)

OAKFIELD_HOST = "LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE"


def oakfield_oof(
    *, sender: str, subject_prefix: str, answered: tuple[str, str] | None, message_id: str, thread_index: str, date: str,
    queue_id: str, auto_submitted: str, language: str, body: str, to: str = f"{BOT_NAME} <{BOT}>", html_only: bool = False,
    subject: str | None = None,
) -> str:
    """Return an automatic reply from Oakfield's Microsoft 365 tenant; ``answered`` None drops the threading headers."""
    boundary = f"_000_{message_id.split('@')[0].strip('<')}_"
    topic = subject if subject is not None else answered[1]
    threading = f"References: {answered[0]}\nIn-Reply-To: {answered[0]}\n" if answered else ""
    parent = f"X-MS-Exchange-Parent-Message-Id: {answered[0]}\n" if answered else ""
    paragraphs = body.strip().split("\n\n")
    html = outlook_html([paragraph.replace("\n", "<br>\n") for paragraph in paragraphs], language)
    if html_only:
        content = 'Content-Type: text/html; charset="utf-8"\nContent-Transfer-Encoding: base64\n'
        payload = b64(html)
    else:
        content = f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\n'
        payload = exchange_alternative(boundary, body, html)
    return (
        delivered("<>", "LO2P265CU004.outbound.protection.outlook.example", "192.0.2.141", queue_id, date, "oakfield-primary.example")
        + m365_received(OAKFIELD_HOST, date)
        + f"From: {sender}\n"
        f"To: {to}\n"
        f"Subject: {subject_prefix} {topic}\n"
        f"Thread-Topic: {topic}\n"
        f"Thread-Index: {thread_index}\n"
        f"Date: {date}\n"
        f"Message-ID: {message_id}\n"
        + threading
        + f"Accept-Language: {language}, en-US\n"
        f"Content-Language: {language}\n"
        "X-MS-Has-Attach:\n"
        "X-MS-Exchange-Organization-SCL: -1\n"
        "X-MS-TNEF-Correlator:\n"
        + parent
        + f"Auto-Submitted: {auto_submitted}\n"
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n"
        "X-Auto-Response-Suppress: All\n"
        + content
        + "MIME-Version: 1.0\n\n"
        + payload
    )


def oof_head_oakfield() -> None:
    body = (
        "Thank you for your email. I am out of school on the Year 6 residential trip until\n"
        "Tuesday 15 December and will have limited access to email.\n\n"
        "For anything urgent, please contact Mr Paul Okoro, Deputy Headteacher, on\n"
        "deputy@oakfield-primary.example or ring the school office on 01632 960412.\n\n"
        "Helen Ward\nHeadteacher, Oakfield Primary School"
    )
    raw = oakfield_oof(
        sender="Helen Ward <head@oakfield-primary.example>", subject_prefix="Automatic reply:", answered=E101,
        message_id="<LO4P265MB61231C7A0E4B2D9F8A6E3B1FC4D12@LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE>",
        thread_index="AQHbTGbA2kq7X0Lp3Eu9Qm8fYt4RzA==", date="Sat, 12 Dec 2026 10:00:04 +0000", queue_id="4GQ2Y1aB2cz3x01",
        auto_submitted="auto-replied", language="en-GB", body=body,
    )
    write(
        "exchange-oof-endorsement-head", raw, crlf=True,
        about="Microsoft 365 'Automatic reply:' from the Oakfield headteacher to the endorsement request, threaded, with Auto-Submitted and X-Auto-Response-Suppress.",
        client="exchange", case="PST-2026-0101",
    )


def oof_head_oakfield_body_yes() -> None:
    body = (
        "Yes, your email has arrived safely - thank you.\n\n"
        "I am away from school on a headteachers' conference until Monday 14 December.\n"
        "I will read and answer my email when I return.\n\n"
        "Helen Ward\nHeadteacher"
    )
    raw = oakfield_oof(
        sender="Helen Ward <head@oakfield-primary.example>", subject_prefix="Automatic reply:", answered=E101,
        message_id="<LO4P265MB6123F0A91D2C3B4E5F6A7B8C9D0E1@LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE>",
        thread_index="AQHbTGbB8sWm4Yq1Tn6Hv0cXe2LoPg==", date="Sat, 12 Dec 2026 10:00:05 +0000", queue_id="4GQ2Y1dE4fz3x02",
        auto_submitted="auto-generated", language="en-GB", body=body, to="pst+e101e101e101e101e101@star-tsa.example",
    )
    write(
        "exchange-oof-body-says-yes", raw, crlf=False,
        about="Out-of-office from the headteacher the endorsement waits for, threaded and sent to her reply token, whose text opens with 'Yes': it must not endorse.",
        client="exchange", case="PST-2026-0101",
    )


def oof_french_requester() -> None:
    body = (
        "Bonjour,\n\n"
        "Je suis absente jusqu’au lundi 14 décembre et je n’aurai pas accès à ma\n"
        "messagerie. Je vous répondrai dès mon retour.\n\n"
        "Pour toute question urgente, veuillez contacter le secrétariat de l’école :\n"
        "office@oakfield-primary.example.\n\n"
        "Cordialement,\n"
        "Sam Patel\n"
        "Responsable des langues vivantes, Oakfield Primary School"
    )
    raw = oakfield_oof(
        sender="Sam Patel <s.patel@oakfield-primary.example>", subject_prefix="Réponse automatique :", answered=A101,
        message_id="<LO4P265MB6123A4B5C6D7E8F90A1B2C3D4E5F6@LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE>",
        thread_index="AQHbTGbCq3Nf9Lr5Xw2Jd7Ua0Hs8Kg==", date="Sat, 12 Dec 2026 10:00:06 +0000", queue_id="4GQ2Y1gH6iz3x03",
        auto_submitted="auto-replied", language="fr-FR", body=body,
    )
    write(
        "exchange-oof-french", raw, crlf=True,
        about="Microsoft 365 automatic reply in French ('Réponse automatique :') from the requester to her acknowledgement, threaded, with accented text in quoted-printable.",
        client="exchange", case="PST-2026-0101",
    )


def oof_forwarded_to_deputy() -> None:
    body = (
        "Thank you for your message. I am covering the headteacher's email while she is\n"
        "away and am out of the office myself today. I will pick this up on Monday.\n\n"
        "Paul Okoro\nDeputy Headteacher, Oakfield Primary School"
    )
    raw = oakfield_oof(
        sender="Paul Okoro <deputy@oakfield-primary.example>", subject_prefix="Automatic reply:", answered=E101,
        message_id="<LO4P265MB61239B8A7C6D5E4F3A2B1C0D9E8F7@LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE>",
        thread_index="AQHbTGbD5xPq0Zs8Ab3Kc6Ve1Wn9Mh==", date="Sat, 12 Dec 2026 10:00:09 +0000", queue_id="4GQ2Y1jK8lz3x04",
        auto_submitted="auto-replied", language="en-GB", body=body,
    )
    write(
        "exchange-oof-forwarded-deputy", raw, crlf=True,
        about="Automatic reply from the deputy head, who was never emailed, to the endorsement request forwarded to him: the threading still names the case.",
        client="exchange", case="PST-2026-0101",
    )


def oof_subject_only_html() -> None:
    body = (
        "Thank you for your email.\n\n"
        "I am currently out of school and will respond on my return on Monday 14 December.\n\n"
        "Sam Patel"
    )
    raw = oakfield_oof(
        sender="Sam Patel <s.patel@oakfield-primary.example>", subject_prefix="Automatic reply:", answered=None,
        message_id="<LO4P265MB61232E3F4A5B6C7D8E9F0A1B2C3D4@LO4P265MB6123.GBRP265.PROD.OUTLOOK.EXAMPLE>",
        thread_index="AQHbTGbE7yRr1At9Bc4Ld7Wf2Xo0Ni==", date="Sat, 12 Dec 2026 10:00:11 +0000", queue_id="4GQ2Y1mN0oz3x05",
        auto_submitted="auto-replied", language="en-GB", body=body, html_only=True, subject=A101[1],
    )
    write(
        "exchange-oof-subject-reference-only", raw, crlf=False,
        about="HTML-only base64 automatic reply with no In-Reply-To or References, naming the case only by the reference in its subject.",
        client="exchange", case="PST-2026-0101",
    )


def oof_welsh_stranger() -> None:
    body = (
        "Diolch am eich neges. Rydw i allan o'r swyddfa tan ddydd Llun 11 Ionawr.\n\n"
        "Thank you for your message. I am out of the office until Monday 11 January.\n\n"
        "Gwenllian Pryce\nPennaeth / Headteacher, Ysgol Glan Afon"
    )
    paragraphs = body.split("\n\n")
    html = outlook_html([paragraph.replace("\n", "<br>\n") for paragraph in paragraphs], "cy-GB")
    boundary = "_000_CWXP265MB40117E2D9C8B7A6F5E4D3C2B1A0F9CWXP265MB4011GBRP_"
    raw = (
        delivered("<>", "CWXP265CU001.outbound.protection.outlook.example", "192.0.2.147", "4GRv9qR1sTz3x06", "Thu, 07 Jan 2027 16:22:41 +0000", "ysgol-glan-afon.example")
        + m365_received("CWXP265MB4011.GBRP265.PROD.OUTLOOK.EXAMPLE", "Thu, 07 Jan 2027 16:22:40 +0000")
        + "From: Gwenllian Pryce <pennaeth@ysgol-glan-afon.example>\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        "Subject: Ateb awtomatig: Your Peer Support Teacher designation for spring 2027\n"
        "Thread-Topic: Your Peer Support Teacher designation for spring 2027\n"
        "Thread-Index: AQHbYU1xPw8Rt2Kj5Lm0Nb3Vc6Xz9g==\n"
        "Date: Thu, 07 Jan 2027 16:22:40 +0000\n"
        "Message-ID: <CWXP265MB40117E2D9C8B7A6F5E4D3C2B1A0F9@CWXP265MB4011.GBRP265.PROD.OUTLOOK.EXAMPLE>\n"
        "References: <mailbot.51e7a0c3d2b4f6e8a9c1@star-tsa.example>\n"
        "In-Reply-To: <mailbot.51e7a0c3d2b4f6e8a9c1@star-tsa.example>\n"
        "Accept-Language: cy-GB, en-GB\n"
        "Content-Language: cy-GB\n"
        "X-MS-Has-Attach:\n"
        "X-MS-TNEF-Correlator:\n"
        "X-MS-Exchange-Parent-Message-Id: <mailbot.51e7a0c3d2b4f6e8a9c1@star-tsa.example>\n"
        "Auto-Submitted: auto-generated\n"
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n"
        "X-Auto-Response-Suppress: All\n"
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\n'
        "MIME-Version: 1.0\n\n"
        + exchange_alternative(boundary, body, html)
    )
    write(
        "exchange-oof-welsh-no-case", raw, crlf=True,
        about="Welsh 'Ateb awtomatig:' from a headteacher outside the world, threaded to a bot email about no case, so it needs attention.",
        client="exchange", case="",
    )


def oof_spanish_backscatter() -> None:
    body = (
        "Gracias por su mensaje. Estaré fuera de la oficina hasta el lunes 18 de enero,\n"
        "sin acceso al correo electrónico.\n\n"
        "Para asuntos urgentes, escriba a secretaria@colegio-sanmarcos.example.\n\n"
        "Un saludo,\nMarta Ruiz\nAdministración, Colegio San Marcos"
    )
    paragraphs = body.split("\n\n")
    html = outlook_html([paragraph.replace("\n", "<br>\n") for paragraph in paragraphs], "es-ES")
    boundary = "_000_AM9PR04MB8123D4C3B2A19F8E7D6C5B4A3F2E1AM9PR04MB8123eurp_"
    raw = (
        delivered("<>", "EUR05-AM6-obe.outbound.protection.outlook.example", "192.0.2.150", "4GSbV3wX4yz3x07", "Sun, 10 Jan 2027 22:31:09 +0000", "colegio-sanmarcos.example")
        + m365_received("AM9PR04MB8123.eurprd04.prod.outlook.example", "Sun, 10 Jan 2027 22:31:08 +0000")
        + "From: Marta Ruiz <m.ruiz@colegio-sanmarcos.example>\n"
        f"To: Accounts Dept <{BOT}>\n"
        "Subject: Respuesta automática: Overdue invoice INV-20931 - payment required today\n"
        "Thread-Topic: Overdue invoice INV-20931 - payment required today\n"
        "Thread-Index: AQHbY6v5lT3kR8Jq2Mn7Ws0Xe4Yz1A==\n"
        "Date: Sun, 10 Jan 2027 22:31:08 +0000\n"
        "Message-ID: <AM9PR04MB8123D4C3B2A19F8E7D6C5B4A3F2E1@AM9PR04MB8123.eurprd04.prod.outlook.example>\n"
        "References: <3a7c90e1f25b4d68@cheap-hosting-vps.example>\n"
        "In-Reply-To: <3a7c90e1f25b4d68@cheap-hosting-vps.example>\n"
        "Accept-Language: es-ES, en-US\n"
        "Content-Language: es-ES\n"
        "X-MS-Has-Attach:\n"
        "X-MS-TNEF-Correlator:\n"
        "Auto-Submitted: auto-replied\n"
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n"
        "X-Auto-Response-Suppress: All\n"
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\n'
        "MIME-Version: 1.0\n\n"
        + exchange_alternative(boundary, body, html)
    )
    write(
        "exchange-oof-spanish-backscatter", raw, crlf=True,
        about="Spanish 'Respuesta automática:' answering spam that forged the bot's address: no case in its threading or subject, so it needs attention.",
        client="exchange", case="",
    )


def oof_dutch_unknown_case() -> None:
    body = (
        "Beste afzender,\n\n"
        "Ik ben afwezig tot en met vrijdag 15 januari. Uw bericht wordt niet\n"
        "doorgestuurd. Voor dringende zaken kunt u contact opnemen met\n"
        "info@de-linde-school.example.\n\n"
        "Met vriendelijke groet,\nJoost de Vries"
    )
    paragraphs = body.split("\n\n")
    html = outlook_html([paragraph.replace("\n", "<br>\n") for paragraph in paragraphs], "nl-NL")
    boundary = "_000_AS8PR07MB7345A1B2C3D4E5F60718293A4B5C6AS8PR07MB7345eurp_"
    raw = (
        delivered("<>", "EUR03-DBA-obe.outbound.protection.outlook.example", "192.0.2.152", "4GSc0yZ5aBz3x08", "Mon, 11 Jan 2027 07:58:30 +0000", "de-linde-school.example")
        + m365_received("AS8PR07MB7345.eurprd07.prod.outlook.example", "Mon, 11 Jan 2027 07:58:29 +0000")
        + "From: Joost de Vries <j.devries@de-linde-school.example>\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        "Subject: Automatisch antwoord: [PST-2025-0088] Visit confirmed for 20/11/2025\n"
        "Thread-Topic: [PST-2025-0088] Visit confirmed for 20/11/2025\n"
        "Thread-Index: AQHbZB7cEr0Yt6Wq1Pn4Ls9Kd2Xv3B==\n"
        "Date: Mon, 11 Jan 2027 07:58:29 +0000\n"
        "Message-ID: <AS8PR07MB7345A1B2C3D4E5F60718293A4B5C6@AS8PR07MB7345.eurprd07.prod.outlook.example>\n"
        "References: <PST-2025-0088.9c889c889c889c889c88@star-tsa.example>\n"
        "In-Reply-To: <PST-2025-0088.9c889c889c889c889c88@star-tsa.example>\n"
        "Accept-Language: nl-NL, en-US\n"
        "Content-Language: nl-NL\n"
        "X-MS-Has-Attach:\n"
        "X-MS-TNEF-Correlator:\n"
        "Auto-Submitted: auto-replied\n"
        "X-MS-Exchange-Generated-Message-Source: Mailbox Rules Agent\n"
        "X-Auto-Response-Suppress: All\n"
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\n'
        "MIME-Version: 1.0\n\n"
        + exchange_alternative(boundary, body, html)
    )
    write(
        "exchange-oof-dutch-unknown-case", raw, crlf=False,
        about="Dutch 'Automatisch antwoord:' naming case PST-2025-0088, which does not exist, in its subject and threading, so it needs attention with no case.",
        client="exchange", case="",
    )


# ---------------------------------------------------------------------------
# Exchange Server 2016 on premises (Willowbank Primary School)


def willowbank_oof(*, subject_prefix: str, message_id: str, thread_index: str, date: str, queue_id: str, language: str, body: str, in_reply_to: bool) -> str:
    boundary = f"_000_{message_id.split('@')[0].strip('<')}_"
    paragraphs = body.strip().split("\n\n")
    html = outlook_html([paragraph.replace("\n", "<br>\n") for paragraph in paragraphs], language)
    threading = f"References: {D103[0]}\n" + (f"In-Reply-To: {D103[0]}\n" if in_reply_to else "")
    return (
        delivered("<>", "mail.willowbank-primary.example", "203.0.113.77", queue_id, date, "willowbank-primary.example")
        + "Received: from WBPS-EX01.willowbank-primary.example (10.10.1.5) by\n"
        " mail.willowbank-primary.example (10.10.1.4) with Microsoft SMTP Server\n"
        " (version=TLS1_2, cipher=TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384) id\n"
        f" 15.1.2507.39; {date}\n"
        "From: Tom Reid <t.reid@willowbank-primary.example>\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        f"Subject: {subject_prefix} {D103[1]}\n"
        f"Thread-Topic: {D103[1]}\n"
        f"Thread-Index: {thread_index}\n"
        f"Date: {date}\n"
        f"Message-ID: {message_id}\n"
        + threading
        + f"Content-Language: {language}\n"
        "X-MS-Has-Attach:\n"
        "X-MS-Exchange-Organization-SCL: -1\n"
        "X-MS-TNEF-Correlator:\n"
        "X-MS-Exchange-Organization-AuthAs: Internal\n"
        "Auto-Submitted: auto-generated\n"
        "X-Auto-Response-Suppress: All\n"
        f'Content-Type: multipart/alternative;\n\tboundary="{boundary}"\n'
        "MIME-Version: 1.0\n\n"
        + exchange_alternative(boundary, body, html)
    )


def oof_german_pst() -> None:
    body = (
        "Vielen Dank für Ihre Nachricht.\n\n"
        "Ich bin bis einschließlich Dienstag, 15. Dezember, nicht im Büro und habe nur\n"
        "eingeschränkten Zugriff auf meine E-Mails. Ihre Nachricht wird nicht\n"
        "weitergeleitet.\n\n"
        "Mit freundlichen Grüßen\nTom Reid"
    )
    raw = willowbank_oof(
        subject_prefix="Automatische Antwort:",
        message_id="<7c3e9a1d5b2f4e08a6c1d9b3e7f2a5c4@WBPS-EX01.willowbank-primary.example>",
        thread_index="AQHbTGbF0zSs2Bu0Cd5Me8Xg3Yp1Oj==", date="Sat, 12 Dec 2026 10:00:07 +0000", queue_id="4GQ2Y1pQ2rz3x09",
        language="de-DE", body=body, in_reply_to=True,
    )
    write(
        "exchange-oof-german", raw, crlf=True,
        about="Exchange Server 2016 'Automatische Antwort:' in German from the PST to the session plan request, threaded.",
        client="exchange", case="PST-2026-0103",
    )


def oof_references_only() -> None:
    body = (
        "Thank you for your email. I am away on a training course until Tuesday\n"
        "15 December. I will reply to your message when I am back.\n\n"
        "Tom Reid\nPeer Support Teacher, Willowbank Primary School"
    )
    raw = willowbank_oof(
        subject_prefix="Automatic reply:",
        message_id="<0e8d2b6f4a1c47d9b3e5f7a9c1d3e5f7@WBPS-EX01.willowbank-primary.example>",
        thread_index="AQHbTGbG3aTt4Cv2De6Nf9Yh4Zq2Pk==", date="Sat, 12 Dec 2026 10:00:08 +0000", queue_id="4GQ2Y1sT4uz3x10",
        language="en-GB", body=body, in_reply_to=False,
    )
    write(
        "exchange-oof-references-only", raw, crlf=False,
        about="Exchange Server automatic reply whose only threading header is References, naming the session plan request to the PST.",
        client="exchange", case="PST-2026-0103",
    )


# ---------------------------------------------------------------------------
# Google Workspace (Northgate High School)


def gmail_vacation(*, sender: str, subject: str, answered: tuple[str, str], message_id: str, date: str, queue_id: str, body: str, boundary: str) -> str:
    html_paragraphs = "".join(f"<div>{paragraph.replace(chr(10), '<br>')}</div><div><br></div>" for paragraph in body.strip().split("\n\n"))
    return (
        delivered("<>", "mail-sor-f73.google.example", "192.0.2.73", queue_id, date, "northgate-high.example")
        + "Received: by mail-sor-f73.google.example with SMTP id 38308e7fff4ca-30b1c2d3e4fso887766gs.0\n"
        f"        for <pst@star-tsa.example>; {date}\n"
        "MIME-Version: 1.0\n"
        f"From: {sender}\n"
        f"Date: {date}\n"
        f"Message-ID: {message_id}\n"
        f"Subject: {subject}\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        "Auto-Submitted: auto-replied\n"
        f"In-Reply-To: {answered[0]}\n"
        f"References: {answered[0]}\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{body.strip()}\n\n"
        f"--{boundary}\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        f'<div dir="ltr">{html_paragraphs}</div>\n\n'
        f"--{boundary}--\n"
    )


def vacation_gmail_pst() -> None:
    body = (
        "Hello,\n\n"
        "Thank you for your email. I am leading the Year 9 ski trip and will be back\n"
        "in school on Monday 14 December. I will reply then.\n\n"
        "Priya Anand\nMaths Department, Northgate High School"
    )
    raw = gmail_vacation(
        sender="Priya Anand <p.anand@northgate-high.example>", subject="Away until Monday 14 December", answered=B102,
        message_id="<CAH7nQy3vR8Lp2wKx0Tm5eJ9dFb4sGz6cUa1oYi7NhXq3WkPr@mail.gmail.example>",
        date="Sat, 12 Dec 2026 02:00:05 -0800", queue_id="4GQ2Y1vW6xz3x11", body=body, boundary="000000000000e4a1b2062a0f1c33",
    )
    write(
        "gmail-vacation-pst", raw, crlf=False,
        about="Gmail vacation responder from the PST with its own subject, threaded to the bot's notice, marked only by Auto-Submitted: auto-replied.",
        client="gmail-vacation", case="PST-2026-0102",
    )


def vacation_gmail_body_no() -> None:
    body = (
        "No one is reading this mailbox until Monday 14 December.\n\n"
        "If your email is about a pupil, please ring the school office on 01632 960877.\n\n"
        "Luke Barnes\nHeadteacher, Northgate High School"
    )
    raw = gmail_vacation(
        sender="Luke Barnes <head@northgate-high.example>", subject=f"Re: {C102[1]}", answered=C102,
        message_id="<CAJ2kTz8pQ4mX6vNb1Ry7hLc3Wf0eDs5Ga9uKo2iPnYt4ZqVm@mail.gmail.example>",
        date="Sat, 12 Dec 2026 02:00:06 -0800", queue_id="4GQ2Y1yZ8az3x12", body=body, boundary="000000000000f1b2c3062a0f1c44",
    )
    write(
        "gmail-vacation-body-says-no", raw, crlf=True,
        about="Gmail vacation reply from the host headteacher to the consent request, threaded with a 'Re:' subject, whose text opens with 'No': it must not refuse.",
        client="gmail-vacation", case="PST-2026-0102",
    )


def helpdesk_ack_case() -> None:
    boundary = "--==_mimepart_675aa1f3c2d9e_4b1f2a8c77123"
    text = (
        "##- Please type your reply above this line -##\n\n"
        "We have received your email\n\n"
        "Thank you for contacting Northgate High School. Your email has been logged\n"
        "as request #20931 and a member of the office team will respond within two\n"
        "school days.\n\n"
        "Your message:\n\n"
        "> Dear Mr Barnes,\n"
        ">\n"
        "> Fernhill Community School has asked for a visit from Priya Anand, a Peer\n"
        "> Support Teacher at Northgate High School.\n"
        ">\n"
        "> Please reply to this email with YES to consent to the visit, or NO to\n"
        "> refuse it.\n\n"
        "Northgate High School Office\n"
        "This is an automatic message. Please do not reply to it.\n"
    )
    html = (
        "<!DOCTYPE html>\n<html>\n<body style=\"font-family: Arial, sans-serif; font-size: 14px;\">\n"
        '<div style="color:#b5b5b5">##- Please type your reply above this line -##</div>\n'
        "<h2>We have received your email</h2>\n"
        "<p>Thank you for contacting Northgate High School. Your email has been logged as request "
        "<b>#20931</b> and a member of the office team will respond within two school days.</p>\n"
        "<p>Your message:</p>\n"
        '<blockquote style="border-left:2px solid #ccc;padding-left:8px;color:#555">'
        "Dear Mr Barnes,<br><br>Fernhill Community School has asked for a visit from Priya Anand, a Peer "
        "Support Teacher at Northgate High School.<br><br>Please reply to this email with YES to consent "
        "to the visit, or NO to refuse it.</blockquote>\n"
        "<p>Northgate High School Office<br>This is an automatic message. Please do not reply to it.</p>\n"
        "</body>\n</html>\n"
    )
    raw = (
        delivered("<bounces+20931@support.northgate-high.example>", "out3.helpdesk-mailer.example", "203.0.113.99", "4GQ2Y21b0cz3x13", "Sat, 12 Dec 2026 10:00:14 +0000", "northgate-high.example", mailfrom="support.northgate-high.example")
        + "Date: Sat, 12 Dec 2026 10:00:13 +0000\n"
        "From: Northgate High School Office <office@northgate-high.example>\n"
        "Reply-To: Northgate High School Office <support+id20931@support.northgate-high.example>\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        "Message-ID: <NG8Q2R5T4W_675aa1f3c1b7e_4b1f2a8c7711a_sprut@support.northgate-high.example>\n"
        f"In-Reply-To: {C102[0]}\n"
        f"References: {C102[0]}\n"
        f"Subject: [#20931] Request received: {C102[1]}\n"
        "Mime-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"; charset=UTF-8\n'
        "Content-Transfer-Encoding: 7bit\n"
        "X-Autoreply: yes\n"
        "X-Auto-Response-Suppress: All\n"
        "X-Helpdesk-Ticket-Id: 20931\n\n"
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=UTF-8\n"
        "Content-Transfer-Encoding: 7bit\n\n"
        f"{text}\n"
        f"--{boundary}\n"
        "Content-Type: text/html; charset=UTF-8\n"
        "Content-Transfer-Encoding: 7bit\n\n"
        f"{html}\n"
        f"--{boundary}--\n"
    )
    write(
        "helpdesk-ack-quotes-request", raw, crlf=False,
        about="School office helpdesk 'We have received your email' acknowledgement with X-Autoreply, threaded to the consent request and quoting its YES/NO line.",
        client="helpdesk-autoreply", case="PST-2026-0102",
    )


def vacation_gmail_backscatter() -> None:
    body = (
        "Hi,\n\n"
        "I'm on leave until Wednesday 13 January with no access to email. I'll reply\n"
        "when I'm back.\n\n"
        "Hannah"
    )
    raw = (
        delivered("<>", "mail-sor-f80.google.example", "192.0.2.80", "4GSbW5cD6ez3x14", "Sun, 10 Jan 2027 22:40:17 +0000", "ridgeway-learning.example")
        + "Received: by mail-sor-f80.google.example with SMTP id 38308e7fff4ca-30b1c2d3e4fso112244gs.0\n"
        "        for <pst@star-tsa.example>; Sun, 10 Jan 2027 14:40:17 -0800 (PST)\n"
        "MIME-Version: 1.0\n"
        "From: Hannah Cole <h.cole@ridgeway-learning.example>\n"
        "Date: Sun, 10 Jan 2027 14:40:17 -0800\n"
        "Message-ID: <CAB4mVq9Rt2Xs7Lp0Ke3Wd6Nf1Gy8Hu5Jo4iZa2TbQc9PlMv@mail.gmail.example>\n"
        "Subject: On leave\n"
        f"To: Accounts Dept <{BOT}>\n"
        "Auto-Submitted: auto-replied\n"
        "In-Reply-To: <61bd0f48e3a27c95@cheap-hosting-vps.example>\n"
        "References: <61bd0f48e3a27c95@cheap-hosting-vps.example>\n"
        'Content-Type: multipart/alternative; boundary="000000000000a7c8d9062a3b4d55"\n\n'
        "--000000000000a7c8d9062a3b4d55\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{body}\n\n"
        "--000000000000a7c8d9062a3b4d55\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        "<div dir=\"ltr\"><div>Hi,</div><div><br></div><div>I'm on leave until Wednesday 13 January with no access "
        "to email. I'll reply when I'm back.</div><div><br></div><div>Hannah</div></div>\n\n"
        "--000000000000a7c8d9062a3b4d55--\n"
    )
    write(
        "gmail-vacation-backscatter", raw, crlf=True,
        about="Gmail vacation reply from a stranger to spam that forged the bot's address, with no case anywhere, so it needs attention.",
        client="gmail-vacation", case="",
    )


# ---------------------------------------------------------------------------
# Castlegate Academy (Zimbra mailboxes, some staff using Outlook over IMAP)


def outlook_rule_no_headers() -> None:
    boundary = "----=_NextPart_000_0017_01DB4C6A.3F2E1D00"
    text = (
        "Hello,\n\n"
        "I am away from school until Monday 14 December and am not checking email.\n"
        "Please contact the school office on 01632 960233 if your message is urgent.\n\n"
        "Joy Okafor\n"
        "Year 4 Teacher, Castlegate Academy\n"
    )
    html = (
        '<html xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
        'xmlns:w="urn:schemas-microsoft-com:office:word" xmlns="http://www.w3.org/TR/REC-html40">'
        '<head><meta http-equiv=Content-Type content="text/html; charset=us-ascii">'
        '<meta name=Generator content="Microsoft Word 15 (filtered medium)">'
        "<style><!--\n/* Style Definitions */\np.MsoNormal, li.MsoNormal, div.MsoNormal\n"
        "\t{margin:0cm;\n\tfont-size:11.0pt;\n\tfont-family:\"Calibri\",sans-serif;}\n--></style></head>"
        '<body lang=EN-GB link="#0563C1" vlink="#954F72" style=\'word-wrap:break-word\'><div class=WordSection1>'
        "<p class=MsoNormal>Hello,<o:p></o:p></p><p class=MsoNormal><o:p>&nbsp;</o:p></p>"
        "<p class=MsoNormal>I am away from school until Monday 14 December and am not checking email. "
        "Please contact the school office on 01632 960233 if your message is urgent.<o:p></o:p></p>"
        "<p class=MsoNormal><o:p>&nbsp;</o:p></p><p class=MsoNormal>Joy Okafor<o:p></o:p></p>"
        "<p class=MsoNormal>Year 4 Teacher, Castlegate Academy<o:p></o:p></p></div></body></html>\n"
    )
    raw = (
        delivered("<j.okafor@castlegate-academy.example>", "mail.castlegate-academy.example", "203.0.113.60", "4GQ2Y24e2fz3x15", "Sat, 12 Dec 2026 10:02:31 +0000", "castlegate-academy.example")
        + "Received: from JOKAFOR-LT (unknown [10.20.4.117])\n"
        "\tby mail.castlegate-academy.example (Postfix) with ESMTPSA id 8B2C41A0F7\n"
        "\tfor <pst+f104f104f104f104f104@star-tsa.example>; Sat, 12 Dec 2026 10:02:30 +0000 (GMT)\n"
        + 'From: "Joy Okafor" <j.okafor@castlegate-academy.example>\n'
        "To: <pst+f104f104f104f104f104@star-tsa.example>\n"
        f"References: {F104[0]}\n"
        f"In-Reply-To: {F104[0]}\n"
        "Subject: Out of Office: back on Monday 14 December\n"
        "Date: Sat, 12 Dec 2026 10:02:29 -0000\n"
        "Message-ID: <001701db4c6a$3f2e1d00$bd8a5700$@castlegate-academy.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: multipart/alternative;\n"
        f'\tboundary="{boundary}"\n'
        "X-Mailer: Microsoft Outlook 16.0\n"
        "Thread-Index: AdtMaj8uHQBFIg5nRYyVq3hB2LpRzw==\n"
        "Content-Language: en-gb\n\n"
        "This is a multipart message in MIME format.\n\n"
        f"--{boundary}\n"
        'Content-Type: text/plain;\n\tcharset="us-ascii"\n'
        "Content-Transfer-Encoding: 7bit\n\n"
        f"{text}\n"
        f"--{boundary}\n"
        'Content-Type: text/html;\n\tcharset="us-ascii"\n'
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html)}\n"
        f"--{boundary}--\n"
    )
    write(
        "outlook-rule-out-of-office-no-headers", raw, crlf=True,
        about="Out-of-office sent by an Outlook desktop rule with no Auto-Submitted, X-Autoreply or Precedence, known only by its 'Out of Office:' subject.",
        client="outlook-desktop", case="PST-2026-0104",
    )


def zimbra_office_oof() -> None:
    body = (
        "The Castlegate Academy office is closed on Saturdays. Your email has been\n"
        "received and will be passed to the right member of staff on Monday.\n\n"
        "Castlegate Academy Office"
    )
    raw = (
        delivered("<office@castlegate-academy.example>", "mail.castlegate-academy.example", "203.0.113.60", "4GQ2Y27h4iz3x16", "Sat, 12 Dec 2026 10:00:15 +0000", "castlegate-academy.example")
        + "Date: Sat, 12 Dec 2026 10:00:14 +0000 (GMT)\n"
        "From: Castlegate Academy Office <office@castlegate-academy.example>\n"
        f"To: {BOT_NAME} <{BOT}>\n"
        "Message-ID: <1204733961.88211.1796983214512.JavaMail.zimbra@castlegate-academy.example>\n"
        f"In-Reply-To: {F104[0]}\n"
        f"References: {F104[0]}\n"
        "Subject: Castlegate Academy office - closed until Monday\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Auto-Submitted: auto-replied (zimbra; vacation)\n"
        "Precedence: bulk\n"
        "X-Mailer: Zimbra 10.0.9_GA_4641 (zclient/10.0.9_GA_4641)\n\n"
        f"{body}\n"
    )
    write(
        "zimbra-office-closed", raw, crlf=False,
        about="Zimbra vacation reply from the school office, to which the feedback request was forwarded, threaded and marked 'auto-replied (zimbra; vacation)'.",
        client="zimbra", case="PST-2026-0104",
    )


def icloud_vacation_forward() -> None:
    body = (
        "Thanks for your email. I'm away until Monday 14 December and will reply when\n"
        "I'm back.\n\n"
        "Joy"
    )
    raw = (
        delivered("<joy.okafor@icloud-mail.example>", "p-east3-cluster2-host5-snip4-10a.eps.icloud-mail.example", "192.0.2.160", "4GQ2Y2Ak6lz3x17", "Sat, 12 Dec 2026 10:03:02 +0000", "icloud-mail.example")
        + "Received: from outbound.mr.icloud-mail.example (mr85p00im-zteg06023801.me-mail.example [192.0.2.161])\n"
        "\tby p-east3-cluster2-host5-snip4-10a.eps.icloud-mail.example (Postfix) with ESMTPS id 2F7A3C00031;\n"
        "\tSat, 12 Dec 2026 10:03:01 +0000 (UTC)\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 7bit\n"
        "MIME-Version: 1.0\n"
        "From: Joy Okafor <joy.okafor@icloud-mail.example>\n"
        f"Subject: Re: {F104[1]}\n"
        "Date: Sat, 12 Dec 2026 10:03:01 +0000\n"
        f"In-Reply-To: {F104[0]}\n"
        f"References: {F104[0]}\n"
        f"To: {BOT}\n"
        "Message-ID: <5B2E8F47-1C9A-4D3E-A6B0-7F1C2D3E4A5B@icloud-mail.example>\n"
        "Auto-Submitted: auto-replied\n"
        "X-Autoreply: yes\n\n"
        f"{body}\n"
    )
    write(
        "icloud-vacation-forwarded", raw, crlf=False,
        about="iCloud Mail vacation reply from the visiting teacher's personal address, which her school mail forwards to, threaded to the feedback request.",
        client="icloud-mail", case="PST-2026-0104",
    )


# ---------------------------------------------------------------------------
# Fernhill Community School (cPanel hosting: Exim and Dovecot with Sieve)


def sieve_vacation() -> None:
    body = (
        "Hi,\n\n"
        "I'm off school with a broken wrist until Wednesday 16 December, so replies\n"
        "will be slow. For anything about Year 5, please email Mrs Grace Adeyemi at\n"
        "head@fernhill-community.example.\n\n"
        "Rory McAllister\n"
    )
    raw = (
        delivered("<>", "server12.fernhill-hosting.example", "203.0.113.40", "4GQ2Y2Dn8oz3x18", "Sat, 12 Dec 2026 10:00:12 +0000", "fernhill-community.example")
        + "Received: from server12.fernhill-hosting.example\n"
        "\tby server12.fernhill-hosting.example with LMTP\n"
        "\tid 0GpgGMyvWmdWbwAAz5yR8A\n"
        "\t(envelope-from <>); Sat, 12 Dec 2026 10:00:11 +0000\n"
        "Message-ID: <dovecot-sieve-1796983211-551205-0@server12.fernhill-hosting.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:11 +0000\n"
        "X-Sieve: Pigeonhole Sieve 0.5.21 (f6cd4b8e)\n"
        "From: Rory McAllister <r.mcallister@fernhill-community.example>\n"
        f"To: <{BOT}>\n"
        f"Subject: Auto: {A103[1]}\n"
        f"In-Reply-To: {A103[0]}\n"
        f"References: {A103[0]}\n"
        "Auto-Submitted: auto-replied (vacation)\n"
        "Precedence: bulk\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{body}"
    )
    write(
        "sieve-vacation-thunderbird", raw, crlf=False,
        about="Dovecot Pigeonhole Sieve vacation reply, set up from Thunderbird, with an 'Auto:' subject and 'Auto-Submitted: auto-replied (vacation)', threaded.",
        client="dovecot-sieve", case="PST-2026-0103",
    )


def cpanel_autoresponder_token_only() -> None:
    body = (
        "Thank you for emailing Fernhill Community School.\n\n"
        "The school office is closed at weekends. We will read your message when we\n"
        "are back on Monday morning.\n\n"
        "Fernhill Community School Office\n"
    )
    raw = (
        delivered("<office@fernhill-community.example>", "server12.fernhill-hosting.example", "203.0.113.40", "4GQ2Y2Gq0rz3x19", "Sat, 12 Dec 2026 10:00:13 +0000", "fernhill-community.example")
        + "Received: from mailnull by server12.fernhill-hosting.example with local (Exim 4.96.2)\n"
        "\tid 1tLm3Z-0007Yk-3t\n"
        "\tfor pst+a103a103a103a103a103@star-tsa.example;\n"
        "\tSat, 12 Dec 2026 10:00:12 +0000\n"
        "X-Autorespond: Thank you for emailing Fernhill Community School\n"
        "Precedence: auto_reply\n"
        "X-Precedence: auto_reply\n"
        "From: Fernhill Community School Office <office@fernhill-community.example>\n"
        "To: pst+a103a103a103a103a103@star-tsa.example\n"
        "Subject: Thank you for emailing Fernhill Community School\n"
        "Message-Id: <E1tLm3Z-0007Yk-3t@server12.fernhill-hosting.example>\n"
        "Date: Sat, 12 Dec 2026 10:00:12 +0000\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: 8bit\n\n"
        f"{body}"
    )
    write(
        "cpanel-autoresponder-reply-token", raw, crlf=True,
        about="cPanel autoresponder (X-Autorespond, Precedence: auto_reply) from the school office with no threading or reference: only its pst+TOKEN recipient names the case.",
        client="cpanel-autoresponder", case="PST-2026-0103",
    )


# ---------------------------------------------------------------------------
# Strangers: a helpdesk, mailing lists, newsletters and an old vacation program


def helpdesk_stranger() -> None:
    body = (
        "Dear customer,\n\n"
        "We have received your email and a ticket has been opened for you.\n\n"
        "Ticket number: BVT-48213\n"
        "Subject: Login for the visits spreadsheet\n\n"
        "Our IT team works 8am to 4pm, Monday to Friday. We aim to reply within one\n"
        "working day. Please keep the ticket number in the subject of any reply.\n\n"
        "Brookvale Trust IT Support\n"
    )
    raw = (
        delivered("<itsupport@brookvale-trust.example>", "desk.brookvale-trust.example", "203.0.113.131", "4GSc2dE3fGz3x20", "Mon, 11 Jan 2027 09:12:44 +0000", "brookvale-trust.example")
        + "Date: Mon, 11 Jan 2027 09:12:43 +0000\n"
        "From: Brookvale Trust IT Support <itsupport@brookvale-trust.example>\n"
        f"To: {BOT}\n"
        "Subject: [#BVT-48213] We have received your email\n"
        "Message-ID: <ticket-48213-ack-1799658763@desk.brookvale-trust.example>\n"
        "In-Reply-To: <0b1c2d3e4f5a6b7c8d9e@star-tsa.example>\n"
        "X-Autorespond: true\n"
        "X-Auto-Response-Suppress: OOF, AutoReply\n"
        "X-Mailer: osTicket Mailer\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        + qp(body)
    )
    write(
        "helpdesk-ack-no-case", raw, crlf=False,
        about="IT helpdesk acknowledgement with X-Autorespond for a message staff sent from the shared inbox about no case, so it needs attention.",
        client="helpdesk-autoreply", case="",
    )


def mailman_list() -> None:
    body = (
        "Dear colleagues,\n\n"
        "Moderation of Year 6 writing for the spring term will take place on\n"
        "Wednesday 3 February at Brookfield Juniors, 1.30pm to 4pm. Please bring\n"
        "three pieces from each of two pupils working at the expected standard.\n\n"
        "Kate Holloway\n"
        "Headteacher, Brookfield Juniors\n"
        "_______________________________________________\n"
        "Primary Heads mailing list -- primary-heads@lists.eastshire-schools.example\n"
        "To unsubscribe send an email to primary-heads-leave@lists.eastshire-schools.example\n"
    )
    raw = (
        delivered("<primary-heads-bounces@lists.eastshire-schools.example>", "lists.eastshire-schools.example", "203.0.113.150", "4GSc3gH4iJz3x21", "Mon, 11 Jan 2027 08:03:19 +0000", "lists.eastshire-schools.example")
        + "From: Kate Holloway via Primary Heads <primary-heads@lists.eastshire-schools.example>\n"
        "To: primary-heads@lists.eastshire-schools.example\n"
        "Subject: [Primary Heads] Year 6 writing moderation, spring term\n"
        "Date: Mon, 11 Jan 2027 08:03:12 +0000\n"
        "Message-ID: <a91f3c2e-77b4-4d10-9e8a-2b6c5d4f3e21@brookfield-juniors.example>\n"
        "Reply-To: Kate Holloway <k.holloway@brookfield-juniors.example>\n"
        "MIME-Version: 1.0\n"
        "Content-Type: text/plain; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: 7bit\n"
        "Message-ID-Hash: Q7KX3M2WZ5RPLT4NYV6B8DCHJG0AESF9\n"
        "X-Message-ID-Hash: Q7KX3M2WZ5RPLT4NYV6B8DCHJG0AESF9\n"
        "X-MailFrom: k.holloway@brookfield-juniors.example\n"
        "X-Mailman-Rule-Misses: dmarc-mitigation; no-senders; approved; emergency; loop; banned-address; member-moderation; nonmember-moderation; administrivia; implicit-dest; max-recipients; max-size; news-moderation; no-subject; digests; suspicious-header\n"
        "X-Mailman-Version: 3.3.9\n"
        "Precedence: list\n"
        "List-Id: \"Eastshire primary headteachers\" <primary-heads.lists.eastshire-schools.example>\n"
        "Archived-At: <https://lists.eastshire-schools.example/archives/list/primary-heads@lists.eastshire-schools.example/message/Q7KX3M2WZ5RPLT4NYV6B8DCHJG0AESF9/>\n"
        "List-Archive: <https://lists.eastshire-schools.example/archives/list/primary-heads@lists.eastshire-schools.example/>\n"
        "List-Help: <mailto:primary-heads-request@lists.eastshire-schools.example?subject=help>\n"
        "List-Owner: <mailto:primary-heads-owner@lists.eastshire-schools.example>\n"
        "List-Post: <mailto:primary-heads@lists.eastshire-schools.example>\n"
        "List-Subscribe: <mailto:primary-heads-join@lists.eastshire-schools.example>\n"
        "List-Unsubscribe: <mailto:primary-heads-leave@lists.eastshire-schools.example>\n\n"
        f"{body}"
    )
    write(
        "mailman-list-post", raw, crlf=True,
        about="Mailman 3 list post with List-Id, List-Unsubscribe and Precedence: list, to a list the shared inbox is subscribed to, about no case.",
        client="mailman", case="",
    )


def google_groups_list() -> None:
    boundary = "00000000000064a1f2062a4c5d66"
    body = (
        "Hi all,\n\n"
        "The CPD twilight on Thursday 21 January is moving to the Castlegate hall.\n"
        "Same time, 3.45pm.\n\n"
        "Dan\n"
    )
    raw = (
        delivered("<trust-cpd+bncBDX3Y7LQWMGBBH4Q2KGQMGQE@trust-groups.example>", "mail-sor-f90.google.example", "192.0.2.90", "4GSc4jK5lMz3x22", "Fri, 08 Jan 2027 15:41:06 +0000", "castlegate-academy.example", mailfrom="trust-groups.example")
        + "Received: by mail-sor-f90.google.example with SMTP id 6a1803df08f44-6d8f1e2a3b4sf998877qv.1\n"
        "        for <pst@star-tsa.example>; Fri, 08 Jan 2027 07:41:06 -0800 (PST)\n"
        "MIME-Version: 1.0\n"
        "From: Dan Price <d.price@castlegate-academy.example>\n"
        "Date: Fri, 8 Jan 2027 15:41:02 +0000\n"
        "Message-ID: <CAD9xWm4Tq7Rz2Ls8Kp0Ve5Nb3Hj6Gf1Yc4oUa9iXd2QsPn@mail.gmail.example>\n"
        "Subject: [trust-cpd] Twilight CPD on 21 January moves to Castlegate hall\n"
        "To: trust-cpd@trust-groups.example\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n'
        "X-Original-Sender: d.price@castlegate-academy.example\n"
        "Precedence: list\n"
        "Mailing-list: list trust-cpd@trust-groups.example; contact trust-cpd+owners@trust-groups.example\n"
        "List-ID: <trust-cpd.trust-groups.example>\n"
        "X-Google-Group-Id: 704115293358\n"
        "List-Post: <https://groups.trust-groups.example/a/trust-groups.example/group/trust-cpd/post>, <mailto:trust-cpd@trust-groups.example>\n"
        "List-Help: <https://support.trust-groups.example/a/trust-groups.example/bin/topic.py?topic=25838>, <mailto:trust-cpd+help@trust-groups.example>\n"
        "List-Archive: <https://groups.trust-groups.example/a/trust-groups.example/group/trust-cpd/>\n"
        "List-Unsubscribe: <mailto:googlegroups-manage+704115293358+unsubscribe@trust-groups.example>,\n"
        " <https://groups.trust-groups.example/a/trust-groups.example/group/trust-cpd/subscribe>\n\n"
        f"--{boundary}\n"
        'Content-Type: text/plain; charset="UTF-8"\n\n'
        f"{body}\n"
        "-- \n"
        "You received this message because you are subscribed to the Google Groups \"Trust CPD\" group.\n"
        "To unsubscribe from this group and stop receiving emails from it, send an email to trust-cpd+unsubscribe@trust-groups.example.\n\n"
        f"--{boundary}\n"
        'Content-Type: text/html; charset="UTF-8"\n\n'
        '<div dir="ltr"><div>Hi all,</div><div><br></div><div>The CPD twilight on Thursday 21 January is moving '
        "to the Castlegate hall. Same time, 3.45pm.</div><div><br></div><div>Dan</div></div>\n\n"
        "<p></p>\n\n-- <br />\nYou received this message because you are subscribed to the Google Groups "
        "&quot;Trust CPD&quot; group.<br />\n\n"
        f"--{boundary}--\n"
    )
    write(
        "google-groups-list-post", raw, crlf=False,
        about="Google Groups post with Mailing-list, List-ID and Precedence: list, sent to a trust group the shared inbox belongs to, about no case.",
        client="google-groups", case="",
    )


def newsletter_bulk() -> None:
    boundary = "=_a5f3c1e9b7d2_alt"
    text = (
        "EDUCATION EXTRA - January 2027\n\n"
        "Spring term CPD: book now\n"
        "Our spring programme for school business managers is open for booking.\n"
        "Read more: https://news.eastshire-education.example/r/8831/cpd\n\n"
        "Safeguarding update\n"
        "New guidance for visitors on school sites comes into force in March.\n\n"
        "You are receiving this because pst@star-tsa.example subscribed to Education Extra.\n"
        "Unsubscribe: https://news.eastshire-education.example/u/8831/c2FsdA\n"
    )
    html = (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>Education Extra - January 2027</title>\n</head>\n"
        '<body style="margin:0;padding:0;background:#f2f4f7;">\n'
        '<table role="presentation" width="100%" cellpadding="0" cellspacing="0"><tr><td align="center">\n'
        '<table role="presentation" width="600" style="background:#ffffff;font-family:Arial,sans-serif;">\n'
        '<tr><td style="padding:24px;background:#003b5c;color:#ffffff;font-size:24px;">Education Extra</td></tr>\n'
        '<tr><td style="padding:24px;"><h2>Spring term CPD: book now</h2>\n'
        "<p>Our spring programme for school business managers is open for booking.</p>\n"
        '<p><a href="https://news.eastshire-education.example/r/8831/cpd">Read more</a></p>\n'
        "<h2>Safeguarding update</h2>\n<p>New guidance for visitors on school sites comes into force in March.</p></td></tr>\n"
        '<tr><td style="padding:24px;font-size:12px;color:#666;">You are receiving this because pst@star-tsa.example subscribed to '
        'Education Extra. <a href="https://news.eastshire-education.example/u/8831/c2FsdA">Unsubscribe</a></td></tr>\n'
        "</table>\n</td></tr></table>\n"
        '<img src="https://news.eastshire-education.example/o/8831/c2FsdA.gif" width="1" height="1" alt="">\n'
        "</body>\n</html>\n"
    )
    raw = (
        delivered("<bounce-8831-c2FsdA@news.eastshire-education.example>", "mta7.news.eastshire-education.example", "203.0.113.171", "4GSc5mN6oPz3x23", "Mon, 11 Jan 2027 06:30:04 +0000", "news.eastshire-education.example")
        + "From: Eastshire Education Services <news@news.eastshire-education.example>\n"
        "To: pst@star-tsa.example\n"
        "Subject: Education Extra - January 2027: spring CPD and safeguarding update\n"
        "Date: Mon, 11 Jan 2027 06:30:01 +0000\n"
        "Message-ID: <8831.c2FsdA.20270111063001@news.eastshire-education.example>\n"
        "Precedence: bulk\n"
        "List-Unsubscribe: <https://news.eastshire-education.example/u/8831/c2FsdA>, <mailto:unsubscribe-8831-c2FsdA@news.eastshire-education.example>\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "Feedback-ID: 8831:newsletter:eastshire-education\n"
        "X-Campaign-ID: 8831\n"
        "MIME-Version: 1.0\n"
        f'Content-Type: multipart/alternative; boundary="{boundary}"\n\n'
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(text)}\n"
        f"--{boundary}\n"
        "Content-Type: text/html; charset=utf-8\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html)}\n"
        f"--{boundary}--\n"
    )
    write(
        "newsletter-precedence-bulk", raw, crlf=True,
        about="Local authority newsletter with Precedence: bulk and one-click List-Unsubscribe, sent to the shared inbox about no case.",
        client="newsletter", case="",
    )


def newsletter_list_headers_only() -> None:
    boundary = "_----------=_MCPart_1385520717"
    text = (
        "** Free webinar: making the most of peer support\n"
        "------------------------------------------------------------\n"
        "Join us on Tuesday 26 January at 4pm for a 45-minute webinar on running\n"
        "peer support visits across a school alliance.\n\n"
        "Register here: https://teachmeet-network.us1.list-manage.example/track/click?u=3fa1&id=9b2c\n\n"
        "============================================================\n"
        "Want to change how you receive these emails?\n"
        "You can update your preferences or unsubscribe from this list:\n"
        "https://teachmeet-network.us1.list-manage.example/unsubscribe?u=3fa1&id=7d4e&e=c0ffee\n"
    )
    html = (
        "<!doctype html>\n<html>\n<head>\n<meta charset=\"UTF-8\">\n<title>Free webinar: making the most of peer support</title>\n</head>\n"
        "<body>\n<center>\n<table id=\"bodyTable\" width=\"100%\"><tr><td id=\"bodyCell\">\n"
        "<h1>Free webinar: making the most of peer support</h1>\n"
        "<p>Join us on Tuesday 26 January at 4pm for a 45-minute webinar on running peer support visits across a school alliance.</p>\n"
        '<p><a href="https://teachmeet-network.us1.list-manage.example/track/click?u=3fa1&amp;id=9b2c">Register here</a></p>\n'
        '<p style="font-size:12px">Want to change how you receive these emails?<br>You can '
        '<a href="https://teachmeet-network.us1.list-manage.example/profile?u=3fa1&amp;id=7d4e">update your preferences</a> or '
        '<a href="https://teachmeet-network.us1.list-manage.example/unsubscribe?u=3fa1&amp;id=7d4e&amp;e=c0ffee">unsubscribe from this list</a>.</p>\n'
        "</td></tr></table>\n</center>\n</body>\n</html>\n"
    )
    raw = (
        delivered("<bounce-mc.us1_3fa1.9b2c-pst=star-tsa.example@mail172.atl11.mcsv.example>", "mail172.atl11.mcsv.example", "198.51.100.172", "4GSc6pQ7rSz3x24", "Mon, 11 Jan 2027 09:15:27 +0000", "teachmeet-network.example", mailfrom="mail172.atl11.mcsv.example")
        + "Subject: Free webinar: making the most of peer support\n"
        "From: TeachMeet Network <hello@teachmeet-network.example>\n"
        "Reply-To: TeachMeet Network <hello@teachmeet-network.example>\n"
        "To: <pst@star-tsa.example>\n"
        "Date: Mon, 11 Jan 2027 09:15:23 +0000\n"
        "Message-ID: <c0ffee1234567890abcdef.7d4e.9b2c@mail172.atl11.mcsv.example>\n"
        "X-Mailer: Mailchimp Mailer - **CID9b2c7d4e3fa1**\n"
        "X-Campaign: mailchimp3fa1.9b2c\n"
        "X-campaignid: mailchimp3fa1.9b2c\n"
        "X-Report-Abuse: Please report abuse for this campaign here: https://mailchimp.example/contact/abuse/?u=3fa1&id=9b2c&e=c0ffee\n"
        "X-MC-User: 3fa1\n"
        "Feedback-ID: 3fa1:3fa1.9b2c:us1:mc\n"
        "List-ID: 3fa1mc list <3fa1.7d4e.list-id.mcsv.example>\n"
        "X-Accounttype: pd\n"
        "List-Unsubscribe: <https://teachmeet-network.us1.list-manage.example/unsubscribe?u=3fa1&id=7d4e&e=c0ffee&c=9b2c>, <mailto:unsubscribe-mc.us1_3fa1.9b2c-c0ffee@unsubscribe.mailchimp.example?subject=unsubscribe>\n"
        "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
        "Content-Type: multipart/alternative; charset=\"UTF-8\";\n"
        f' boundary="{boundary}"\n'
        "MIME-Version: 1.0\n\n"
        "This is a multi-part message in MIME format\n\n"
        f"--{boundary}\n"
        "Content-Type: text/plain; charset=\"utf-8\"; format=\"fixed\"\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(text)}\n"
        f"--{boundary}\n"
        "Content-Type: text/html; charset=\"utf-8\"\n"
        "Content-Transfer-Encoding: quoted-printable\n\n"
        f"{qp(html)}\n"
        f"--{boundary}--\n"
    )
    write(
        "newsletter-list-headers-without-precedence", raw, crlf=False,
        about="Mailchimp newsletter marked only by List-ID and List-Unsubscribe, with no Precedence or Auto-Submitted header, about no case.",
        client="mailchimp", case="",
    )


def unix_vacation() -> None:
    raw = (
        delivered("<>", "shell.ridgeway-college.example", "203.0.113.190", "4GSc7sT8uVz3x25", "Sun, 10 Jan 2027 19:20:55 +0000", "ridgeway-college.example")
        + "Received: by shell.ridgeway-college.example (Postfix, from userid 1207)\n"
        "\tid 3E91F20A4C; Sun, 10 Jan 2027 19:20:54 +0000 (GMT)\n"
        f"To: {BOT}\n"
        "From: Alan Frost <a.frost@ridgeway-college.example>\n"
        "Subject: away from my mail\n"
        "Precedence: junk\n"
        "Message-Id: <20270110192054.3E91F20A4C@shell.ridgeway-college.example>\n"
        "Date: Sun, 10 Jan 2027 19:20:54 +0000 (GMT)\n\n"
        "I am on sabbatical until Easter and will read my mail only now and then.\n"
        "Your message about \"Spring term PST availability\" will be read when I return.\n\n"
        "-- Alan\n"
    )
    write(
        "unix-vacation-precedence-junk", raw, crlf=False,
        about="Classic Unix vacation(1) reply marked only by Precedence: junk, from a stranger and naming no case, so it needs attention.",
        client="unix-vacation", case="",
    )


WRITERS = (
    oof_head_oakfield,
    oof_head_oakfield_body_yes,
    oof_french_requester,
    oof_forwarded_to_deputy,
    oof_subject_only_html,
    oof_welsh_stranger,
    oof_spanish_backscatter,
    oof_dutch_unknown_case,
    oof_german_pst,
    oof_references_only,
    vacation_gmail_pst,
    vacation_gmail_body_no,
    helpdesk_ack_case,
    vacation_gmail_backscatter,
    outlook_rule_no_headers,
    zimbra_office_oof,
    icloud_vacation_forward,
    sieve_vacation,
    cpanel_autoresponder_token_only,
    helpdesk_stranger,
    mailman_list,
    google_groups_list,
    newsletter_bulk,
    newsletter_list_headers_only,
    unix_vacation,
)


if __name__ == "__main__":
    for writer in WRITERS:
        writer()
    print(f"wrote {len(WRITERS)} automatic messages to {HERE}")
