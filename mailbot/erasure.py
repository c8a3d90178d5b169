"""Erasing one person: every finished case they are part of anonymised, their records, emails and register entry removed.

A finished case is anonymised whole, everyone on it included, because its
history and emails name its people together. What the alliance still needs
is held back, each item with the reason. That is an open case, the register
entry of a PST who has one, a register entry that names them as a PST's
headteacher, and emails still waiting to be sent. Erasing again once those
are settled removes the rest. An address the config names as staff is
refused whole, because mailbot cannot work without it.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.anonymise import ERASURE_REQUESTED, Footprint, anonymise_case, anonymise_inbound, clear_email
from mailbot.config import Settings
from mailbot.digest import FINISHED_STATES
from mailbot.errors import MailbotError
from mailbot.mailbox import Mailbox
from mailbot.outbox import WAITING
from mailbot.person_record import PST, PersonRecord, find_person, ledger_lines
from mailbot.raw_mail import RawMail, keys_of
from mailbot.retention import MailboxOpener, protected_keys
from mailbot.store.models import Case, DueWork, InboundMessage, OutboxEmail, Pst

log = logging.getLogger("mailbot.retention")


class ErasureRefused(MailbotError):
    """The address cannot be erased at all; the message explains why and what to do first."""


@dataclass(frozen=True)
class HeldBack:
    """Something about the person that is kept for now, and why."""

    what: str
    why: str


@dataclass
class ErasurePlan:
    """The changes erasing one address makes (cases to anonymise, records and emails to clear, a register entry to delete) and what it holds back."""

    address: str
    record: PersonRecord
    cases: list[Case] = field(default_factory=list)
    messages: list[InboundMessage] = field(default_factory=list)
    emails: list[OutboxEmail] = field(default_factory=list)
    pst: Pst | None = None
    held: list[HeldBack] = field(default_factory=list)
    ledger: list[dict[str, Any]] = field(default_factory=list)
    refusal: str | None = None

    @property
    def nothing_to_do(self) -> bool:
        return not (self.cases or self.messages or self.emails or self.pst)


@dataclass
class ErasureResult:
    plan: ErasurePlan
    footprint: Footprint
    raw_messages: int


def plan_erasure(session: Session, record: PersonRecord) -> ErasurePlan:
    """Decide what erasing ``record``'s address does; change nothing."""
    plan = ErasurePlan(record.address, record)
    if record.staff_roles:
        plan.refusal = (
            f"{record.address} is set in the config as {', '.join(record.staff_roles)}, and mailbot cannot work without it. "
            "Replace it in the config first, then erase it. Nothing was changed."
        )
        return plan

    for case in record.cases:
        _plan_case(plan, case, record.case_roles[case.id])
    plan.messages = [message for message in record.messages if message.case_id is None]
    for item in [*record.emails_to, *record.emails_naming]:
        if item.case_id is not None:
            continue
        if item.status in WAITING:
            plan.held.append(HeldBack(f"the {item.purpose.replace('_', ' ')} email {item.message_id}", "it is still waiting to be sent; erase again once it has gone"))
        else:
            plan.emails.append(item)
    _plan_register(plan, record)
    plan.ledger = ledger_lines(session, [case.id for case in plan.cases])
    return plan


class Erasure:
    """Carries out an erasure in one transaction, deleting the person's raw mail from the mailbox just before it commits."""

    def __init__(self, settings: Settings, sessions: sessionmaker[Session], open_mailbox: MailboxOpener | None = None) -> None:
        self.settings = settings
        self.sessions = sessions
        self.open_mailbox = open_mailbox or (lambda: Mailbox(settings.mailbox))

    def preview(self, address: str) -> ErasurePlan:
        with self.sessions() as session:
            return plan_erasure(session, find_person(session, address, self.settings))

    def carry_out(self, address: str, now: datetime) -> ErasureResult:
        """Erase ``address`` as ``plan_erasure`` decides at this moment; raise ErasureRefused for a staff address.

        A mailbox failure raises MailboxError and rolls the database back, so
        nothing is anonymised, though some raw mail may be gone already.
        """
        with self.sessions.begin() as session:
            plan = plan_erasure(session, find_person(session, address, self.settings))
            if plan.refusal is not None:
                raise ErasureRefused(plan.refusal)

            records = [*plan.messages]
            for case in plan.cases:
                records.extend(session.scalars(select(InboundMessage).where(InboundMessage.case_id == case.id)))
            keys = keys_of(records)
            keys = keys.without(protected_keys(session, keys, [case.id for case in plan.cases]))
            if keys.empty:
                return ErasureResult(plan, self._apply(session, plan, now), 0)

            with self.open_mailbox() as mailbox:
                raw_mail = RawMail(mailbox, (self.settings.mailbox.processed_folder, self.settings.mailbox.attention_folder))
                found = raw_mail.find(keys)
                footprint = self._apply(session, plan, now)
                return ErasureResult(plan, footprint, raw_mail.delete(found))

    def _apply(self, session: Session, plan: ErasurePlan, now: datetime) -> Footprint:
        footprint = Footprint()
        for case in plan.cases:
            footprint.add(anonymise_case(session, case, now, reason=ERASURE_REQUESTED))
        for message in plan.messages:
            anonymise_inbound(message)
        for item in plan.emails:
            clear_email(item)
        if plan.pst is not None:
            _remove_from_register(session, plan.pst)

        log.info(
            "ERASED a person: %d case(s) anonymised, %d message record(s) and %d email(s) about no case cleared, register entry %s, %d item(s) held back",
            len(plan.cases), len(plan.messages), len(plan.emails), "removed" if plan.pst is not None else "none", len(plan.held),
        )
        return footprint


def _plan_case(plan: ErasurePlan, case: Case, roles: list[str]) -> None:
    as_roles = " and ".join(roles)
    if case.state not in FINISHED_STATES:
        why = f"the case is still open ({case.state}) and they are its {as_roles}; erase again once it is closed or cancelled"
        plan.held.append(HeldBack(case.reference, why))
    elif any(item.status in WAITING for item in case.emails):
        plan.held.append(HeldBack(case.reference, "emails of the case are still waiting to be sent; erase again once they have gone"))
    else:
        plan.cases.append(case)


def _plan_register(plan: ErasurePlan, record: PersonRecord) -> None:
    pst = record.pst
    if pst is not None:
        anonymised = {case.id for case in plan.cases}
        # A case held back keeps its link to the register entry, so the entry must stay with it.
        needed_by = [case.reference for case in record.cases if case.pst_id == pst.id and case.id not in anonymised]
        if needed_by:
            plan.held.append(HeldBack("their PST register entry", f"they are the {PST} of {', '.join(needed_by)}, which still need it"))
        else:
            plan.pst = pst
    for other in record.headteacher_of:
        plan.held.append(
            HeldBack(
                f"the register entry of the PST {other.name} <{other.email}>",
                "it names them as that PST's headteacher; import a register with the new headteacher (mailbot pst import FILE), then erase again",
            )
        )


def _remove_from_register(session: Session, pst: Pst) -> None:
    """Delete a PST's register entry and their designation notices, whose keys contain their address."""
    for case in session.scalars(select(Case).where(Case.pst_id == pst.id)):
        case.pst = None
    session.execute(delete(DueWork).where(DueWork.pst_id == pst.id))
    session.delete(pst)
