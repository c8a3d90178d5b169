"""A set-aside message handled again: by `mailbot attention replay`, or by staff forwarding it with `case:` on top."""

from __future__ import annotations

import json
import re
import signal
import time
from pathlib import Path

import pytest
from harness import (
    BUSINESS_MANAGER,
    HOST,
    PST,
    append,
    case,
    case_awaiting_consent,
    emails_to,
    folder_counts,
    folder_messages,
    mailbot,
    parsed,
    plain_body,
    run_once,
    start_daemon,
)
from imapclient import IMAPClient
from servers import Account

from mailbot.embedded import SmtpSink

# The headteacher's YES as a new email: no threading, no reference, so nothing ties it to the case.
LOOSE_YES = (
    f"From: Mr Luke Barnes <{HOST}>\r\n"
    "To: pst@star-tsa.example\r\n"
    "Subject: PST visit from Fernhill\r\n"
    "Message-ID: <loose-yes@northgate-high.example>\r\n"
    "Date: Fri, 16 Oct 2026 08:40:00 +0100\r\n"
    "Content-Type: text/plain; charset=utf-8\r\n\r\n"
    "Yes, that is fine by me.\r\n\r\nLuke Barnes\r\nHeadteacher\r\n"
).encode()


def _set_aside(config: Path) -> dict:
    listed = json.loads(mailbot("attention", "--config", str(config), "--days", "400", "--json").output)
    assert len(listed) == 1, listed
    return listed[0]


@pytest.fixture
def loose_yes(tmp_path: Path, imap_account: Account, smtp_sink: SmtpSink, store_url: str) -> tuple[Path, str]:
    """A case awaiting consent whose headteacher's YES arrived unthreaded and was set aside."""
    config, reference = case_awaiting_consent(tmp_path, imap_account, smtp_sink, store_url)
    append(imap_account, LOOSE_YES)
    run_once(config, "2026-10-16T09:00")
    assert case(config, reference)["state"] == "awaiting_consent"
    assert folder_counts(imap_account)["Needs attention"] == 1
    return config, reference


def test_replay_with_case_applies_answer(loose_yes: tuple[Path, str], imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, reference = loose_yes
    set_aside = _set_aside(config)
    assert set_aside["from"] == HOST
    # Nothing in the message names the case, but its sender is the headteacher the one open case waits for.
    assert set_aside["case"] == reference

    result = mailbot("attention", "replay", str(set_aside["id"]), "--case", reference.lower(), "--config", str(config))

    assert result.exit_code == 0, result.output
    assert f"Message #{set_aside['id']} was handled again about {reference} (reply applied) and moved to Processed." in result.output
    shown = case(config, reference)
    assert shown["state"] == "awaiting_date"
    assert "email_replayed" in [event["event"] for event in shown["history"]]
    counts = folder_counts(imap_account)
    assert counts["Needs attention"] == 0
    assert b"loose-yes@northgate-high.example" in folder_messages(imap_account, "Processed")[-1]
    # The command sends what the replay queued: the PST hears the headteacher agreed.
    assert any("agreed" in plain_body(email).lower() or "consent" in plain_body(email).lower() for email in emails_to(smtp_sink, PST))
    assert "Nothing was set aside" in mailbot("attention", "--config", str(config), "--days", "400").output


def test_replay_twice_is_refused(loose_yes: tuple[Path, str]) -> None:
    config, reference = loose_yes
    number = str(_set_aside(config)["id"])
    assert mailbot("attention", "replay", number, "--case", reference, "--config", str(config)).exit_code == 0

    again = mailbot("attention", "replay", number, "--case", reference, "--config", str(config))

    assert again.exit_code == 1
    assert f"message #{number} was not set aside: it was handled (reply applied)" in again.output


def _notices(sink: SmtpSink) -> int:
    return sum("needs your attention" in str(parsed(email)["Subject"]).lower() for email in emails_to(sink, BUSINESS_MANAGER))


def test_replay_without_case_sets_aside_again(loose_yes: tuple[Path, str], imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, reference = loose_yes
    before = _set_aside(config)

    notices_before = _notices(smtp_sink)
    assert notices_before == 1

    result = mailbot("attention", "replay", str(before["id"]), "--config", str(config))

    assert result.exit_code == 1, result.output
    assert f"Message #{before['id']} is still set aside: {before['reason']}" in result.output
    # The business manager heard of it when it was first set aside; a replay by hand adds no second notice.
    assert _notices(smtp_sink) == notices_before
    after = _set_aside(config)
    assert (after["id"], after["reason"]) == (before["id"], before["reason"])
    assert folder_counts(imap_account)["Needs attention"] == 1
    assert case(config, reference)["state"] == "awaiting_consent"


@pytest.mark.parametrize(
    ("number", "case_reference", "message"),
    [
        ("999", None, "no message #999 was recorded"),
        (None, "PST-2026-9999", "no case has the reference PST-2026-9999"),
        (None, "Oakfield", "'Oakfield' is not a case reference; write it as PST-2026-0007"),
    ],
)
def test_replay_refusals_name_problem(loose_yes: tuple[Path, str], number: str | None, case_reference: str | None, message: str) -> None:
    config, _ = loose_yes
    arguments = ["attention", "replay", number or str(_set_aside(config)["id"]), "--config", str(config)]
    if case_reference:
        arguments += ["--case", case_reference]

    result = mailbot(*arguments)

    assert result.exit_code == 1
    assert message in result.output
    assert len(json.loads(mailbot("attention", "--config", str(config), "--days", "400", "--json").output)) == 1


def test_replay_of_moved_message_fails(loose_yes: tuple[Path, str], imap_account: Account) -> None:
    config, reference = loose_yes
    number = _set_aside(config)["id"]
    with IMAPClient(imap_account.host, port=imap_account.port, ssl=False) as client:
        client.login(imap_account.username, imap_account.password)
        client.create_folder("Done by hand")
        client.select_folder("Needs attention")
        client.move(client.search(["ALL"]), "Done by hand")

    result = mailbot("attention", "replay", str(number), "--case", reference, "--config", str(config))

    assert result.exit_code == 1, result.output
    assert "is still set aside" in result.output
    assert "no longer in the Needs attention folder; move it back there and ask again" in _set_aside(config)["reason"]
    assert case(config, reference)["state"] == "awaiting_consent"


def _forward(body_top: str, *, attached: bytes | None = None, inline: bool = False, tag: str) -> bytes:
    """Build the business manager's forward of LOOSE_YES: as an attached email, or quoted inline."""
    headers = (
        f"From: Sam Okafor <{BUSINESS_MANAGER}>\r\n"
        "To: pst@star-tsa.example\r\n"
        "Subject: FW: PST visit from Fernhill\r\n"
        f"Message-ID: <forward-{tag}@star-tsa.example>\r\n"
    )
    if attached is not None:
        return (
            headers + 'Content-Type: multipart/mixed; boundary="b1"\r\n\r\n'
            "--b1\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n"
            f"{body_top}\r\n\r\n"
            "--b1\r\nContent-Type: message/rfc822\r\nContent-Disposition: attachment\r\n\r\n"
        ).encode() + attached + b"\r\n--b1--\r\n"
    quoted = (
        "________________________________\r\n"
        f"From: Mr Luke Barnes <{HOST}>\r\n"
        "Sent: 16 October 2026 08:40\r\n"
        "To: pst@star-tsa.example\r\n"
        "Subject: PST visit from Fernhill\r\n\r\n"
        "Yes, that is fine by me.\r\n"
    ) if inline else ""
    return (headers + "Content-Type: text/plain; charset=utf-8\r\n\r\n" + f"{body_top}\r\n\r\n{quoted}").encode()


@pytest.mark.parametrize("how", ["attached", "inline"])
def test_forward_with_case_line_replays(
    loose_yes: tuple[Path, str], imap_account: Account, smtp_sink: SmtpSink, how: str
) -> None:
    config, reference = loose_yes
    forward = _forward(f"case: {reference}", attached=LOOSE_YES if how == "attached" else None, inline=how == "inline", tag=how)
    append(imap_account, forward)

    run_once(config, "2026-10-16T10:00")

    assert case(config, reference)["state"] == "awaiting_date"
    counts = folder_counts(imap_account)
    assert (counts["Needs attention"], counts["Processed"]) == (0, 4)
    [answer] = [email for email in emails_to(smtp_sink, BUSINESS_MANAGER) if "will handle the message" in plain_body(email)]
    assert f"again, as mail about {reference}" in re.sub(r"\s+", " ", plain_body(answer))


def test_forward_matching_nothing_answered(loose_yes: tuple[Path, str], imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, reference = loose_yes
    append(imap_account, _forward(f"case: {reference}", tag="bare"))
    run_once(config, "2026-10-16T10:00")

    # The forward's subject still names the set-aside message, so this one is found by it.
    assert any("will handle the message" in plain_body(email) for email in emails_to(smtp_sink, BUSINESS_MANAGER))
    assert case(config, reference)["state"] == "awaiting_date"

    other = _forward(f"case: {reference}", tag="other").replace(b"FW: PST visit from Fernhill", b"FW: Something else")
    append(imap_account, other)
    run_once(config, "2026-10-16T11:00")
    [answer] = [email for email in emails_to(smtp_sink, BUSINESS_MANAGER) if "Something else" in plain_body(email)]
    assert 'no message with the subject "Something else" was set aside in the last 90 days' in re.sub(r"\s+", " ", plain_body(answer))


def test_case_line_must_be_alone(loose_yes: tuple[Path, str], imap_account: Account, smtp_sink: SmtpSink) -> None:
    config, reference = loose_yes
    append(imap_account, _forward(f"case: {reference}\r\nnote: phoned him", attached=LOOSE_YES, tag="with-note"))

    run_once(config, "2026-10-16T10:00")

    assert case(config, reference)["state"] == "awaiting_consent"
    body = re.sub(r"\s+", " ", plain_body(emails_to(smtp_sink, BUSINESS_MANAGER)[-1]))
    assert "case: must be the only command in its email" in body
    assert folder_counts(imap_account)["Needs attention"] == 1


def test_running_daemon_does_replay(loose_yes: tuple[Path, str], imap_account: Account, tmp_path: Path) -> None:
    config, reference = loose_yes
    number = str(_set_aside(config)["id"])
    log_file = tmp_path / "daemon.log"
    daemon = start_daemon(config, log_file)
    try:
        deadline = time.monotonic() + 60
        while "IDLE on" not in log_file.read_text(errors="replace") and time.monotonic() < deadline:
            time.sleep(0.3)
        assert "IDLE on" in log_file.read_text(errors="replace"), log_file.read_text(errors="replace")

        result = mailbot("attention", "replay", number, "--case", reference, "--config", str(config))
    finally:
        daemon.send_signal(signal.SIGTERM)
        daemon.wait(timeout=30)

    assert result.exit_code == 0, result.output
    assert f"A mailbot daemon is running, so it will handle message #{number} at its next pass." in result.output
    assert f"Message #{number} was handled again about {reference} (reply applied)" in result.output
    assert f"REPLAYED message #{number} for the command line: reply applied on {reference}" in log_file.read_text()
    assert case(config, reference)["state"] == "awaiting_date"
    assert folder_counts(imap_account)["Needs attention"] == 0
