"""Write the extra/ corpus: reply shapes a reviewer found missing from the other folders.

Run with the project's Python: .venv/bin/python tests/corpus/extra/make_extra.py
Each message is written with CRLF line ends. Bodies are 7-bit, base64 or quoted-printable
(quoted-printable from the standard email package), so the file shows what a client sends.
"""

from __future__ import annotations

import base64
from email import quoprimime
from pathlib import Path

HERE = Path(__file__).parent
BOT = "STAR Teaching School Alliance <pst@star-tsa.example>"

ENDORSE_ID = "<PST-2026-0101.e101e101e101e101e101@star-tsa.example>"
ENDORSE_SUBJECT = "[PST-2026-0101] Please endorse a PST visit request for Oakfield Primary School"
CONSENT_ID = "<PST-2026-0102.c102c102c102c102c102@star-tsa.example>"
CONSENT_SUBJECT = "[PST-2026-0102] Please consent to a PST visit to Priya Anand"

ENDORSE_TEXT = """Dear Mrs Ward,

Sam Patel has asked STAR Teaching School Alliance to arrange a visit to a Peer Support Teacher (PST) for Oakfield Primary School. Before we look for a PST, we ask the headteacher to endorse each request.

Please reply to this email with YES to endorse the request, or NO if the school should not go ahead. A one-word reply at the top of your email is all we need.

Kind regards,
STAR Teaching School Alliance"""

CONSENT_TEXT = """Dear Mr Barnes,

STAR Teaching School Alliance would like to arrange a visit to Priya Anand, one of your school's Peer Support Teachers (PSTs), by a teacher from Fernhill Community School.

Please reply to this email with YES to consent to the visit, or NO if it cannot go ahead. A one-word reply at the top of your email is all we need.

Kind regards,
STAR Teaching School Alliance"""

HELEN = "Helen Ward <head@oakfield-primary.example>"
LUKE = "Luke Barnes <head@northgate-high.example>"


def received(sender_domain: str, day: str) -> str:
    return (
        "Return-Path: <{sender}>\n"
        "Delivered-To: pst@star-tsa.example\n"
        "Received: from mail.{domain} (mail.{domain} [192.0.2.25])\n"
        "\tby mx.star-tsa.example (Postfix) with ESMTPS id 7F1A2B3C4D\n"
        "\tfor <pst@star-tsa.example>; {day}\n"
    ).format(sender=f"head@{sender_domain}", domain=sender_domain, day=day)


def auth_pass(domain: str) -> str:
    return (
        "Authentication-Results: mx.star-tsa.example;\n"
        f"\tdkim=pass header.d={domain};\n"
        f"\tspf=pass smtp.mailfrom=head@{domain};\n"
        f"\tdmarc=pass header.from={domain}\n"
    )


def qp(text: str) -> str:
    return quoprimime.body_encode(text.replace("\n", "\r\n").replace("\r\n", "\n"), maxlinelen=76)


def quote_gt(text: str) -> str:
    return "\n".join(("> " + line) if line else ">" for line in text.split("\n"))


def outlook_block(subject: str, to: str, labels=("From", "Sent", "To", "Subject"), sent="Saturday, 12 December 2026 10:00") -> str:
    return (
        f"{labels[0]}: {BOT}\n{labels[1]}: {sent}\n{labels[2]}: {to}\n{labels[3]}: {subject}\n"
    )


def write(name: str, raw: str, about: str, client: str, outcome: str, case: str, intent: str,
          automatic: bool = False, opens_case: bool = False) -> None:
    (HERE / f"{name}.eml").write_bytes(raw.replace("\n", "\r\n").encode("utf-8"))
    toml = (
        f'about = "{about}"\n'
        f'client = "{client}"\n'
        f'outcome = "{outcome}"\n'
        f'case = "{case}"\n'
        f'intent = "{intent}"\n'
        f"automatic = {'true' if automatic else 'false'}\n"
        'bounced = ""\n'
        "attachments = []\n"
        f"opens_case = {'true' if opens_case else 'false'}\n"
    )
    (HERE / f"{name}.toml").write_text(toml, encoding="utf-8")


def outlook_desktop_reply(name, sender, domain, in_reply_to, subject, to, answer, quoted, about, intent, case,
                          extra_headers="", labels=("From", "Sent", "To", "Subject"), sent="Saturday, 12 December 2026 10:00",
                          subject_prefix="RE: ", auth=True):
    text = answer + "\n\n" + outlook_block(subject, to, labels, sent) + "\n" + quoted + "\n"
    raw = (
        received(domain, "Mon, 11 Jan 2027 08:41:25 +0000")
        + (auth_pass(domain) if auth else "")
        + f"From: {sender}\nTo: {BOT}\n"
        + f"References: {in_reply_to}\nIn-Reply-To: {in_reply_to}\n"
        + f"Subject: {subject_prefix}{subject}\n"
        + "Date: Mon, 11 Jan 2027 08:41:22 -0000\n"
        + f"Message-ID: <{name}.0a1b2c$3d4e5f$@{domain}>\n"
        + "MIME-Version: 1.0\n"
        + extra_headers
        + "Content-Type: text/plain;\n\tcharset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n"
        + "X-Mailer: Microsoft Outlook 16.0\nContent-Language: en-gb\n\n"
        + qp(text) + "\n"
    )
    write(name, raw, about, "outlook-desktop", "processed", case, intent)


def gmail_reply(name, sender, domain, in_reply_to, subject, answer, quoted, about, intent, case, client="gmail-web",
                attribution="On Sat, 12 Dec 2026 at 10:00, STAR Teaching School Alliance <\npst@star-tsa.example> wrote:",
                extra_headers="", auth_results=None, outcome="processed"):
    plain = answer + "\n\n" + attribution + "\n\n" + quote_gt(quoted) + "\n"
    html_answer = "<br>".join(answer.split("\n"))
    html = (
        f'<div dir="ltr">{html_answer}</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">'
        f'{attribution.replace(chr(10), " ").replace("<", "&lt;").replace(">", "&gt;")}<br></div>'
        '<blockquote class="gmail_quote" style="margin:0px 0px 0px 0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex">'
        + "".join(f"<p>{p.replace(chr(10), '<br>')}</p>" for p in quoted.split("\n\n"))
        + "</blockquote></div>\n"
    )
    raw = (
        received(domain, "Mon, 11 Jan 2027 08:05:34 +0000")
        + (auth_results if auth_results is not None else auth_pass(domain))
        + "MIME-Version: 1.0\n"
        + f"References: {in_reply_to}\nIn-Reply-To: {in_reply_to}\n"
        + f"From: {sender}\nDate: Mon, 11 Jan 2027 08:05:31 +0000\n"
        + f"Message-ID: <CA{name.replace('_', '')}X@mail.gmail.example>\n"
        + f"Subject: Re: {subject}\nTo: {BOT}\n"
        + extra_headers
        + 'Content-Type: multipart/alternative; boundary="000000000000b1c2d3e4f5a6"\n\n'
        + "--000000000000b1c2d3e4f5a6\nContent-Type: text/plain; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp(plain) + "\n\n"
        + "--000000000000b1c2d3e4f5a6\nContent-Type: text/html; charset=\"UTF-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp(html) + "\n\n"
        + "--000000000000b1c2d3e4f5a6--\n"
    )
    write(name, raw, about, client, outcome, case, intent)


def main() -> None:
    # 1. The answer below a greeting, the way many people write every email.
    outlook_desktop_reply(
        "greeting_then_yes", HELEN, "oakfield-primary.example", ENDORSE_ID, ENDORSE_SUBJECT,
        "Mrs Helen Ward <head@oakfield-primary.example>",
        "Hi Jo,\n\nYes that's fine, happy to endorse.\n\nThanks\nHelen",
        ENDORSE_TEXT,
        "Outlook desktop: Hi Jo, then Yes that's fine on the next paragraph, the answer below a greeting",
        "yes", "PST-2026-0101",
    )

    # 2. "No problem" means yes in British English.
    gmail_reply(
        "no_problem_means_yes", LUKE, "northgate-high.example", CONSENT_ID, CONSENT_SUBJECT,
        "No problem at all, happy for Priya to host.\n\nLuke",
        CONSENT_TEXT,
        "Gmail on the web: No problem at all, happy for Priya to host is consent, never a refusal",
        "yes", "PST-2026-0102",
    )

    # 3. An emphatic refusal that starts with a word of agreement.
    raw = (
        received("oakfield-primary.example", "Mon, 11 Jan 2027 07:12:05 +0000")
        + auth_pass("oakfield-primary.example")
        + f"From: {HELEN}\nContent-Type: text/plain;\n\tcharset=utf-8\nContent-Transfer-Encoding: quoted-printable\n"
        + "Mime-Version: 1.0 (1.0)\nDate: Mon, 11 Jan 2027 07:12:03 +0000\n"
        + f"Subject: Re: {ENDORSE_SUBJECT}\nMessage-Id: <9F1C2D3E-4A5B-4C6D-8E7F-0A1B2C3D4E5F@oakfield-primary.example>\n"
        + f"References: {ENDORSE_ID}\nIn-Reply-To: {ENDORSE_ID}\nTo: {BOT}\nX-Mailer: iPhone Mail (22C152)\n\n"
        + qp("Absolutely not, Sam did not discuss this with me first.\n\nSent from my iPhone\n\n"
             "> On 12 Dec 2026, at 10:00, STAR Teaching School Alliance <pst@star-tsa.example> wrote:\n>\n" + quote_gt(ENDORSE_TEXT) + "\n")
        + "\n"
    )
    write("absolutely_not", raw, "iPhone Mail: Absolutely not is a refusal, although absolutely alone would agree",
          "iphone-mail", "processed", "PST-2026-0101", "no")

    # 4. A condition in the second sentence of the same line.
    gmail_reply(
        "yes_then_but_sentence", HELEN, "oakfield-primary.example", ENDORSE_ID, ENDORSE_SUBJECT,
        "Yes. But not before February half term please, we have mocks.\n\nHelen",
        ENDORSE_TEXT,
        "Gmail on the web: Yes. But not before February half term is conditional, so unclear, as Yes, but not in March is",
        "unclear", "PST-2026-0101",
    )

    # 5. A condition on the line after a bare Yes.
    outlook_desktop_reply(
        "yes_newline_however", LUKE, "northgate-high.example", CONSENT_ID, CONSENT_SUBJECT,
        "Mr Luke Barnes <head@northgate-high.example>",
        "Yes\nHowever only if the visit is on a Tuesday, Priya teaches all day otherwise.\n\nLuke Barnes\nHeadteacher",
        CONSENT_TEXT,
        "Outlook desktop: Yes with However only if on the next line of the same paragraph is conditional, so unclear",
        "unclear", "PST-2026-0102",
    )

    # 6. An apology before the answer.
    gmail_reply(
        "apology_then_yes", HELEN, "oakfield-primary.example", ENDORSE_ID, ENDORSE_SUBJECT,
        "Sorry for the slow reply - yes, please go ahead.\n\nHelen",
        ENDORSE_TEXT,
        "Gmail for Android: Sorry for the slow reply - yes, please go ahead is an endorsement",
        "yes", "PST-2026-0101", client="gmail-android",
        attribution="On Sat, 12 Dec 2026, 10:00 STAR Teaching School Alliance, <pst@star-tsa.example> wrote:",
    )

    # 7. A reply in Welsh from Gmail set to Welsh, which mailbot cannot read as YES or NO.
    gmail_reply(
        "welsh_gmail_ydw", LUKE, "northgate-high.example", CONSENT_ID, CONSENT_SUBJECT,
        "Ydw, dim problem.\n\nLuke",
        CONSENT_TEXT,
        "Gmail on the web in Welsh: Ydw, dim problem above the Welsh ysgrifennodd: attribution is for staff to read, so unclear",
        "unclear", "PST-2026-0102",
        attribution="Ar Sad, 12 Rhag 2026 am 10:00, STAR Teaching School Alliance <pst@star-tsa.example> ysgrifennodd:",
    )

    # 8. Outlook desktop in Welsh: the header block of the quote is Oddi wrth / Anfonwyd / At / Pwnc.
    outlook_desktop_reply(
        "welsh_outlook_block_no", HELEN, "oakfield-primary.example", ENDORSE_ID, ENDORSE_SUBJECT,
        "Mrs Helen Ward <head@oakfield-primary.example>",
        "No, sorry - not this year.",
        ENDORSE_TEXT,
        "Outlook desktop in Welsh: No, sorry above a quote whose header block is Oddi wrth, Anfonwyd, At, Pwnc",
        "no", "PST-2026-0101", labels=("Oddi wrth", "Anfonwyd", "At", "Pwnc"), sent="Dydd Sadwrn, 12 Rhagfyr 2026 10:00",
        subject_prefix="ATB: ",
    )

    # 9. An empty text/plain alternative beside the HTML that contains the answer.
    html = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=utf-8"></head><body>'
        '<div dir="auto">Yes please</div><div dir="auto"><br></div>'
        '<div class="ms-outlook-mobile-signature" dir="auto">Get Outlook for iOS</div>'
        '<hr style="display:inline-block;width:98%" tabindex="-1"><div id="divRplyFwdMsg" dir="ltr">'
        f"<b>From:</b> STAR Teaching School Alliance &lt;pst@star-tsa.example&gt;<br><b>Sent:</b> Saturday, December 12, 2026 10:00:00 AM<br>"
        f"<b>Subject:</b> {CONSENT_SUBJECT}</div><div><p>Dear Mr Barnes,</p><p>Please reply with YES or NO.</p></div></body></html>"
    )
    raw = (
        received("northgate-high.example", "Mon, 11 Jan 2027 09:01:02 +0000")
        + auth_pass("northgate-high.example")
        + f"From: {LUKE}\nTo: {BOT}\nSubject: Re: {CONSENT_SUBJECT}\nDate: Mon, 11 Jan 2027 09:01:00 +0000\n"
        + "Message-ID: <AM9PR02MB7E1F2A3B4C5D6E7F8A9B0C1D2E3F@AM9PR02MB7E1F.eurprd02.prod.outlook.example>\n"
        + f"References: {CONSENT_ID}\nIn-Reply-To: {CONSENT_ID}\nMIME-Version: 1.0\n"
        + 'Content-Type: multipart/alternative; boundary="_000_AM9PR02MB7E1F_"\n\n'
        + "--_000_AM9PR02MB7E1F_\nContent-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: base64\n\n"
        + base64.b64encode(b"\r\n").decode() + "\n\n"
        + "--_000_AM9PR02MB7E1F_\nContent-Type: text/html; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n\n"
        + qp(html) + "\n\n--_000_AM9PR02MB7E1F_--\n"
    )
    write("empty_plain_html_yes", raw,
          "Outlook for iOS: an empty text/plain alternative (one CRLF) beside the HTML part that says Yes please",
          "outlook-ios", "processed", "PST-2026-0102", "yes")

    # 10. A Microsoft Purview sensitivity label written at the top of the body, common in UK public-sector mail.
    outlook_desktop_reply(
        "official_label_yes", HELEN, "oakfield-primary.example", ENDORSE_ID, ENDORSE_SUBJECT,
        "Mrs Helen Ward <head@oakfield-primary.example>",
        "OFFICIAL\n\nYes, happy to endorse.\n\nHelen Ward\nHeadteacher",
        ENDORSE_TEXT,
        "Outlook desktop with a sensitivity label: OFFICIAL on the first line, then Yes, happy to endorse",
        "yes", "PST-2026-0101", extra_headers="msip_labels: MSIP_Label_3c1a_Enabled=true; MSIP_Label_3c1a_Name=OFFICIAL\n",
    )

    # 11. The alliance's own Microsoft 365 transport rule adds a warning banner to mail from outside.
    gmail_reply(
        "external_banner_yes", LUKE, "northgate-high.example", CONSENT_ID, CONSENT_SUBJECT,
        "CAUTION: This email originated from outside of the organisation. Do not click links or open attachments "
        "unless you recognise the sender and know the content is safe.\n\nYes, happy to.\n\nLuke",
        CONSENT_TEXT,
        "Gmail reply given a CAUTION external-sender banner at its top by the receiving host, then Yes, happy to",
        "yes", "PST-2026-0102",
    )

    # 12. Exchange often writes the address with capitals.
    outlook_desktop_reply(
        "mixed_case_sender_yes", "Helen Ward <Head@Oakfield-Primary.example>", "oakfield-primary.example",
        ENDORSE_ID, ENDORSE_SUBJECT, "Mrs Helen Ward <head@oakfield-primary.example>",
        "Yes please.", ENDORSE_TEXT,
        "Outlook desktop: YES from Head@Oakfield-Primary.example, the headteacher's address in mixed case",
        "yes", "PST-2026-0101",
    )

    # 13. One DKIM signature broken by a gateway footer and one intact, both for the From domain; DMARC passes.
    gmail_reply(
        "dkim_one_of_two_fails_dmarc_pass", LUKE, "northgate-high.example", CONSENT_ID, CONSENT_SUBJECT,
        "Yes please.\n\nLuke", CONSENT_TEXT,
        "Gmail via a footer-adding gateway: one DKIM signature fails and another passes for the From domain, and DMARC passes",
        "yes", "PST-2026-0102",
        auth_results=(
            "Authentication-Results: mx.star-tsa.example;\n"
            "\tdkim=fail reason=\"signature verification failed\" header.d=northgate-high.example header.s=google;\n"
            "\tdkim=pass header.d=northgate-high.example header.s=gateway;\n"
            "\tspf=pass smtp.mailfrom=head@northgate-high.example;\n"
            "\tdmarc=pass (p=quarantine) header.from=northgate-high.example\n"
        ),
    )

    # 14. An auto-reply with no automatic headers that keeps the thread's own subject.
    raw = (
        received("oakfield-primary.example", "Mon, 11 Jan 2027 08:00:02 +0000")
        + auth_pass("oakfield-primary.example")
        + f"From: {HELEN}\nTo: {BOT}\nReferences: {ENDORSE_ID}\nIn-Reply-To: {ENDORSE_ID}\n"
        + f"Subject: RE: {ENDORSE_SUBJECT}\nDate: Mon, 11 Jan 2027 08:00:00 -0000\n"
        + "Message-ID: <000a01db6400$11223344$55667788$@oakfield-primary.example>\nMIME-Version: 1.0\n"
        + "Content-Type: text/plain; charset=\"us-ascii\"\nContent-Transfer-Encoding: 7bit\nX-Mailer: Microsoft Outlook 16.0\n\n"
        + "Thank you for your email. I am out of the office until Monday 18 January with limited access to email.\n"
        + "For urgent matters please contact the school office on 01632 960418.\n\nHelen Ward\nHeadteacher\n"
    )
    write("oof_rule_no_headers_re_subject", raw,
          "Outlook client rule auto-reply with no automatic headers and the thread's RE: subject: its words are not taken as automatic, because a person may write them above a real answer, so it goes to staff as unclear",
          "outlook-desktop", "processed", "PST-2026-0101", "unclear", automatic=False)

    # 15. The business manager forwards a request form inline from Outlook desktop.
    form_text = """Your Name (required): Owen Price
Your Email (required): o.price@greyfriars-academy.example
Headteacher Name (if different from above): Mrs Laura Finch
Headteacher Email (if different to above): head@greyfriars-academy.example
Your School Name (required): Greyfriars Academy
Name of teacher who will make the visit: Owen Price
Email of teacher who will make the visit (so lesson plan can be shared in advance): o.price@greyfriars-academy.example
Was this visit initiated by Headteacher suggestion, visiting teacher request, or a joint idea? Please specify: Visiting teacher request
School Context: Secondary academy, 980 students; I teach geography.
To allow us to match your request to an appropriate PST, please provide information about your school/class context and the reason behind the visit request: My Key Stage 3 fieldwork lessons lack structure.
What are the specific objectives of the visit, please state here: See how the PST turns fieldwork data into extended writing.

--
This e-mail was sent from a contact form on STAR TSA (https://star-tsa.example/pst/)"""
    body = (
        "Please pick this one up, it came to me directly.\n\nBusiness Manager\n\n"
        "From: STAR TSA Website <wordpress@star-tsa.example>\nSent: 03 January 2027 20:41\n"
        "To: bm@star-tsa.example\nSubject: PST Request Form\n\n" + form_text + "\n"
    )
    raw = (
        "Return-Path: <bm@star-tsa.example>\nDelivered-To: pst@star-tsa.example\n"
        + auth_pass("star-tsa.example").replace("head@", "bm@")
        + "From: STAR TSA Business Manager <bm@star-tsa.example>\nTo: <pst@star-tsa.example>\n"
        + "Subject: FW: PST Request Form\nDate: Mon, 4 Jan 2027 08:31:12 -0000\n"
        + "Message-ID: <001201db5e9a$aa11bb22$cc33dd44$@star-tsa.example>\nMIME-Version: 1.0\n"
        + "Content-Type: text/plain; charset=\"utf-8\"\nContent-Transfer-Encoding: quoted-printable\n"
        + "X-Mailer: Microsoft Outlook 16.0\nThread-Index: AdteGpqqEbsiTDPdRLu7GfZfqaGf0w==\n\n"
        + qp(body) + "\n"
    )
    write("outlook_inline_forwarded_form", raw,
          "Business manager's Outlook desktop inline forward (FW:) of a request form under a From/Sent/To/Subject block",
          "outlook-desktop", "processed", "", "", opens_case=True)


if __name__ == "__main__":
    main()
