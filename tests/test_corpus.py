"""Every message in tests/corpus/, applied by the daemon's intake to the fixed world, reaches its expected outcome."""

from __future__ import annotations

import shutil
import tomllib
from pathlib import Path
from typing import Any

import pytest
from corpus_world import NOW, build_world, write_world_config
from sqlalchemy import select

from mailbot.attachment import attached_documents
from mailbot.bounce import read_bounce
from mailbot.classify import Kind, classify
from mailbot.config import load_settings
from mailbot.daemon import Daemon
from mailbot.message import UnreadableMessage, parse_mail
from mailbot.store.models import CaseEvent, InboundMessage, OutboxEmail
from mailbot.workflow import Destination, MailboxPosition

CORPUS = Path(__file__).parent / "corpus"
MESSAGES = sorted(CORPUS.glob("*/*.eml"))
EXPECTATION_KEYS = {"about", "client", "outcome", "case", "intent", "automatic", "bounced", "attachments", "opens_case"}
# Keys an expectation may add: "events", the case history entries the message must record.
OPTIONAL_KEYS = {"events"}

# The history events that record an answer, and the answer each records.
ANSWER_EVENTS = {
    "endorsed": "yes",
    "consent_given": "yes",
    "endorsement_declined": "no",
    "consent_refused": "no",
    "reply_unclear": "unclear",
}
CRASH_REASON = "mailbot failed while handling this message"


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder of the world's database, built once and copied for each message."""
    folder = tmp_path_factory.mktemp("corpus-world")
    build_world(folder)
    return folder


def _expectation(message: Path) -> dict[str, Any]:
    path = message.with_suffix(".toml")
    assert path.exists(), f"{message.name} has no expectation file {path.name} beside it"
    expected = tomllib.loads(path.read_text(encoding="utf-8"))
    assert EXPECTATION_KEYS <= set(expected) <= EXPECTATION_KEYS | OPTIONAL_KEYS, f"{path.name}: keys must be {sorted(EXPECTATION_KEYS)}, and may add {sorted(OPTIONAL_KEYS)}"
    return expected


def _intent(events: list[CaseEvent]) -> str:
    answers = [ANSWER_EVENTS[event.event] for event in events if event.event in ANSWER_EVENTS]
    assert len(answers) <= 1, f"one message recorded several answers: {answers}"
    return answers[0] if answers else ""


def _observe(daemon: Daemon, raw: bytes) -> dict[str, Any]:
    """Apply ``raw`` as the next inbox message and return what happened, in the expectation's terms."""
    position = MailboxPosition("INBOX", 1, 1, len(raw))
    outcome = daemon.intake.apply(raw, position, NOW)

    with daemon.sessions() as session:
        inbound = session.scalars(select(InboundMessage).order_by(InboundMessage.id.desc()).limit(1)).one()
        events = list(session.scalars(select(CaseEvent).where(CaseEvent.inbound_message_id == inbound.id)))
        assert not (inbound.reason or "").startswith(CRASH_REASON), inbound.reason
        opens_case = outcome.outcome == "case_opened"
        observed = {
            "outcome": "attention" if outcome.destination is Destination.ATTENTION else "processed",
            # A new case's reference depends on the world, so the expectation leaves it out.
            "case": inbound.case.reference if inbound.case is not None and not opens_case else "",
            "intent": _intent(events),
            "opens_case": opens_case,
            "events": sorted({event.event for event in events}),
        }
        sender = inbound.sender or ""
        answered_sender = session.scalars(select(OutboxEmail.id).where(OutboxEmail.recipient == sender, OutboxEmail.created_at == NOW)).first()

    try:
        mail = parse_mail(raw)
    except UnreadableMessage:
        return {**observed, "automatic": False, "bounced": "", "attachments": [], "answered_sender": False}

    settings = daemon.settings
    kind = classify(mail, settings.alliance.address, daemon.rules.form, settings.alliance.staff).kind
    bounce = read_bounce(mail)
    return {
        **observed,
        "automatic": kind is Kind.AUTOMATIC,
        # A delay warning names the address the server is still trying, which has not failed.
        "bounced": bounce.recipients[0] if bounce is not None and bounce.recipients and not bounce.delayed_only else "",
        "attachments": [document.filename for document in attached_documents(mail.message)],
        "answered_sender": answered_sender is not None,
    }


@pytest.mark.parametrize("message", MESSAGES, ids=[str(path.relative_to(CORPUS).with_suffix("")) for path in MESSAGES])
def test_corpus_message(message: Path, world: Path, tmp_path: Path) -> None:
    expected = _expectation(message)
    shutil.copy(world / "world.sqlite3", tmp_path / "world.sqlite3")
    daemon = Daemon(load_settings(write_world_config(tmp_path)))

    try:
        observed = _observe(daemon, message.read_bytes())
    finally:
        daemon.close()

    wanted = {key: expected[key] for key in EXPECTATION_KEYS - {"about", "client"}}
    got = {key: observed[key] for key in wanted}
    assert got == wanted, expected["about"]
    missing_events = set(expected.get("events", [])) - set(observed["events"])
    assert not missing_events, f"{expected['about']}: the case history lacks {sorted(missing_events)}; it has {observed['events']}"
    if expected["automatic"] or expected["bounced"]:
        assert not observed["answered_sender"], "automatic mail and bounces must never be answered"


def test_corpus_size_and_coverage() -> None:
    clients = {_expectation(message)["client"] for message in MESSAGES}

    assert len(MESSAGES) >= 150
    assert {"outlook-desktop", "outlook-web", "gmail-web", "apple-mail", "thunderbird", "iphone-mail"} <= clients
    assert {"exchange", "postfix", "exim", "gmail-smtp"} <= clients
