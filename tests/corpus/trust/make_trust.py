"""Write the trust/ corpus: Authentication-Results from the alliance's mail host and others, forged senders, and odd words.

Run with the project's Python: .venv/bin/python tests/corpus/trust/make_trust.py
It reuses the client shapes in ../replies/make_shapes.py and rewrites every NAME.eml and NAME.toml listed below.
"""

from __future__ import annotations

import sys
from datetime import datetime, timezone
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE.parent / "replies"))

from make_replies import BM, HELEN, LUKE, UNCLEAR_NOTICE, passing  # noqa: E402
from make_shapes import ORIGINALS, Reply, write_reply  # noqa: E402

ENDORSE = ORIGINALS["e101"]
CONSENT = ORIGINALS["c102"]


def at(day: int, hour: int, minute: int, second: int = 0) -> datetime:
    return datetime(2027, 1, day, hour, minute, second, tzinfo=timezone.utc)


def results(host: str, *methods: str) -> str:
    """An Authentication-Results value from ``host`` with one method result per line."""
    return f"{host};\n\t" + ";\n\t".join(methods)


DMARC_FAIL_OAKFIELD = results(
    "mx.star-tsa.example",
    "dkim=none (message not signed)",
    "spf=softfail (mx.star-tsa.example: domain of transitioning head@oakfield-primary.example does not designate 203.0.113.66 as permitted sender) smtp.mailfrom=head@oakfield-primary.example",
    "dmarc=fail (p=reject sp=reject dis=quarantine) header.from=oakfield-primary.example",
)
DKIM_FAIL_NORTHGATE = results(
    "mx.star-tsa.example",
    "dkim=fail reason=\"signature verification failed\" (2048-bit key; unprotected) header.d=northgate-high.example header.i=@northgate-high.example header.s=google header.b=Vx1mT0aQ",
    "spf=pass (mx.star-tsa.example: domain of head@northgate-high.example designates 192.0.2.25 as permitted sender) smtp.mailfrom=head@northgate-high.example",
    "dmarc=none (p=none dis=none) header.from=northgate-high.example",
)
SPF_FAIL_OAKFIELD = results(
    "mx.star-tsa.example",
    "dkim=none (message not signed)",
    "spf=fail (mx.star-tsa.example: domain of head@oakfield-primary.example does not designate 203.0.113.66 as permitted sender) smtp.mailfrom=head@oakfield-primary.example",
    "dmarc=none (p=none dis=none) header.from=oakfield-primary.example",
)
ATTACKER_HOST_FAIL = results(
    "mx.attacker.example",
    "dkim=fail header.d=oakfield-primary.example",
    "spf=fail smtp.mailfrom=head@oakfield-primary.example",
    "dmarc=fail (p=reject) header.from=oakfield-primary.example",
)
RELAY_FAIL_NORTHGATE = results(
    "filter.northgate-high.example",
    "dkim=fail (body hash did not verify) header.d=northgate-high.example",
    "spf=fail smtp.mailfrom=head@northgate-high.example",
    "dmarc=fail (p=quarantine) header.from=northgate-high.example",
)
STAFF_DMARC_FAIL = results(
    "mx.star-tsa.example",
    "dkim=none (message not signed)",
    "spf=fail (mx.star-tsa.example: domain of bm@star-tsa.example does not designate 203.0.113.91 as permitted sender) smtp.mailfrom=bm@star-tsa.example",
    "dmarc=fail (p=reject sp=reject dis=reject) header.from=star-tsa.example",
)
STAFF_PASS = results(
    "mx.star-tsa.example",
    "dkim=pass (2048-bit key) header.d=star-tsa.example header.i=@star-tsa.example header.s=selector1 header.b=Lm4s0Ztq",
    "spf=pass (mx.star-tsa.example: domain of bm@star-tsa.example designates 198.51.100.25 as permitted sender) smtp.mailfrom=bm@star-tsa.example",
    "dmarc=pass (p=reject sp=reject dis=none) header.from=star-tsa.example",
)
FORGED_FROM_OAKFIELD = results(
    "mx.star-tsa.example",
    "dkim=pass (1024-bit key) header.d=bulkrelay.example header.i=@bulkrelay.example header.s=k1 header.b=aP0qLx7w",
    "spf=pass (mx.star-tsa.example: domain of bounce-4471@bulkrelay.example designates 203.0.113.120 as permitted sender) smtp.mailfrom=bounce-4471@bulkrelay.example",
    "dmarc=fail (p=reject sp=reject dis=quarantine) header.from=oakfield-primary.example",
)


def attacker_upstream() -> list[str]:
    return [
        f"Authentication-Results: {ATTACKER_HOST_FAIL}",
        "Received: from [10.20.0.14] (unknown [10.20.0.14])\n\tby mx.attacker.example with ESMTPSA id 77F1C2A0\n\t"
        "for <pst@star-tsa.example>; Fri, 08 Jan 2027 19:02:41 +0000",
    ]


def relay_upstream() -> list[str]:
    return [
        f"Authentication-Results: {RELAY_FAIL_NORTHGATE}",
        "Received: from northgate-high.example (exch01.northgate-high.example [10.1.4.20])\n\tby filter.northgate-high.example with ESMTP id 2B9E11F0\n\t"
        "for <pst@star-tsa.example>; Mon, 11 Jan 2027 08:50:02 +0000",
    ]


def messages() -> list[Reply]:
    return [
        # Failing results from the alliance's own mail host
        Reply(
            "dmarc_fail_trusted_host", "outlook-desktop",
            "Outlook desktop: a correctly threaded YES from the headteacher's address that mx.star-tsa.example marks dmarc=fail changes nothing",
            HELEN, at(11, 8, 14, 9), "Yes, happy to.", ENDORSE, "attention", "PST-2026-0101", "",
            prefix="RE: ", variant="smtp", authentication=[DMARC_FAIL_OAKFIELD], sender_host="mailout.cheapmail.example", sender_ip="203.0.113.66",
        ),
        Reply(
            "dkim_fail_trusted_host", "gmail-web",
            "Gmail on the web: a threaded consent YES whose DKIM signature for the From domain fails at mx.star-tsa.example, with no DMARC policy to decide, changes nothing",
            LUKE, at(11, 7, 40, 52), "Yes please.", CONSENT, "attention", "PST-2026-0102", "",
            authentication=[DKIM_FAIL_NORTHGATE], crlf=False,
        ),
        Reply(
            "spf_fail_trusted_host", "apple-mail",
            "Apple Mail: a threaded endorsement YES that mx.star-tsa.example marks spf=fail for the From domain changes nothing",
            HELEN, at(9, 18, 3, 27), "Agreed.\n\nHelen", ENDORSE, "attention", "PST-2026-0101", "",
            authentication=[SPF_FAIL_OAKFIELD], sender_host="smtp.hotel-wifi.example", sender_ip="203.0.113.66",
        ),
        # Failing results written by other hosts are ignored
        Reply(
            "dmarc_fail_other_host", "thunderbird",
            "Thunderbird: dmarc=fail written by mx.attacker.example, not the alliance's host, is ignored and the YES counts",
            HELEN, at(8, 19, 2, 40), "Yes, happy to.", ENDORSE, "processed", "PST-2026-0101", "yes",
            signature="Helen", upstream=attacker_upstream(), sender_host="mx.attacker.example", sender_ip="203.0.113.200",
        ),
        Reply(
            "fail_from_relay_under_trusted_pass", "outlook-web",
            "Outlook on the web: a school relay's failing Authentication-Results under a pass from mx.star-tsa.example is ignored, so consent counts",
            LUKE, at(11, 8, 50, 1), "Yes, happy to.", CONSENT, "processed", "PST-2026-0102", "yes",
            authentication=passing("northgate-high.example", "head@northgate-high.example"), upstream=relay_upstream(),
            sender_host="filter.northgate-high.example",
        ),
        # Passing results
        Reply(
            "auth_pass_consent_yes", "iphone-mail",
            "iPhone Mail: consent Yes please that passes SPF, DKIM and DMARC at mx.star-tsa.example counts",
            LUKE, at(10, 21, 30, 14), "Yes please", CONSENT, "processed", "PST-2026-0102", "yes",
            authentication=passing("northgate-high.example", "head@northgate-high.example"),
        ),
        Reply(
            "auth_pass_endorse_no", "gmail-android",
            "Gmail for Android: an endorsement No, sorry that passes every check at mx.star-tsa.example is recorded as no",
            HELEN, at(11, 6, 55, 3), "No, sorry", ENDORSE, "processed", "PST-2026-0101", "no",
            authentication=passing("oakfield-primary.example", "head@oakfield-primary.example"), crlf=False,
        ),
        # Staff commands
        Reply(
            "staff_command_dmarc_fail", "outlook-desktop",
            "Outlook desktop: endorse: yes from the business manager's address failing DMARC at mx.star-tsa.example is not applied",
            BM, at(11, 9, 20, 44), "endorse: yes\nnote: Helen confirmed by phone", UNCLEAR_NOTICE, "attention", "PST-2026-0101", "",
            prefix="RE: ", authentication=[STAFF_DMARC_FAIL], sender_host="smtp.webmail.example", sender_ip="203.0.113.91",
        ),
        Reply(
            "staff_command_auth_pass", "outlook-desktop",
            "Outlook desktop: the same note: line from the business manager passing DMARC at mx.star-tsa.example is applied",
            BM, at(11, 9, 25, 10), "note: phoned the school, Helen will reply by Friday", UNCLEAR_NOTICE, "processed", "PST-2026-0101", "",
            prefix="RE: ", authentication=[STAFF_PASS], sender_host="mail.star-tsa.example", sender_ip="198.51.100.25",
        ),
        # A forged sender
        Reply(
            "forged_head_reply_to_elsewhere", "thunderbird",
            "Thunderbird: a threaded YES with the headteacher's From, a Reply-To at another domain and dmarc=fail at mx.star-tsa.example changes nothing",
            HELEN, at(10, 23, 12, 5), "Yes, happy to. Please send any further details to my other address.", ENDORSE,
            "attention", "PST-2026-0101", "", reply_to="Helen Ward <helen.ward.office@webmail.example>",
            authentication=[FORGED_FROM_OAKFIELD], sender_host="out7.bulkrelay.example", sender_ip="203.0.113.120",
        ),
        # Words that look like markup, templates or header lines
        Reply(
            "template_syntax_after_yes", "gmail-web",
            "Gmail on the web: consent Yes, happy to followed by unfilled {{ }} and {% %} template fields counts as yes and is kept as text",
            LUKE, at(8, 16, 45, 30), "Yes, happy to. {{ 7*7 }}\n\nKind regards,\n{{ headteacher_name }} {% if signature %}{{ signature }}{% endif %}",
            CONSENT, "processed", "PST-2026-0102", "yes",
            subject="Re: " + CONSENT.subject + " {{ 7*7 }}",
        ),
        Reply(
            "template_syntax_only", "outlook-web",
            "Outlook on the web: a reply of only {{ 7*7 }} is neither yes nor no, so unclear, and is never evaluated",
            HELEN, at(9, 10, 2, 19), "{{ 7*7 }}", ENDORSE, "processed", "PST-2026-0101", "unclear",
        ),
        Reply(
            "script_in_html_only_yes", "outlook-web",
            "Outlook on the web, HTML only: Yes please next to a script element and an onerror attribute counts as yes",
            LUKE, at(10, 12, 34, 8), "Yes please", CONSENT, "processed", "PST-2026-0102", "yes", html_only=True,
            top_html=(
                '<div class="elementToProof">Yes please</div>\n'
                "<script>document.title = 'consent recorded';</script>\n"
                '<div class="elementToProof"><img src="cid:missing-logo" onerror="this.alt=\'logo\'" alt=""></div>'
            ),
        ),
        Reply(
            "script_text_before_agreed", "thunderbird",
            "Thunderbird: plain text that starts with a <script> tag before Agreed is not a clear answer, so unclear",
            HELEN, at(9, 20, 15, 55), "<script>alert('endorse')</script> Agreed.", ENDORSE, "processed", "PST-2026-0101", "unclear",
        ),
        Reply(
            "crlf_in_encoded_subject", "apple-mail",
            "Apple Mail: an encoded subject that decodes to a CR LF and a Bcc: line does not stop the YES in the body counting",
            HELEN, at(11, 7, 58, 2), "Yes, happy to.", ENDORSE, "processed", "PST-2026-0101", "yes",
            subject="Re: [PST-2026-0101] Please endorse\r\nBcc: everyone@oakfield-primary.example",
            raw_subject="=?utf-8?Q?Re=3A_=5BPST-2026-0101=5D_Please_endorse=0D=0ABcc=3A_everyone=40oa?=\n =?utf-8?Q?kfield-primary=2Eexample?=",
        ),
        Reply(
            "bare_cr_between_no_and_yes", "samsung-email",
            "Samsung Email: No, sorry and Yes, happy to split only by a bare CR show two contradictory lines, so unclear",
            LUKE, at(10, 17, 26, 48), "No, sorry\rYes, happy to", CONSENT, "processed", "PST-2026-0102", "unclear",
            top_html='<div dir="auto">No, sorry</div><div dir="auto">Yes, happy to</div>',
        ),
    ]


def main() -> None:
    for message in messages():
        write_reply(HERE, message)
    print(f"wrote {len(messages())} messages to {HERE}")


if __name__ == "__main__":
    main()
