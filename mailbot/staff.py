"""Apply staff commands to a case: all of one email's commands together, or none of them.

Only addresses in ``[alliance] staff`` reach this module; the same lines from
anyone else are never read as commands. Every applied command is written to
the case's history with who sent it and from which message, and the sender
gets a short reply listing what changed or why nothing did.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from mailbot.after_visit import AfterVisit, HalfDaysRejected
from mailbot.assignment import AWAITING as AWAITING_MATCH
from mailbot.assignment import AssignmentRejected, Matching
from mailbot.case_history import change_state, record
from mailbot.commands import Command, CommandReading
from mailbot.config import Settings
from mailbot.consent import AWAITING as AWAITING_CONSENT
from mailbot.consent import Consent
from mailbot.duework import cancel as cancel_due_work
from mailbot.duework import schedule as schedule_due_work
from mailbot.endorsement import AWAITING as AWAITING_ENDORSEMENT
from mailbot.endorsement import Endorsement
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.register import PstNotFound, RegisterError, redesignate
from mailbot.render import uk_date
from mailbot.replay import ReplayRejected, forwarded_set_aside, request_replay
from mailbot.ruleset import Rules
from mailbot.store.models import Case
from mailbot.timings import local_moment
from mailbot.visit_timeline import schedule_visit_work
from mailbot.visits import CASE_CLOSE, SCHEDULED, VISITED, VisitRejected, Visits

log = logging.getLogger("mailbot.workflow")

FINISHED_STATES = ("closed", "declined", "cancelled")

# Charges can be corrected after a case closes, because the finance figures must be right.
HALF_DAYS_STATES = ("scheduled", "visited", "closed")
# Commands about a PST or a forwarded message rather than a case, which may come in an email that names no case.
CASELESS_COMMANDS = ("redesignate", "case")


class CommandRejected(ValueError):
    """A command cannot apply to the case in its current state; the message names the line."""


@dataclass
class CommandOutcome:
    changes: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


class StaffCommands:
    """Checks and applies the commands of one staff email to one case."""

    def __init__(
        self,
        settings: Settings,
        rules: Rules,
        outbox: Outbox,
        endorsement: Endorsement,
        consent: Consent,
        matching: Matching,
        after_visit: AfterVisit,
    ) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox
        self.endorsement = endorsement
        self.consent = consent
        self.matching = matching
        self.after_visit = after_visit
        self.visits = Visits(settings, rules, outbox)

    def is_staff(self, address: str) -> bool:
        return address.casefold() in {member.casefold() for member in self.settings.alliance.staff}

    def apply(
        self,
        session: Session,
        case: Case | None,
        reading: CommandReading,
        mail: InboundMail,
        now: datetime,
        inbound_id: int,
        allowed: tuple[str, ...] | None = None,
    ) -> CommandOutcome:
        """Apply every command in ``reading`` to ``case``, or none when any is invalid; reply to the sender.

        ``allowed`` limits the commands, for senders who are not staff, such as the PST setting a date.
        """
        outcome = CommandOutcome(errors=list(reading.errors))
        if not outcome.errors and allowed is not None:
            outcome.errors = [
                f'line {command.line_number}: "{command.text.strip()}" can only be sent by alliance staff; you can send only {", ".join(f"{name}:" for name in allowed)}'
                for command in reading.commands
                if command.name not in allowed
            ]
        if not outcome.errors:
            outcome.errors = [error for command in reading.commands if (error := self._check(case, command))]

        if not outcome.errors:
            # A savepoint, so a command that fails half-way leaves no trace of the others.
            savepoint = session.begin_nested()
            try:
                for command in reading.commands:
                    outcome.changes.append(self._apply_one(session, case, command, mail, now, inbound_id))
                savepoint.commit()
            except CommandRejected as exc:
                savepoint.rollback()
                outcome.changes = []
                outcome.errors = [str(exc)]

        self._reply(session, case, mail, outcome, now)
        if outcome.errors:
            about = case.reference if case is not None else "no case"
            log.info("REJECT commands for %s from %s: %s", about, mail.sender_address, "; ".join(outcome.errors))
        return outcome

    def _check(self, case: Case | None, command: Command) -> str | None:
        where = f'line {command.line_number}: "{command.text.strip()}"'
        if command.name in CASELESS_COMMANDS:
            return None
        if case is None:
            return f"{where} needs a case: reply to an email about the case, or put its reference in the subject"
        if command.name == "half-days" and case.state not in HALF_DAYS_STATES:
            return f"{where} cannot be used because {case.reference} has no visit to charge (it is {case.state})"
        if case.state in FINISHED_STATES and command.name not in ("note", "half-days"):
            return f"{where} cannot be used because {case.reference} is {case.state}; only note: and half-days: work on it now"
        if command.name == "endorse" and case.state != AWAITING_ENDORSEMENT:
            return f"{where} cannot be used because {case.reference} is not waiting for endorsement (it is {case.state})"
        if command.name == "assign" and case.state != AWAITING_MATCH:
            return f"{where} cannot be used because {case.reference} is not waiting for a PST to be matched (it is {case.state})"
        if command.name == "visit" and case.state not in ("awaiting_date", "scheduled"):
            return f"{where} cannot be used because {case.reference} has no consented visit to date (it is {case.state})"
        if command.name == "add-visit" and case.state not in (SCHEDULED, VISITED):
            return f"{where} cannot be used because {case.reference} has no first visit yet; use visit: for that"
        if command.name == "consent" and case.state != AWAITING_CONSENT:
            return f"{where} cannot be used because {case.reference} is not waiting for consent (it is {case.state})"
        if command.name == "hold" and case.state == "on_hold":
            return f"{where} cannot be used because {case.reference} is already on hold"
        if command.name == "resume" and case.state != "on_hold":
            return f"{where} cannot be used because {case.reference} is not on hold"
        return None

    def _apply_one(
        self, session: Session, case: Case | None, command: Command, mail: InboundMail, now: datetime, inbound_id: int
    ) -> str:
        actor = mail.sender_address
        if command.name == "redesignate":
            return self._redesignate(session, case, command, actor, now, inbound_id)
        if command.name == "case":
            return self._replay_forwarded(session, command, mail, now)

        if case is None:
            raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}" needs a case')
        record(session, case, "command", now, actor=actor, inbound_id=inbound_id, line=command.text.strip(), message_id=mail.message_id)

        if command.name in ("endorse", "consent"):
            stage = self.endorsement if command.name == "endorse" else self.consent
            stage.record(session, case, bool(command.answer), now, actor=actor, inbound_id=inbound_id)
            return f"recorded the headteacher's {'YES' if command.answer else 'NO'} to {stage.question}; the case is now {case.state}"
        if command.name == "assign":
            return self._assign(session, case, command, actor, now, inbound_id)
        if command.name in ("visit", "add-visit"):
            return self._visit(session, case, command, actor, now, inbound_id)
        if command.name == "note":
            record(session, case, "note", now, actor=actor, inbound_id=inbound_id, text=command.note)
            return "added the note to the case's history"
        if command.name == "cancel":
            return self._cancel(session, case, command, actor, now, inbound_id)
        if command.name == "hold":
            cancel_due_work(session, now, case=case)
            case.state_before_hold = case.state
            change_state(session, case, "on_hold", now, event="held", actor=actor, inbound_id=inbound_id, reason=command.reason)
            return "put the case on hold; its reminders are stopped until resume"
        if command.name == "resume":
            return self._resume(session, case, actor, now, inbound_id)
        if command.name == "half-days":
            try:
                return self.after_visit.set_half_days(session, case, command.count or 1, now, actor=actor, inbound_id=inbound_id)
            except HalfDaysRejected as exc:
                raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}": {exc}') from exc
        raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}" is not handled')

    def _assign(self, session: Session, case: Case, command: Command, actor: str, now: datetime, inbound_id: int) -> str:
        today = now.astimezone(self.settings.zone).date()
        try:
            pst = self.matching.choose(session, case, command.shortlist_number, command.email, today)
        except AssignmentRejected as exc:
            raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}": {exc}') from exc
        self.matching.assign(session, case, pst, now, actor=actor, inbound_id=inbound_id)
        return f"assigned {pst.name} ({pst.school}) and asked {pst.headteacher_name or pst.headteacher_email} for consent"

    def _visit(self, session: Session, case: Case, command: Command, actor: str, now: datetime, inbound_id: int) -> str:
        try:
            if command.name == "visit":
                return self.visits.set_date(session, case, command.day, command.session or "am", now, actor=actor, inbound_id=inbound_id)
            return self.visits.add_visit(session, case, command.day, command.session or "am", now, actor=actor, inbound_id=inbound_id)
        except VisitRejected as exc:
            raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}": {exc}') from exc

    def _redesignate(self, session: Session, case: Case | None, command: Command, actor: str, now: datetime, inbound_id: int) -> str:
        try:
            pst = redesignate(session, command.email or "", command.day, now, self.rules.timings, self.settings.zone, actor)
        except (PstNotFound, RegisterError) as exc:
            raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}": {exc}') from exc
        if case is not None:
            record(session, case, "command", now, actor=actor, inbound_id=inbound_id, line=command.text.strip())
        log.info("REDESIGNATE %s from %s by %s", pst.email, pst.designated_on.isoformat(), actor)
        return f"recorded {pst.name}'s re-designation from {uk_date(pst.designated_on)}"

    def _replay_forwarded(self, session: Session, command: Command, mail: InboundMail, now: datetime) -> str:
        """Ask for the set-aside message that ``mail`` forwards to be handled again as mail about the named case."""
        try:
            inbound = forwarded_set_aside(session, mail, now)
            request_replay(session, inbound.id, command.reference, mail.sender_address, now)
        except ReplayRejected as exc:
            raise CommandRejected(f'line {command.line_number}: "{command.text.strip()}": {exc}') from exc
        sender = inbound.sender or "an unknown sender"
        return (
            f'will handle the message from {sender} ("{inbound.subject or "no subject"}", set aside on '
            f"{uk_date(inbound.recorded_at.astimezone(self.settings.zone))}) again, as mail about {command.reference}; "
            "the case's history will show what it did, and you will hear if it cannot"
        )

    def _cancel(self, session: Session, case: Case, command: Command, actor: str, now: datetime, inbound_id: int) -> str:
        """Cancel the case and its visits still to come, and notify everyone the case has involved so far."""
        cancel_due_work(session, now, case=case)
        cancellations = self.visits.cancel_all(session, case, now)
        change_state(session, case, "cancelled", now, event="cancelled", actor=actor, inbound_id=inbound_id, reason=command.reason)

        people = self._told_of_cancellation(case, had_visits=bool(cancellations))
        context = {"case": case, "reason": command.reason, "visits_cancelled": len(cancellations)}
        for person in people:
            self.outbox.queue(session, purpose="case_cancelled", recipient=person, context=context, now=now, case=case, attachments=cancellations)
        told = ", ".join(person.address for person in people)
        if cancellations:
            return f"cancelled the case and its {len(cancellations)} visit(s) still to come, and told {told}"
        return f"cancelled the case and told {told}"

    def _told_of_cancellation(self, case: Case, *, had_visits: bool) -> list[Recipient]:
        """Return who hears of a cancellation: those invited to a visit, or else the requester and any PST already asked."""
        if had_visits:
            return self.visits.participants(case)
        people = [Recipient(case.requester_email, case.requester_name)]
        if case.pst is not None:
            people.append(Recipient(case.pst.email, case.pst.name))
            if case.host_headteacher_email:
                people.append(Recipient(case.host_headteacher_email, case.host_headteacher_name))
        return people

    def _resume(self, session: Session, case: Case, actor: str, now: datetime, inbound_id: int) -> str:
        state = case.state_before_hold or "awaiting_match"
        case.state_before_hold = None
        change_state(session, case, state, now, event="resumed", actor=actor, inbound_id=inbound_id)
        if state == AWAITING_ENDORSEMENT:
            self.endorsement.schedule_chase(session, case, now)
        if state == AWAITING_CONSENT:
            self.consent.schedule_chase(session, case, now)
        if state == AWAITING_MATCH:
            self.matching.offer(session, case, now)
        if state == SCHEDULED:
            for visit in case.visits:
                if visit.status == SCHEDULED:
                    schedule_visit_work(session, visit, self.rules, self.settings, now)
        if state == VISITED:
            today = now.astimezone(self.settings.zone).date()
            close_day = self.rules.calendar.add_school_days(today, self.rules.timings.close_school_days_after)
            schedule_due_work(session, kind=CASE_CLOSE, due_at=local_moment(close_day, self.rules.timings.send_time, self.settings.zone), now=now, case=case)
        return f"resumed the case; it is {self.rules.state_label(state).lower()} again"

    def _reply(self, session: Session, case: Case | None, mail: InboundMail, outcome: CommandOutcome, now: datetime) -> None:
        state_label = self.rules.state_label(case.state) if case is not None else None
        self.outbox.queue(
            session,
            purpose="command_result",
            recipient=Recipient(mail.sender_address, mail.sender_name or None),
            context={"case": case, "changes": outcome.changes, "errors": outcome.errors, "state_label": state_label},
            now=now,
            case=case,
            in_reply_to=mail.message_id,
        )
