"""Open a case from a request form: check it, store it, and send the first emails.

A form that is a second submission of one already open, with every answer
the same, opens no case: the website lets a form be sent twice, and a second
case would ask the headteacher twice.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.case_history import record
from mailbot.config import Settings
from mailbot.endorsement import Endorsement
from mailbot.assignment import Matching
from mailbot.form import FormReading
from mailbot.inbound import Destination, MailboxPosition, Outcome, record_inbound
from mailbot.message import InboundMail
from mailbot.outbox import AUTO_REPLIED, Outbox, Recipient
from mailbot.references import next_reference
from mailbot.ruleset import Rules
from mailbot.store.models import Case, CaseEvent

log = logging.getLogger("mailbot.workflow")

CLOSED_STATES = ("closed", "declined", "cancelled")
# A resubmitted form counts as the same request for this long after the first.
RESUBMISSION_WINDOW = timedelta(days=30)
# The case fields a resubmitted form must repeat exactly.
FORM_FIELDS = (
    "school", "requester_name", "requester_email", "headteacher_name", "headteacher_email", "visiting_teacher_name",
    "visiting_teacher_email", "initiated_by", "context", "reason", "objectives",
)


class FormProblem(ValueError):
    """A form was read but cannot become a case; the text is for the business manager."""


class CaseOpening:
    """Opens cases from request forms."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox, endorsement: Endorsement, matching: Matching) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox
        self.endorsement = endorsement
        self.matching = matching

    def open(
        self, session: Session, mail: InboundMail, reading: FormReading, position: MailboxPosition, now: datetime
    ) -> Outcome:
        """Open a case from the form ``reading``, or record it on the open case it repeats; raise FormProblem for an unusable form."""
        problems = _form_problems(reading, self.rules)
        if problems:
            raise FormProblem(problems)

        case = _new_case(reading, now)
        earlier = _same_request(session, case, now)
        if earlier is not None:
            inbound = record_inbound(session, position, now, mail, outcome="duplicate_form", case=earlier)
            record(session, earlier, "form_resubmitted", now, actor=case.requester_email, inbound_id=inbound.id, message_id=mail.message_id)
            log.info("RESUBMITTED %s: the form from %s repeats it exactly; no new case", earlier.reference, case.requester_email)
            return Outcome(Destination.PROCESSED, "duplicate_form", case_reference=earlier.reference)

        case.reference = next_reference(session, now.astimezone(self.settings.zone).year)
        session.add(case)
        inbound = record_inbound(session, position, now, mail, outcome="case_opened", case=case)
        session.add(
            CaseEvent(
                case=case,
                at=now,
                event="case_opened",
                actor=case.requester_email,
                inbound_message_id=inbound.id,
                details={"state": case.state, "message_id": mail.message_id, "sender": mail.sender_address},
            )
        )

        self._queue_opening_emails(session, case, now)
        log.info("OPEN %s from %s: %s for %s, state=%s", case.reference, mail.describe(), case.requester_email, case.school, case.state)
        return Outcome(Destination.PROCESSED, "case_opened", case_reference=case.reference)

    def _queue_opening_emails(self, session: Session, case: Case, now: datetime) -> None:
        context = {
            "case": case,
            "state_label": self.rules.state_label(case.state),
            "needs_endorsement": _needs_endorsement(case),
            "possible_repeat": _possible_repeat(session, case),
        }

        self.outbox.queue(
            session,
            purpose="request_acknowledgement",
            recipient=Recipient(case.requester_email, case.requester_name),
            context=context,
            now=now,
            case=case,
            auto_submitted=AUTO_REPLIED,
        )
        if _needs_endorsement(case):
            self.endorsement.request(session, case, now)
        else:
            self.matching.offer(session, case, now)

        staff = dict.fromkeys(a.lower() for a in (self.settings.alliance.business_manager, self.settings.alliance.strategic_lead))
        for address in staff:
            self.outbox.queue(session, purpose="new_request_notice", recipient=Recipient(address), context=context, now=now, case=case)


def _form_problems(reading: FormReading, rules: Rules) -> str:
    """Describe in plain words why a form cannot become a case, or return ''."""
    sentences = []
    if reading.missing:
        labels = ", ".join(f'"{label}"' for label in reading.missing)
        sentences.append(f"The PST request form is missing required information: {labels}.")
    sentences.extend(f"{problem}." if not problem.endswith(".") else problem for problem in reading.invalid)

    fields = reading.fields
    names_someone_else = bool(fields["headteacher_name"]) and (
        fields["headteacher_name"].casefold() != fields["requester_name"].casefold()
    )
    if names_someone_else and not fields["headteacher_email"]:
        sentences.append(
            f'The form names a headteacher ({fields["headteacher_name"]}) but gives no headteacher email, '
            "so the headteacher cannot be asked to endorse the request."
        )
    if names_someone_else and fields["headteacher_email"].casefold() == fields["requester_email"].casefold():
        sentences.append(
            f'The form names a headteacher ({fields["headteacher_name"]}) but gives the requester\'s own email '
            "address for them, so the headteacher cannot be asked to endorse the request."
        )
    return " ".join(sentences)


def _new_case(reading: FormReading, now: datetime) -> Case:
    fields = reading.fields
    requester_is_head = not fields["headteacher_email"] or (
        fields["headteacher_email"].casefold() == fields["requester_email"].casefold()
    )
    if requester_is_head:
        headteacher_name = fields["headteacher_name"] or fields["requester_name"]
        headteacher_email = fields["requester_email"]
    else:
        headteacher_name = fields["headteacher_name"] or None
        headteacher_email = fields["headteacher_email"]

    return Case(
        state="awaiting_match" if requester_is_head else "awaiting_endorsement",
        school=fields["school"],
        requester_name=fields["requester_name"],
        requester_email=fields["requester_email"],
        headteacher_name=headteacher_name,
        headteacher_email=headteacher_email,
        visiting_teacher_name=fields["visiting_teacher_name"] or None,
        visiting_teacher_email=fields["visiting_teacher_email"] or None,
        initiated_by=fields["initiated_by"] or None,
        context=fields["context"] or None,
        reason=fields["reason"] or None,
        objectives=fields["objectives"] or None,
        created_at=now,
        updated_at=now,
    )


def _same_request(session: Session, candidate: Case, now: datetime) -> Case | None:
    """Return the open case that a form with exactly the same answers opened recently, or None."""
    query = select(Case).where(
        func.lower(Case.requester_email) == candidate.requester_email.lower(),
        Case.state.not_in(CLOSED_STATES),
        Case.created_at >= now - RESUBMISSION_WINDOW,
    )
    for earlier in session.scalars(query.order_by(Case.id)):
        if all(getattr(earlier, name) == getattr(candidate, name) for name in FORM_FIELDS):
            return earlier
    return None


def _possible_repeat(session: Session, case: Case) -> str | None:
    """Return the reference of an open case with the same requester and objectives, if there is one.

    The website lets a form be sent twice, and a second case for the same
    request would ask headteachers twice, so staff are warned. Both cases are
    kept because a school may really want a second visit.
    """
    earlier = session.scalars(
        select(Case.reference)
        .where(
            func.lower(Case.requester_email) == case.requester_email.lower(),
            Case.objectives == case.objectives,
            Case.state.not_in(CLOSED_STATES),
            Case.id != case.id,
        )
        .order_by(Case.id)
        .limit(1)
    ).first()
    if earlier:
        log.info("REPEAT %s looks like a repeat of %s", case.reference, earlier)
    return earlier


def _needs_endorsement(case: Case) -> bool:
    return case.headteacher_email.casefold() != case.requester_email.casefold()
