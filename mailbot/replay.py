"""Set-aside messages handled again at a person's request, optionally as mail about a case they name.

A request is written on the message's own record, by `mailbot attention
replay` or by a member of staff who forwards the message with
`case: PST-2026-0007` on top. The pass over the inbox carries requests out
at its end, because only the pass has the mailbox open: it finds the message in
the Needs attention folder, applies it as if it had just arrived, updates the
message's one record, and moves it to Processed unless it is set aside again.
Requests survive a restart, since they are rows, so none is lost between
the staff email that asks and the pass that acts.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.case_history import record
from mailbot.config import Settings
from mailbot.form import html_to_text
from mailbot.forwarded import FORWARD_PREFIX, FORWARD_START, SUBJECT_LINE
from mailbot.inbound import Destination, MailboxPosition, Outcome
from mailbot.mailbox import Mailbox
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.references import find_reference
from mailbot.render import uk_date
from mailbot.store.models import Case, InboundMessage

log = logging.getLogger("mailbot.replay")

SET_ASIDE = "set_aside"
# How far back a forwarded message is looked for among the set-aside ones.
FORWARD_LOOKBACK_DAYS = 90
_ADDRESS = re.compile(r"[^\s<>()\[\]\"',;:]+@[^\s<>()\[\]\"',;:]+\.[A-Za-z]{2,}")
_FROM_LINE = re.compile(r"^(from|von|de|van):\s*(.*)$", re.IGNORECASE | re.MULTILINE)

# The intake's apply step: commit the effect of raw bytes at a position, with the case staff named.
Apply = Callable[[bytes, MailboxPosition, datetime, str | None], Outcome]


class ReplayRejected(ValueError):
    """A request to handle a message again is invalid; the message gives the reason and what to do."""


@dataclass(frozen=True)
class _Request:
    id: int
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    sha256: str
    sender: str | None
    case_reference: str | None
    requested_by: str


def request_replay(session: Session, inbound_id: int, case_reference: str | None, requested_by: str, now: datetime) -> InboundMessage:
    """Mark the set-aside message ``inbound_id`` to be handled again at the next pass, or raise ReplayRejected."""
    inbound = session.get(InboundMessage, inbound_id)
    if inbound is None:
        raise ReplayRejected(f"no message #{inbound_id} was recorded; `mailbot attention` lists the set-aside ones with their numbers")
    if inbound.outcome != SET_ASIDE:
        raise ReplayRejected(f"message #{inbound_id} was not set aside: it was handled ({inbound.outcome.replace('_', ' ')}), so there is nothing to do again")

    reference = None
    if case_reference is not None:
        reference = find_reference(case_reference)
        if reference is None or reference != case_reference.strip().upper():
            raise ReplayRejected(f"{case_reference!r} is not a case reference; write it as PST-2026-0007")
        if session.scalars(select(Case.id).where(Case.reference == reference)).first() is None:
            raise ReplayRejected(f"no case has the reference {reference}; `mailbot cases` lists them")

    inbound.replay_requested_at = now
    inbound.replay_requested_by = requested_by
    inbound.replay_case_reference = reference
    log.info("REPLAY requested for message #%d by %s%s", inbound.id, requested_by, f" as mail about {reference}" if reference else "")
    return inbound


def forwarded_set_aside(session: Session, mail: InboundMail, now: datetime) -> InboundMessage:
    """Return the set-aside message that a staff email forwards, or raise ReplayRejected saying why none or several fit.

    An attached email names itself by its Message-ID. An inline forward only
    quotes the sender and the subject, so those must match exactly one
    set-aside message of the last few months.
    """
    query = select(InboundMessage).where(
        InboundMessage.outcome == SET_ASIDE, InboundMessage.recorded_at >= now - timedelta(days=FORWARD_LOOKBACK_DAYS)
    )
    attached_ids = _attached_message_ids(mail)
    if attached_ids:
        found = session.scalars(query.where(InboundMessage.message_id.in_(attached_ids)).order_by(InboundMessage.id)).all()
        if found:
            return found[-1]
        raise ReplayRejected("the attached email is not among the messages set aside in the last 90 days, so there is nothing to handle again")

    sender, subject = _quoted_sender_and_subject(mail)
    if subject is None:
        raise ReplayRejected("no forwarded email was found in this message; forward the set-aside message itself, with case: on the first line")
    candidates = session.scalars(query.where(func.lower(InboundMessage.subject) == subject.casefold()).order_by(InboundMessage.id)).all()
    if sender is not None:
        candidates = [candidate for candidate in candidates if (candidate.sender or "").casefold() == sender.casefold()]
    if len(candidates) == 1:
        return candidates[0]

    if not candidates:
        raise ReplayRejected(f'no message with the subject "{subject}" was set aside in the last 90 days')
    listed = ", ".join(f"#{candidate.id} of {uk_date(candidate.recorded_at)}" for candidate in candidates)
    raise ReplayRejected(
        f'{len(candidates)} set-aside messages have the subject "{subject}" ({listed}); '
        "forward the one you mean as an attachment, or ask for it by number with mailbot attention replay"
    )


class Replayer:
    """Carries out the requests to handle set-aside messages again, with the pass's mailbox."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], outbox: Outbox, apply: Apply) -> None:
        self.settings = settings
        self.sessions = sessions
        self.outbox = outbox
        self.apply = apply

    def run_requested(self, mailbox: Mailbox, clock: Callable[[], datetime]) -> int:
        """Handle again every message someone asked for; return how many were found and applied."""
        with self.sessions() as session:
            requests = [_snapshot(row) for row in session.scalars(_pending_query())]
        if not requests:
            return 0

        folders = self.settings.mailbox
        mailbox.open_folder(folders.attention_folder)
        applied = 0
        for request in requests:
            now = clock()
            uid = self._locate(mailbox, request)
            if uid is None:
                self._give_up(request, now, f"it is no longer in the {folders.attention_folder} folder; move it back there and ask again")
                continue
            size = mailbox.size_of(uid)
            if size is not None and size > folders.max_message_bytes:
                self._give_up(request, now, f"it is still larger than [mailbox] max_message_bytes ({folders.max_message_bytes / 1_000_000:.1f} MB)")
                continue
            fetched = mailbox.fetch(uid)
            if fetched is None:
                self._give_up(request, now, f"it left the {folders.attention_folder} folder while mailbot was reading it")
                continue

            position = MailboxPosition(request.folder, request.uidvalidity, request.uid, fetched.size_bytes, replacing_id=request.id)
            outcome = self.apply(fetched.raw, position, now, request.case_reference)
            self._note_on_case(request, outcome, now)
            if outcome.destination is Destination.ATTENTION:
                self._tell_requester(request, now, f"it was set aside again: {outcome.reason}")
            applied += 1
            if outcome.destination is Destination.PROCESSED:
                mailbox.move(uid, folders.processed_folder)
            log.info(
                "REPLAYED message #%d for %s: %s%s",
                request.id, request.requested_by, outcome.outcome.replace("_", " "),
                f" on {outcome.case_reference}" if outcome.case_reference else "",
            )
        return applied

    def _locate(self, mailbox: Mailbox, request: _Request) -> int | None:
        """Return the message's UID in the selected folder, checking the bytes where no Message-ID names it."""
        uids = mailbox.find(request.message_id, request.sender)
        if request.message_id:
            return uids[-1] if uids else None
        for uid in uids:
            fetched = mailbox.fetch(uid)
            if fetched is not None and hashlib.sha256(fetched.raw).hexdigest() == request.sha256:
                return uid
        return None

    def _give_up(self, request: _Request, now: datetime, reason: str) -> None:
        """Drop a request that cannot be carried out, keep the message set aside, and tell the member of staff who asked by email."""
        with self.sessions.begin() as session:
            inbound = session.get_one(InboundMessage, request.id)
            inbound.replay_requested_at = None
            inbound.replay_requested_by = None
            inbound.replay_case_reference = None
            inbound.reason = f"{inbound.reason} It could not be handled again on {uk_date(now.astimezone(self.settings.zone))}: {reason}."
        self._tell_requester(request, now, reason)
        log.warning("REPLAY of message #%d failed: %s", request.id, reason)

    def _tell_requester(self, request: _Request, now: datetime, reason: str) -> None:
        """Tell a member of staff who asked by email that the message still needs a person; the command line shows it itself."""
        if "@" not in request.requested_by:
            return
        with self.sessions.begin() as session:
            subject = session.get_one(InboundMessage, request.id).subject or "no subject"
            self.outbox.queue(
                session,
                purpose="command_result",
                recipient=Recipient(request.requested_by),
                context={"case": None, "changes": [], "errors": [f"message #{request.id} ({subject}) still needs a person: {reason}"], "state_label": None},
                now=now,
            )

    def _note_on_case(self, request: _Request, outcome: Outcome, now: datetime) -> None:
        if outcome.case_reference is None:
            return
        with self.sessions.begin() as session:
            case = session.scalars(select(Case).where(Case.reference == outcome.case_reference)).one()
            record(session, case, "email_replayed", now, actor=request.requested_by, inbound_id=request.id, outcome=outcome.outcome)


def _pending_query():
    return select(InboundMessage).where(InboundMessage.replay_requested_at.is_not(None)).order_by(InboundMessage.replay_requested_at, InboundMessage.id)


def _snapshot(row: InboundMessage) -> _Request:
    return _Request(
        id=row.id,
        folder=row.folder,
        uidvalidity=row.uidvalidity,
        uid=row.uid,
        message_id=row.message_id,
        sha256=row.sha256,
        sender=row.sender,
        case_reference=row.replay_case_reference,
        requested_by=row.replay_requested_by or "someone",
    )


def _attached_message_ids(mail: InboundMail) -> list[str]:
    found = []
    for part in mail.message.walk():
        if part.get_content_type() != "message/rfc822":
            continue
        payload = part.get_payload()
        if isinstance(payload, list) and payload and payload[0].get("Message-ID"):
            found.append(" ".join(str(payload[0]["Message-ID"]).split()))
    return found


def _quoted_sender_and_subject(mail: InboundMail) -> tuple[str | None, str | None]:
    """Return the sender's address and the subject quoted in an inline forward, or else the forward's own subject."""
    text = mail.text_plain or html_to_text(mail.text_html or "")
    start = FORWARD_START.search(text)
    if start is not None:
        block = text[start.start() :]
        subject_line = SUBJECT_LINE.search(block)
        from_line = _FROM_LINE.search(block)
        address = _ADDRESS.search(from_line.group(2)) if from_line else None
        if subject_line is not None:
            return (address.group(0) if address else None), " ".join(subject_line.group(2).split())

    if FORWARD_PREFIX.match(mail.subject):
        return None, FORWARD_PREFIX.sub("", mail.subject, count=1).strip()
    return None, None
