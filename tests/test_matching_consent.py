"""Matching and consent by email: the shortlist, assign, the host headteacher's YES, NO and silence."""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    STRATEGIC_LEAD,
    append,
    case_email,
    case,
    cases,
    emails_to,
    form_bytes,
    mailbot,
    parsed,
    plain_body,
    reply_to,
    run_once,
    subjects_to,
    write_config,
)
from servers import Account

from mailbot.embedded import SmtpSink

# Two PSTs fit the secondary maths request in html-table.eml, so a refusal can lead to the other.
REGISTER = """\
name,email,school,headteacher_name,headteacher_email,phase,subjects,expertise,designated_on,max_visits_per_term
Priya Anand,p.anand@northgate-high.example,Northgate High School,Mr Luke Barnes,head@northgate-high.example,secondary,maths,questioning; hinge questions,01/09/2025,3
Owen Hughes,o.hughes@westfield-academy.example,Westfield Academy,Mrs Ruth Kaur,head@westfield-academy.example,secondary,maths,behaviour routines,01/09/2025,3
Beth Carter,b.carter@brookfield-primary.example,Brookfield Primary School,Mr Thomas Greaves,head@brookfield-primary.example,primary,english,phonics; early reading,01/09/2025,2
"""


@pytest.fixture
def config(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, database_url: str) -> Path:
    path = write_config(tmp_path, imap_account, smtp_sink, database_url)
    register = tmp_path / "register.csv"
    register.write_text(REGISTER, encoding="utf-8")
    result = mailbot("pst", "import", str(register), "--config", str(path))
    assert result.exit_code == 0, result.output
    # A headteacher's own request, so it goes straight to matching; Wednesday 14/10/2026.
    append(imap_account, form_bytes("html-table.eml"))
    run_once(path, "2026-10-14T16:00")
    return path


def _case(config: Path) -> dict:
    [row] = cases(config)
    return case(config, row["reference"])


def _shortlist_email(sink: SmtpSink, address: str = STRATEGIC_LEAD):
    shortlists = [item for item in emails_to(sink, address) if "PSTs for the request" in str(parsed(item)["Subject"])]
    return shortlists[-1]


def _staff_reply(config: Path, account: Account, sink: SmtpSink, body: str, when: str) -> None:
    """Send ``body`` from the strategic lead about the case, named by its reference in the subject."""
    message = case_email(_case(config)["reference"], STRATEGIC_LEAD, body, tag=f"lead-{abs(hash((body, when)))}")
    append(account, message)
    run_once(config, when)


def _assign_first(config: Path, account: Account, sink: SmtpSink, when: str = "2026-10-15T09:00") -> dict:
    _staff_reply(config, account, sink, "assign: 1", when)
    return _case(config)


def test_shortlist_sent_best_first_with_reasons(config: Path, smtp_sink: SmtpSink) -> None:
    document = _case(config)
    shortlist = document["shortlist"]

    assert document["state"] == "awaiting_match"
    assert [entry["pst_name"] for entry in shortlist] == ["Priya Anand", "Owen Hughes"]
    assert [entry["score"] for entry in shortlist] == sorted((entry["score"] for entry in shortlist), reverse=True)
    text = plain_body(_shortlist_email(smtp_sink))
    for number, entry in enumerate(shortlist, start=1):
        assert f"{number}. {entry['pst_name']}" in text
        for reason in entry["reasons"]:
            assert reason in text
    assert "assign: 1" in text
    assert len([item for item in emails_to(smtp_sink, BUSINESS_MANAGER) if "PSTs for the request" in str(parsed(item)["Subject"])]) == 1


def test_assign_asks_host_headteacher(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    chosen = _case(config)["shortlist"][0]
    smtp_sink.clear()

    document = _assign_first(config, imap_account, smtp_sink)

    assert document["state"] == "awaiting_consent"
    assert document["pst"] == {"name": chosen["pst_name"], "email": chosen["pst_email"]}
    host = document["host_headteacher"]["email"]
    [request] = emails_to(smtp_sink, host)
    assert "Please reply to this email with YES to consent to the visit" in plain_body(request)
    [heads_up] = emails_to(smtp_sink, chosen["pst_email"])
    assert "A request to visit you is on its way" in str(parsed(heads_up)["Subject"])
    assert "assigned" in plain_body(emails_to(smtp_sink, STRATEGIC_LEAD)[0])


def test_consent_yes_moves_to_date(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    document = _assign_first(config, imap_account, smtp_sink)
    host = document["host_headteacher"]["email"]
    [request] = [item for item in emails_to(smtp_sink, host)]
    smtp_sink.clear()

    append(imap_account, reply_to(request, "Yes, happy to"))
    run_once(config, "2026-10-16T09:00")

    document = _case(config)
    assert document["state"] == "awaiting_date"
    assert [entry["event"] for entry in document["history"] if entry["event"] == "consent_given"] == ["consent_given"]
    assert len(emails_to(smtp_sink, document["pst"]["email"])) == 1
    assert any("Consent given" in subject for subject in subjects_to(smtp_sink, BUSINESS_MANAGER))


def test_consent_no_leads_to_second_pst(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    first = _assign_first(config, imap_account, smtp_sink)
    refused = first["pst"]["email"]
    [request] = emails_to(smtp_sink, first["host_headteacher"]["email"])
    smtp_sink.clear()

    append(imap_account, reply_to(request, "No, sorry. Not this term."))
    run_once(config, "2026-10-16T09:00")

    document = _case(config)
    assert document["state"] == "awaiting_match"
    assert document["pst"] is None
    assert refused in document["excluded_psts"]
    assert refused not in [entry["pst_email"] for entry in document["shortlist"]]
    assert any("Consent refused" in subject for subject in subjects_to(smtp_sink, STRATEGIC_LEAD))

    assert document["shortlist"], "the second maths PST must be offered"
    second = _assign_first(config, imap_account, smtp_sink, when="2026-10-16T10:00")
    assert second["state"] == "awaiting_consent"
    assert second["pst"]["email"] != refused


def test_consent_silence_reminds_then_escalates(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    # Assigned on Thursday 15/10; 3 school days on is Tuesday 20/10 and 5 is Thursday 22/10.
    document = _assign_first(config, imap_account, smtp_sink)
    host = document["host_headteacher"]["email"]
    smtp_sink.clear()

    run_once(config, "2026-10-20T07:59")
    assert emails_to(smtp_sink, host) == []
    run_once(config, "2026-10-20T08:00")
    assert len(emails_to(smtp_sink, host)) == 1
    run_once(config, "2026-10-22T08:00")
    run_once(config, "2026-10-23T08:00")

    assert len(emails_to(smtp_sink, host)) == 1
    escalations = [subject for subject in subjects_to(smtp_sink, BUSINESS_MANAGER) if "No consent yet" in subject]
    assert len(escalations) == 1


def test_consent_recorded_by_staff(config: Path, imap_account: Account, smtp_sink: SmtpSink) -> None:
    _assign_first(config, imap_account, smtp_sink)

    _staff_reply(config, imap_account, smtp_sink, "consent: yes", "2026-10-16T09:00")

    assert _case(config)["state"] == "awaiting_date"


@pytest.mark.parametrize(
    ("line", "expected"),
    [("assign: 3", "so there is no number 3"), ("assign: nobody@nowhere.example", "no PST in the register has the address")],
    ids=["number-out-of-range", "unknown-address"],
)
def test_assign_rejects_bad_choice(config: Path, imap_account: Account, smtp_sink: SmtpSink, line: str, expected: str) -> None:
    assert len(_case(config)["shortlist"]) == 2
    smtp_sink.clear()

    _staff_reply(config, imap_account, smtp_sink, line, "2026-10-15T09:00")

    assert _case(config)["state"] == "awaiting_match"
    [result] = [item for item in emails_to(smtp_sink, STRATEGIC_LEAD) if "your commands" in str(parsed(item)["Subject"])]
    assert expected in plain_body(result)
