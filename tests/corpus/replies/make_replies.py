"""Write the replies/ corpus: answers to the endorsement and consent requests, feedback, and staff command emails.

Run with the project's Python: .venv/bin/python tests/corpus/replies/make_replies.py
It rewrites every NAME.eml and NAME.toml listed below and nothing else.
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from make_shapes import BOT, ORIGINALS, Earlier, Reply, staff_notice, write_reply

HERE = Path(__file__).parent

HELEN = "Helen Ward <head@oakfield-primary.example>"
LUKE = "Luke Barnes <head@northgate-high.example>"
SAM = "Sam Patel <s.patel@oakfield-primary.example>"
PRIYA = "Priya Anand <p.anand@northgate-high.example>"
JOY = "Joy Okafor <j.okafor@castlegate-academy.example>"
DEPUTY = "Ben Hollis <deputy@oakfield-primary.example>"
BM = "Karen Doyle <bm@star-tsa.example>"
LEAD = "Marcus Hale <lead@star-tsa.example>"

ENDORSE = ORIGINALS["e101"]
CONSENT = ORIGINALS["c102"]
ACKNOWLEDGE = ORIGINALS["a101"]
PST_NOTICE = ORIGINALS["b102"]
FEEDBACK = ORIGINALS["f104"]

HELEN_SIGNATURE = "Helen Ward\nHeadteacher\nOakfield Primary School\n01632 960418"
LUKE_SIGNATURE = "Luke Barnes\nHeadteacher | Northgate High School\nNorthgate Lane, Ashbury AB1 2CD\nTel: 01632 960733"
BM_SIGNATURE = "Karen Doyle\nBusiness Manager\nSTAR Teaching School Alliance"

DISCLAIMER = (
    "DISCLAIMER: This email and any files sent with it are confidential and are meant only for the person "
    "or organisation to whom they are addressed. If you have received this email in error, please tell the "
    "sender at once and delete it; you must not copy it, pass it on or act on anything in it.\n"
    "No contract is formed by this email, and no member of staff may enter into one on behalf of the school "
    "by email. Any views in it are the sender's own and not necessarily those of the Northgate Learning Trust.\n"
    "YES, we check our email for viruses, but we cannot accept liability for any damage caused by a virus "
    "that this email or its attachments may carry; please run your own checks.\n"
    "Northgate High School is part of the Northgate Learning Trust, a charitable company limited by guarantee, "
    "registered in England and Wales (number 09990001). Registered office: Northgate Lane, Ashbury AB1 2CD.\n"
    "Please consider the environment before printing this email."
)

UNCLEAR_NOTICE = staff_notice(
    "PST-2026-0101",
    "7c3e9a1f5b2d4e6a8c0b",
    "Please check a reply from head@oakfield-primary.example",
    "head@oakfield-primary.example replied about PST-2026-0101 (Oakfield Primary School), but the reply is not a "
    "clear YES or NO, so mailbot has not acted on it. We asked them to endorse the request. They wrote:\n\n"
    "    I can't say yes until I've spoken to Jo.\n\n"
    "Once you know the answer, reply to this email with one of these lines at the top to record it:\n\n"
    "endorse: yes\nendorse: no",
)
CONSENT_ESCALATION = staff_notice(
    "PST-2026-0102",
    "5d2b8e4f1a7c3e9b0d6f",
    "No consent yet for the visit to Priya Anand",
    "Mr Luke Barnes (head@northgate-high.example) has not yet answered our request for consent to the visit "
    "to Priya Anand. We sent it on 12/12/2026 and a reminder since.\n\n"
    "Please contact the school, then reply to this email with consent: yes or consent: no at the top.",
    recipient="lead@star-tsa.example",
)


def at(day: int, hour: int, minute: int, second: int = 0, month: int = 1, year: int = 2027) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=timezone.utc)


def passing(domain: str, address: str) -> list[str]:
    """The alliance's own mail host reporting that SPF, DKIM and DMARC passed for ``domain``."""
    return [
        f"mx.star-tsa.example;\n\tdkim=pass (2048-bit key; unprotected) header.d={domain} header.i=@{domain} header.a=rsa-sha256 header.s=sel1 header.b=Q3v8pLm2;\n\t"
        f"spf=pass (mx.star-tsa.example: domain of {address} designates 192.0.2.25 as permitted sender) smtp.mailfrom={address};\n\t"
        f"dmarc=pass (p=quarantine dis=none) header.from={domain}"
    ]


def helen_forward_to(recipient: str, text: str, when: datetime, cc: str = "") -> Earlier:
    return Earlier(HELEN, when, recipient, "FW: " + ENDORSE.subject, text, "<002a01db6371$4be81c90$e3b855b0$@oakfield-primary.example>", cc)


HELEN_FORWARD_TO_SAM = helen_forward_to(SAM, "Sam – are you still keen on this? Let me know and I'll reply to them.\n\nHelen", at(5, 16, 2))
SAM_ANSWERS_HELEN = Earlier(
    SAM, at(6, 7, 55), HELEN, "RE: FW: " + ENDORSE.subject,
    "Yes please – Year 4 would really benefit, and Jo is happy to cover my class.\n\nSam",
    "<000b01db6407$19c3d0a0$4d4b71e0$@oakfield-primary.example>",
)
HELEN_FORWARD_TO_BEN = helen_forward_to(
    DEPUTY, "Ben – I'm out on the headteachers' residential until Friday. Could you pick this up with the alliance?\n\nHelen",
    at(6, 12, 30), cc=BOT,
)
PRIYA_FORWARD_TO_LUKE = Earlier(
    PRIYA, at(7, 8, 10), LUKE, "FW: " + PST_NOTICE.subject,
    "Hi Luke,\n\nThis is the Fernhill visit I mentioned at line management. Are you OK with me hosting it? "
    "I've copied in the alliance.\n\nPriya",
    "<CAKq7dT1ysZ0w6cA2pNnV4eqR3fH9uJ0bLmX5oK8gDtS2vE1wQ@mail.gmail.example>", cc=BOT,
)
DEPUTY_FORWARD_TO_LUKE = Earlier(
    "Sophie Grant <deputy@northgate-high.example>", at(8, 15, 41), LUKE, "RE: " + CONSENT.subject,
    "YES from me – Priya has a light timetable after half term and we can cover her Year 9 group.\n\nSophie",
    "<3D6E9B1C-2F4A-4B8E-A7C3-9E1D5F2B8A40@northgate-high.example>",
)


def replies() -> list[Reply]:
    return [
        # Outlook for Windows
        Reply(
            "outlook_desktop_yes_happy_to", "outlook-desktop",
            "Outlook desktop, English: a plain YES to the endorsement request above Outlook's From/Sent/To/Subject block",
            HELEN, at(11, 8, 41, 22), "Yes, happy to.", ENDORSE, "processed", "PST-2026-0101", "yes",
            prefix="RE: ", signature=HELEN_SIGNATURE, variant="smtp", authentication=passing("oakfield-primary.example", "head@oakfield-primary.example"),
        ),
        Reply(
            "outlook_desktop_german_agreed", "outlook-desktop",
            "Outlook desktop in German: consent given with Agreed, subject prefixed AW: and the quoted header block in German",
            LUKE, at(11, 7, 12, 44), "Agreed.\n\nLuke", CONSENT, "processed", "PST-2026-0102", "yes",
            prefix="AW: ", lang="de", crlf=False,
        ),
        Reply(
            "outlook_desktop_french_no_sorry", "outlook-desktop",
            "Outlook desktop in French: endorsement declined with No, sorry, subject prefixed RE : with a space before the colon",
            HELEN, at(8, 17, 3, 9), "No, sorry. We have the building works all spring and I can't release Sam.\n\nHelen",
            ENDORSE, "processed", "PST-2026-0101", "no", prefix="RE\u00a0: ", lang="fr", variant="smtp",
        ),
        Reply(
            "outlook_desktop_dutch_thats_fine", "outlook-desktop",
            "Outlook desktop in Dutch: consent given as That's fine with a typographic apostrophe, Dutch quoted header block",
            LUKE, at(9, 10, 26, 51), "That\u2019s fine.\n\nLuke", CONSENT, "processed", "PST-2026-0102", "yes",
            prefix="RE: ", lang="nl",
        ),
        Reply(
            "outlook_desktop_spanish_not_this_term", "outlook-desktop",
            "Outlook desktop in Spanish: endorsement declined with Not this term I'm afraid above a Spanish quoted header block",
            HELEN, at(10, 19, 48, 5), "Not this term I\u2019m afraid.\n\nHelen", ENDORSE, "processed", "PST-2026-0101", "no",
            prefix="RE: ", lang="es", variant="smtp", crlf=False,
        ),
        Reply(
            "outlook_desktop_disclaimer_yes_please", "outlook-desktop",
            "Outlook desktop: Yes please above a signature with an inline logo and a long legal disclaimer whose lines start with No and YES",
            LUKE, at(11, 9, 2, 17), "Yes please.", CONSENT, "processed", "PST-2026-0102", "yes",
            prefix="RE: ", signature=LUKE_SIGNATURE, footer=DISCLAIMER, variant="logo",
            authentication=passing("northgate-high.example", "head@northgate-high.example"),
        ),
        Reply(
            "outlook_desktop_re_re_fw_subject", "outlook-desktop",
            "Outlook desktop: endorsement YES with the subject grown to RE: RE: FW: after a forward to the requester, threading kept in References",
            HELEN, at(6, 8, 20, 33), "Yes, happy to \u2013 Sam and I have talked it through.\n\nHelen", ENDORSE,
            "processed", "PST-2026-0101", "yes", prefix="RE: RE: FW: ", cc=[SAM], earlier=[SAM_ANSWERS_HELEN, HELEN_FORWARD_TO_SAM],
            variant="smtp",
        ),
        Reply(
            "outlook_desktop_head_answers_pst_notice", "outlook-desktop",
            "Outlook desktop: the host headteacher says yes in a reply-all to the PST's forward of her notice, not to the consent request",
            LUKE, at(7, 9, 31, 2), "Yes, happy for Priya to do this one.\n\nLuke", PST_NOTICE, "attention", "PST-2026-0102", "",
            to=[PRIYA], cc=[BOT], prefix="RE: FW: ", earlier=[PRIYA_FORWARD_TO_LUKE],
        ),
        # Outlook on the web
        Reply(
            "outlook_web_yes_please", "outlook-web",
            "Outlook on the web: endorsement YES as Yes please above the underscore line and divRplyFwdMsg quote",
            HELEN, at(11, 6, 58, 40), "Yes please", ENDORSE, "processed", "PST-2026-0101", "yes",
            signature="Helen", authentication=passing("oakfield-primary.example", "head@oakfield-primary.example"),
        ),
        Reply(
            "outlook_web_html_only_happy_to", "outlook-web",
            "Outlook on the web sending HTML only: consent given with Yes, happy to, and no text/plain part at all",
            LUKE, at(8, 13, 15, 7), "Yes, happy to.", CONSENT, "processed", "PST-2026-0102", "yes",
            prefix="RE: ", signature="Luke Barnes\nHeadteacher", html_only=True,
        ),
        Reply(
            "outlook_web_empty_top_quoted_yes", "outlook-web",
            "Outlook on the web: an empty reply whose only YES is in the quoted endorsement request, so the answer is unclear",
            HELEN, at(9, 21, 4, 12), "", ENDORSE, "processed", "PST-2026-0101", "unclear",
            top_html=f'<div class="elementToProof" style="{"font-family: Aptos, Calibri, Helvetica, sans-serif; font-size: 12pt;"}"><br></div>',
        ),
        Reply(
            "outlook_web_swedish_not_this_term", "outlook-web",
            "Outlook on the web in Swedish: consent refused with Not this term I'm afraid, subject prefixed SV: and threading kept",
            LUKE, at(8, 11, 40, 3), "Not this term I\u2019m afraid \u2013 Priya is covering a maternity leave until Easter.\n\nLuke",
            CONSENT, "processed", "PST-2026-0102", "no", prefix="SV: ", lang="sv",
        ),
        Reply(
            "outlook_web_deputy_says_yes", "outlook-web",
            "Outlook on the web: a deputy head says yes in a reply-all to the headteacher's forward, but the case waits for the headteacher",
            DEPUTY, at(6, 14, 5, 19), "Yes, happy to \u2013 I'm covering for Helen this week and we are all keen.\n\nBen Hollis\nDeputy Headteacher",
            ENDORSE, "attention", "PST-2026-0101", "", to=[HELEN], cc=[BOT], prefix="RE: FW: ", earlier=[HELEN_FORWARD_TO_BEN],
        ),
        # Outlook for iOS and Android
        Reply(
            "outlook_ios_yes_but_not_march", "outlook-ios",
            "Outlook for iOS: Yes but not in March above Get Outlook for iOS is a conditional answer, so unclear",
            HELEN, at(10, 16, 22, 58), "Yes but not in March", ENDORSE, "processed", "PST-2026-0101", "unclear",
        ),
        Reply(
            "outlook_ios_cant_say_until_jo", "outlook-ios",
            "Outlook for iOS: I can't say yes until I've spoken to Jo contains yes but is not an answer, so unclear",
            LUKE, at(9, 12, 7, 30), "I can\u2019t say yes until I\u2019ve spoken to Jo.", CONSENT, "processed", "PST-2026-0102", "unclear",
            crlf=False,
        ),
        Reply(
            "outlook_android_agreed", "outlook-android",
            "Outlook for Android: consent given with a bare Agreed above Get Outlook for Android",
            LUKE, at(11, 7, 49, 1), "Agreed", CONSENT, "processed", "PST-2026-0102", "yes",
        ),
        Reply(
            "outlook_android_subject_only", "outlook-android",
            "Outlook for Android: a new email naming PST-2026-0101 only in its subject, with no threading or reply token, is not taken as an answer",
            HELEN, at(7, 18, 33, 45), "Yes, happy to endorse Sam's request.\n\nHelen", None, "attention", "PST-2026-0101", "",
            subject="PST-2026-0101 endorsement", threading=False,
        ),
        # Gmail on the web and on Android
        Reply(
            "gmail_web_yes_happy_to", "gmail-web",
            "Gmail on the web: consent YES above an On ... wrote: line that Gmail wrapped over two lines",
            LUKE, at(11, 8, 5, 31), "Yes, happy to.", CONSENT, "processed", "PST-2026-0102", "yes",
            signature="Luke", authentication=passing("northgate-high.example", "head@northgate-high.example"),
        ),
        Reply(
            "gmail_web_cant_say_until_jo", "gmail-web",
            "Gmail on the web: I can't say yes until I've spoken to Jo, above the quoted request, is unclear",
            HELEN, at(8, 12, 44, 9), "I can't say yes until I've spoken to Jo. She is back on Wednesday.\n\nHelen",
            ENDORSE, "processed", "PST-2026-0101", "unclear", crlf=False,
        ),
        Reply(
            "gmail_web_subject_only", "gmail-web",
            "Gmail on the web: a new email whose subject copies the endorsement request's but has no threading or token, so it is not an answer",
            HELEN, at(9, 9, 14, 26), "Yes, happy to.\n\nHelen", None, "attention", "PST-2026-0101", "",
            subject="Re: " + ENDORSE.subject, threading=False,
        ),
        Reply(
            "gmail_web_requester_answers_acknowledgement", "gmail-web",
            "Gmail on the web: the requester answers Yes please to her acknowledgement, which asks nothing, so no endorsement is taken",
            SAM, at(5, 15, 10, 2), "Yes please \u2013 and thank you for the quick reply!\n\nSam", ACKNOWLEDGE,
            "attention", "PST-2026-0101", "",
        ),
        Reply(
            "gmail_android_yes_please", "gmail-android",
            "Gmail for Android: consent YES as Yes please above Gmail's Android-style attribution line",
            LUKE, at(10, 20, 1, 54), "Yes please", CONSENT, "processed", "PST-2026-0102", "yes",
        ),
        Reply(
            "gmail_android_no_sorry", "gmail-android",
            "Gmail for Android: endorsement declined with No, sorry",
            HELEN, at(11, 7, 3, 16), "No, sorry", ENDORSE, "processed", "PST-2026-0101", "no", crlf=False,
        ),
        # Apple Mail on a Mac
        Reply(
            "apple_mail_thats_fine", "apple-mail",
            "Apple Mail: endorsement YES as That's fine with a typographic apostrophe, the attribution inside the quote",
            HELEN, at(9, 17, 52, 38), "That\u2019s fine.\n\nHelen", ENDORSE, "processed", "PST-2026-0101", "yes",
        ),
        Reply(
            "apple_mail_not_this_term", "apple-mail",
            "Apple Mail: consent refused with Not this term I'm afraid",
            LUKE, at(7, 21, 16, 0), "Not this term I'm afraid.\n\nLuke", CONSENT, "processed", "PST-2026-0102", "no", crlf=False,
        ),
        Reply(
            "apple_mail_subject_only", "apple-mail",
            "Apple Mail: a YES sent as a new message with the consent request's subject but no threading or token goes to a person",
            LUKE, at(8, 7, 30, 12), "Yes, happy to.\n\nLuke", None, "attention", "PST-2026-0102", "",
            subject="Re: " + CONSENT.subject, threading=False,
        ),
        # Mail on an iPhone
        Reply(
            "iphone_mail_yes_happy_to", "iphone-mail",
            "iPhone Mail: endorsement YES above Sent from my iPhone and a quote that starts with a byte order mark",
            HELEN, at(11, 6, 12, 3), "Yes, happy to", ENDORSE, "processed", "PST-2026-0101", "yes",
            authentication=passing("oakfield-primary.example", "head@oakfield-primary.example"),
        ),
        Reply(
            "iphone_mail_cant_say_until_jo", "iphone-mail",
            "iPhone Mail: I can't say yes until I've spoken to Jo is passed to staff as unclear",
            LUKE, at(10, 9, 45, 27), "I can't say yes until I've spoken to Jo", CONSENT, "processed", "PST-2026-0102", "unclear", crlf=False,
        ),
        Reply(
            "iphone_mail_empty_top_quoted_yes", "iphone-mail",
            "iPhone Mail: nothing written above Sent from my iPhone, the only YES being in the quoted request, is unclear",
            HELEN, at(10, 22, 3, 41), "", ENDORSE, "processed", "PST-2026-0101", "unclear",
        ),
        Reply(
            "iphone_mail_pst_says_yes", "iphone-mail",
            "iPhone Mail: the PST herself says yes to her notice, but consent must come from her headteacher",
            PRIYA, at(7, 7, 2, 55), "Yes, happy to do this one!", PST_NOTICE, "attention", "PST-2026-0102", "",
        ),
        # Thunderbird
        Reply(
            "thunderbird_agreed", "thunderbird",
            "Thunderbird: endorsement YES as Agreed in format=flowed text with a -- signature",
            HELEN, at(11, 8, 30, 12), "Agreed.", ENDORSE, "processed", "PST-2026-0101", "yes", signature=HELEN_SIGNATURE,
        ),
        Reply(
            "thunderbird_yes_but_not_march", "thunderbird",
            "Thunderbird: consent as Yes but not in March is conditional, so unclear",
            LUKE, at(9, 16, 40, 0), "Yes but not in March \u2013 we have mocks all month.", CONSENT, "processed", "PST-2026-0102", "unclear",
            signature="Luke", crlf=False,
        ),
        Reply(
            "thunderbird_token_new_subject", "thunderbird",
            "Thunderbird: a YES sent to the reply-token address with no threading headers and a rewritten subject still counts",
            HELEN, at(8, 19, 2, 47), "Yes, happy to.", ENDORSE, "processed", "PST-2026-0101", "yes",
            to=[f"STAR Teaching School Alliance <{ENDORSE.reply_address}>"], subject="Endorsement for Sam Patel's PST visit",
            threading=False, signature="Helen",
        ),
        Reply(
            "thunderbird_unrelated_top_quoted_yes", "thunderbird",
            "Thunderbird: the headteacher passes on his deputy's quoted YES without answering himself, so unclear",
            LUKE, at(9, 7, 55, 8), "See below from Sophie.", CONSENT, "processed", "PST-2026-0102", "unclear",
            earlier=[DEPUTY_FORWARD_TO_LUKE], signature="Luke",
        ),
        # Samsung Email
        Reply(
            "samsung_email_yes_please", "samsung-email",
            "Samsung Email: endorsement YES as Yes please in base64 parts above Sent from my Galaxy and an Original message block",
            HELEN, at(10, 11, 31, 9), "Yes please", ENDORSE, "processed", "PST-2026-0101", "yes",
        ),
        Reply(
            "samsung_email_token_no_threading", "samsung-email",
            "Samsung Email: consent That's fine sent to the reply-token address without In-Reply-To or References still counts",
            LUKE, at(8, 18, 12, 36), "That's fine", CONSENT, "processed", "PST-2026-0102", "yes",
            to=[f"STAR Teaching School Alliance <{CONSENT.reply_address}>"], threading=False, crlf=False,
        ),
        Reply(
            "samsung_email_no_sorry", "samsung-email",
            "Samsung Email: consent refused with No, sorry above Sent from my Galaxy",
            LUKE, at(11, 6, 47, 20), "No, sorry \u2013 not possible with our staffing this year.", CONSENT, "processed", "PST-2026-0102", "no",
        ),
        # Feedback on PST-2026-0104
        Reply(
            "feedback_outlook_desktop_rated", "outlook-desktop",
            "Outlook desktop: the visiting teacher's feedback with a rating on the first line is stored on the visited case, not read as an answer",
            JOY, at(8, 16, 12, 5),
            "4 - Really useful morning. Tom's hinge questions in the fractions lesson gave me lots to try, and the "
            "discussion afterwards was excellent. More time for that part would have helped.\n\nJoy",
            FEEDBACK, "processed", "PST-2026-0104", "", prefix="RE: ",
        ),
        Reply(
            "feedback_gmail_android_rated", "gmail-android",
            "Gmail for Android: feedback of 5/5 starting with a rating and a thank-you is taken as feedback on the visited case",
            JOY, at(9, 19, 26, 40), "5/5 thank you! Loved seeing mini whiteboards used for hinge questions.", FEEDBACK,
            "processed", "PST-2026-0104", "",
        ),
        Reply(
            "feedback_iphone_mail_yes_words", "iphone-mail",
            "iPhone Mail: feedback that begins Yes, really useful is feedback on the visited case, never an answer",
            JOY, at(10, 8, 4, 11), "Yes, really useful, thank you. I'd say 4 out of 5 as we ran out of time at the end.", FEEDBACK,
            "processed", "PST-2026-0104", "",
        ),
        # Staff commands
        Reply(
            "staff_bm_note_outlook_desktop", "outlook-desktop",
            "Outlook desktop: the business manager's note: line in a reply to a staff notice about PST-2026-0101 is applied",
            BM, at(11, 9, 12, 40), "note: phoned the school, Helen will reply in writing by Friday", UNCLEAR_NOTICE,
            "processed", "PST-2026-0101", "", prefix="RE: ", signature=BM_SIGNATURE,
        ),
        Reply(
            "staff_bm_endorse_and_note_outlook_web", "outlook-web",
            "Outlook on the web: the business manager records the headteacher's YES by phone with endorse: yes and a note:",
            BM, at(11, 9, 40, 2), "endorse: yes\nnote: Helen confirmed by phone on 08/01/2027", UNCLEAR_NOTICE,
            "processed", "PST-2026-0101", "yes", prefix="RE: ", signature=BM_SIGNATURE,
        ),
        Reply(
            "staff_lead_hold_outlook_ios", "outlook-ios",
            "Outlook for iOS: the strategic lead puts PST-2026-0102 on hold in a reply to the consent escalation notice",
            LEAD, at(11, 7, 20, 15), "hold: Luke Barnes is away until 25/01/2027", CONSENT_ESCALATION,
            "processed", "PST-2026-0102", "",
        ),
        Reply(
            "staff_bm_note_subject_only", "outlook-web",
            "Outlook on the web: a business manager's note: in a new email naming PST-2026-0102 in its subject is applied to that case",
            BM, at(8, 15, 3, 58), "note: phoned the school, Luke is at a conference until Wednesday", None,
            "processed", "PST-2026-0102", "", subject="PST-2026-0102 phone call", threading=False, signature=BM_SIGNATURE,
        ),
        # The same command lines from people who are not staff
        Reply(
            "nonstaff_head_note_line", "thunderbird",
            "Thunderbird: a staff-style note: line from the headteacher in reply to the endorsement request is no command and no clear answer, so unclear",
            HELEN, at(8, 14, 20, 0), "note: phoned the school", ENDORSE, "processed", "PST-2026-0101", "unclear", signature="Helen",
        ),
        Reply(
            "nonstaff_requester_endorse_yes", "gmail-web",
            "Gmail on the web: the requester writes endorse: yes and a note: line to her acknowledgement; no command is applied",
            SAM, at(8, 10, 2, 44), "endorse: yes\nnote: Helen said yes at briefing this morning", ACKNOWLEDGE,
            "attention", "PST-2026-0101", "",
        ),
        Reply(
            "nonstaff_personal_address_endorse_yes", "gmail-android",
            "Gmail for Android: endorse: yes from the business manager's personal address, not a staff address, is not applied",
            "Karen Doyle <karen.doyle.home@webmail.example>", at(10, 18, 44, 13), "endorse: yes", UNCLEAR_NOTICE,
            "attention", "PST-2026-0101", "", sender_host="smtp.webmail.example", sender_ip="203.0.113.40",
        ),
    ]


def main() -> None:
    for reply in replies():
        write_reply(HERE, reply)
    print(f"wrote {len(replies())} messages to {HERE}")


if __name__ == "__main__":
    main()
