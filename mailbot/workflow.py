"""The effect of an inbound message on the cases: a new case, an answer, a command, a plan, or the message set aside.

Everything here runs inside the one database transaction that also records
the message, so a message's effect is committed whole or not at all.
"""

from __future__ import annotations

import logging
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.after_visit import FEEDBACK_PURPOSES, AfterVisit
from mailbot.assignment import Matching
from mailbot.attachment import RefusedFile, read_attachments
from mailbot.authentication import authentication_failure
from mailbot.away import AwayNotes
from mailbot.bounce import Bounce
from mailbot.case_history import record
from mailbot.case_opening import CaseOpening, FormProblem
from mailbot.classify import Classification, Kind
from mailbot.consent import Consent
from mailbot.endorsement import Endorsement
from mailbot.commands import CommandReading, read_commands
from mailbot.config import Settings
from mailbot.designation import DesignationNotices
from mailbot.digest import WeeklyDigest
from mailbot.duework import Handler
from mailbot.form import FormReading, html_to_text
from mailbot.intent import Answer, new_text, read_answer
from mailbot.inbound import Destination, MailboxPosition, Outcome, record_inbound
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.references import find_reference
from mailbot.reports import ScheduledReport
from mailbot.question import ChasedQuestion
from mailbot.routing import Route, find_route
from mailbot.ruleset import Rules
from mailbot.session_plan import SessionPlan
from mailbot.staff import CASELESS_COMMANDS, StaffCommands
from mailbot.store.models import Case, OutboxEmail, Pst, Visit
from mailbot.termly_summary import TermlySummary
from mailbot.visits import SCHEDULED, next_scheduled_visit, visiting_teacher

log = logging.getLogger("mailbot.workflow")

# The outbox status of an email the receiving server returned after accepting it.
BOUNCED = "bounced"
# The commands a PST may send by email about their own case: only the agreed date.
PST_COMMANDS = ("visit",)


class Workflow:
    """Turns classified messages into case changes and queued emails."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox
        self.endorsement = Endorsement(settings, rules, outbox)
        self.consent = Consent(settings, rules, outbox)
        self.matching = Matching(settings, rules, outbox, self.consent)
        self.endorsement.on_endorsed = self.matching.offer
        self.consent.on_refused = self.matching.offer
        self.questions: tuple[ChasedQuestion, ...] = (self.endorsement, self.consent)
        self.session_plan = SessionPlan(settings, rules, outbox)
        self.after_visit = AfterVisit(settings, rules, outbox)
        self.away = AwayNotes(settings, rules, outbox)
        self.digest = WeeklyDigest(settings, rules, outbox)
        self.termly_summary = TermlySummary(settings, rules, outbox)
        self.reports: tuple[ScheduledReport, ...] = (self.digest, self.termly_summary)
        self.opening = CaseOpening(settings, rules, outbox, self.endorsement, self.matching)
        self.staff = StaffCommands(settings, rules, outbox, self.endorsement, self.consent, self.matching, self.after_visit)

    def due_work_handlers(self) -> dict[str, Handler]:
        """Return the handler of every kind of due work the stages schedule."""
        return {
            **self.endorsement.handlers(),
            **self.consent.handlers(),
            **self.session_plan.handlers(),
            **self.after_visit.handlers(),
            **self.digest.handlers(),
            **self.termly_summary.handlers(),
            **DesignationNotices(self.settings, self.outbox, self.rules.timings).handlers(),
        }

    def handle(
        self, session: Session, mail: InboundMail, classification: Classification, position: MailboxPosition, now: datetime
    ) -> Outcome:
        """Apply ``mail`` to the cases and record it; the caller commits."""
        if classification.kind is Kind.FORM and classification.form is not None:
            try:
                return self.opening.open(session, mail, classification.form, position, now)
            except FormProblem as problem:
                return self.set_aside(session, position, now, reason=str(problem), mail=mail, form=classification.form)

        if classification.kind in (Kind.CASE_MAIL, Kind.STAFF_COMMANDS, Kind.UNKNOWN):
            failure = authentication_failure(mail, self.settings.mailbox.trusted_authserv_id)
            if failure is not None:
                reason = (
                    f"The message claims to come from {mail.sender_address}, but the alliance's mail server found "
                    f"{failure.describe()}, so it may be forged. mailbot has not acted on it; check with the sender by phone."
                )
                log.warning("FORGED? %s from %s: %s", mail.describe(), mail.sender_address, failure.describe())
                route = find_route(session, mail, self.settings.alliance.address)
                return self.set_aside(session, position, now, reason=reason, mail=mail, case=route.case if route else None)

        if classification.kind is Kind.CASE_MAIL:
            return self._handle_case_mail(session, mail, position, now)
        if classification.kind is Kind.BOUNCE and classification.bounce is not None:
            return self._handle_bounce(session, mail, classification.bounce, position, now)
        if classification.kind is Kind.STAFF_COMMANDS and classification.commands is not None:
            return self._handle_commands(session, mail, classification.commands, position, now)

        if classification.kind is Kind.AUTOMATIC:
            route = find_route(session, mail, self.settings.alliance.address)
            if route is not None:
                inbound = record_inbound(session, position, now, mail, outcome="automatic", case=route.case)
                self.away.note(session, route.case, mail, now, inbound.id)
                return Outcome(Destination.PROCESSED, "automatic", case_reference=route.case.reference)

        if classification.kind is Kind.UNKNOWN:
            case = _case_of_copied_plan(session, mail, now.astimezone(self.settings.zone).date())
            if case is not None:
                return self._handle_pst_mail(session, case, mail, position, now) or self.set_aside(
                    session, position, now, reason=classification.detail, mail=mail, case=case
                )

        notify = classification.kind not in (Kind.AUTOMATIC, Kind.OWN)
        return self.set_aside(session, position, now, reason=classification.detail, mail=mail, notify=notify)

    def _handle_bounce(self, session: Session, mail: InboundMail, bounce: Bounce, position: MailboxPosition, now: datetime) -> Outcome:
        """Record that one of the bot's emails could not be delivered, and tell the business manager.

        A bounce that quotes no email the bot sent is set aside for a person,
        because the address that failed cannot be tied to a case.
        """
        bounced = _bounced_email(session, bounce, self.settings.bot_domain)
        failed_addresses = ", ".join(bounce.recipients) or "an unnamed address"
        if bounced is None:
            reason = (
                f"A report that an email to {failed_addresses} could not be delivered arrived, "
                "but it does not quote any email mailbot sent, so it could not be tied to a case."
            )
            return self.set_aside(session, position, now, reason=reason, mail=mail, notify=not bounce.delayed_only)

        case = bounced.case
        address = bounce.recipients[0] if bounce.recipients else bounced.recipient
        inbound = record_inbound(session, position, now, mail, outcome="bounce", case=case)
        if bounce.delayed_only:
            if case is not None:
                record(session, case, "delivery_delayed", now, actor=None, inbound_id=inbound.id, to=address, reason=bounce.reason, purpose=bounced.purpose)
            log.info("DELAYED %s to %s: %s", bounced.message_id, address, bounce.reason or "no reason given")
            return Outcome(Destination.PROCESSED, "bounce", case_reference=case.reference if case else None)

        bounced.status = BOUNCED
        bounced.last_error = bounce.reason or "the receiving server returned it"
        if case is not None:
            record(session, case, "recipient_unreachable", now, actor=None, inbound_id=inbound.id, to=address, reason=bounce.reason, purpose=bounced.purpose)
        if bounced.purpose == "delivery_failure_notice" or self._is_staff(bounced.recipient):
            # A notice about a returned notice to staff could return in turn, without end.
            log.warning("BOUNCE %s to staff address %s: %s; recorded, no notice sent", bounced.message_id, address, bounced.last_error)
            return Outcome(Destination.PROCESSED, "bounce", case_reference=case.reference if case else None)
        self.outbox.queue(
            session,
            purpose="delivery_failure_notice",
            recipient=Recipient(self.settings.alliance.business_manager),
            context={"failed": bounced, "error": bounced.last_error, "bounced": True, "address": address},
            now=now,
            case=case,
        )
        log.info("BOUNCE %s to %s: %s", bounced.message_id, address, bounced.last_error)
        return Outcome(Destination.PROCESSED, "bounce", case_reference=case.reference if case else None)

    def _is_staff(self, address: str) -> bool:
        alliance = self.settings.alliance
        return address.casefold() in {member.casefold() for member in (*alliance.staff, alliance.business_manager, alliance.strategic_lead)}

    def _handle_commands(
        self, session: Session, mail: InboundMail, reading: CommandReading, position: MailboxPosition, now: datetime
    ) -> Outcome:
        route = find_route(session, mail, self.settings.alliance.address)
        caseless = all(command.name in CASELESS_COMMANDS for command in reading.commands)
        # Lines with errors get a reply listing the errors, which the sender can fix whether or not a case is named.
        if route is None and not caseless and not reading.errors:
            reason = (
                "The message from a member of staff has command lines but does not name a case: "
                "reply to an email about the case, or put its reference (such as PST-2026-0007) in the subject."
            )
            return self.set_aside(session, position, now, reason=reason, mail=mail)

        case = route.case if route is not None else None
        inbound = record_inbound(session, position, now, mail, outcome="commands", case=case)
        if case is not None:
            record(session, case, "email_received", now, actor=mail.sender_address, inbound_id=inbound.id, message_id=mail.message_id, subject=mail.subject)
        self.staff.apply(session, case, reading, mail, now, inbound.id)
        return Outcome(Destination.PROCESSED, "commands", case_reference=case.reference if case is not None else None)

    def _handle_case_mail(self, session: Session, mail: InboundMail, position: MailboxPosition, now: datetime) -> Outcome:
        """Apply a reply about a case when its sender and the case's stage allow it; otherwise set it aside."""
        route = find_route(session, mail, self.settings.alliance.address)
        if route is None:
            reference = find_reference(mail.subject) or "a case"
            reason = f"The message refers to {reference}, but no case with that reference or email exists."
            return self.set_aside(session, position, now, reason=reason, mail=mail)

        case = route.case
        sender = mail.sender_address
        if case.pst is not None and sender.casefold() == case.pst.email.casefold():
            outcome = self._handle_pst_mail(session, case, mail, position, now, route.answered.visit if route.answered else None)
            if outcome is not None:
                return outcome

        answers_feedback_request = route.answered is None or route.answered_purpose in FEEDBACK_PURPOSES
        if answers_feedback_request and self.after_visit.awaits_feedback_from(case, sender):
            inbound = record_inbound(session, position, now, mail, outcome="feedback", case=case)
            record(session, case, "email_received", now, actor=sender, inbound_id=inbound.id, message_id=mail.message_id, subject=mail.subject)
            answered = route.answered.visit if route.answered is not None else None
            self.after_visit.receive_feedback(session, case, mail, _new_words(mail), now, inbound.id, answered)
            return Outcome(Destination.PROCESSED, "feedback", case_reference=case.reference)

        question = self._question_answered(route, sender)
        if question is None:
            reason = (
                f"The message is about case {case.reference} (now {_lower_first(self.rules.state_label(case.state))}), "
                "but mailbot does not act on this kind of message yet, so please deal with it by hand."
            )
            return self.set_aside(session, position, now, reason=reason, mail=mail, case=case)

        inbound = record_inbound(session, position, now, mail, outcome="reply_applied", case=case)
        record(session, case, "email_received", now, actor=sender, inbound_id=inbound.id, message_id=mail.message_id, subject=mail.subject)
        reading = read_answer(_body_text(mail))
        if reading.answer is Answer.UNCLEAR:
            question.refer_unclear(session, case, reading, sender, now, inbound.id)
        else:
            question.record(session, case, reading.answer is Answer.YES, now, actor=sender, inbound_id=inbound.id, words=reading.words)
        return Outcome(Destination.PROCESSED, "reply_applied", case_reference=case.reference)

    def _handle_pst_mail(
        self, session: Session, case: Case, mail: InboundMail, position: MailboxPosition, now: datetime, answered: Visit | None = None
    ) -> Outcome | None:
        """Apply the PST's date line and take an attached session plan; None when the email has neither.

        A plan is set aside for a person, rather than applied, when the case
        has no visit still to come that it could be for.
        """
        commands = read_commands(_new_words(mail))
        files = read_attachments(mail.message, self.settings.mailbox.max_attachment_bytes)
        documents = files.documents
        today = now.astimezone(self.settings.zone).date()
        if commands.empty and not documents and not files.refused:
            return None
        if files.refused:
            self._explain_refused_files(session, case, mail, files.refused, now)
        if commands.empty and not documents:
            refused = "; ".join(f"{file.filename}: {file.reason}" for file in files.refused)
            reason = f"{mail.sender_address} sent files about case {case.reference} that mailbot will not pass on ({refused}). They have been asked for a document instead."
            return self.set_aside(session, position, now, reason=reason, mail=mail, case=case)
        if commands.empty and (case.state != SCHEDULED or next_scheduled_visit(case, today) is None):
            reason = (
                f"{case.pst.email} sent files about case {case.reference}, but the case has no visit still to come, "
                f"so they were not forwarded as a session plan; please deal with them by hand."
            )
            return self.set_aside(session, position, now, reason=reason, mail=mail, case=case)

        inbound = record_inbound(session, position, now, mail, outcome="commands" if not commands.empty else "plan_received", case=case)
        record(session, case, "email_received", now, actor=mail.sender_address, inbound_id=inbound.id, message_id=mail.message_id, subject=mail.subject)
        if not commands.empty:
            self.staff.apply(session, case, commands, mail, now, inbound.id, allowed=PST_COMMANDS)
        if documents and self.session_plan.receive(session, case, mail, documents, now, inbound.id, answered) is None:
            # NOTE: files sent with a date line to a case with no visit to come are kept in the mailbox only.
            record(session, case, "plan_not_used", now, actor=mail.sender_address, inbound_id=inbound.id, files=", ".join(d.filename for d in documents))
            log.info("PLAN NOT USED %s: %s sent files but there is no visit to come", case.reference, mail.sender_address)
        return Outcome(Destination.PROCESSED, inbound.outcome, case_reference=case.reference)

    def _explain_refused_files(self, session: Session, case: Case, mail: InboundMail, refused: list[RefusedFile], now: datetime) -> None:
        """Tell the sender which files were not passed on and why, politely, so they can send a document instead."""
        context = {"case": case, "refused": refused, "limit_mb": self.settings.mailbox.max_attachment_bytes / 1_000_000}
        recipient = Recipient(mail.sender_address, mail.sender_name or None)
        self.outbox.queue(session, purpose="files_refused_notice", recipient=recipient, context=context, now=now, case=case, in_reply_to=mail.message_id)
        log.info("REFUSED files from %s on %s: %s", mail.sender_address, case.reference, ", ".join(file.filename for file in refused))

    def _question_answered(self, route: Route, sender: str) -> ChasedQuestion | None:
        """Return the question this reply answers: its case waits for the sender's YES or NO to it."""
        for question in self.questions:
            # The subject's reference alone names the case but not the email, and anyone can type it.
            answers_it = route.answered is not None and route.answered_purpose in question.asking_purposes
            if answers_it and question.is_reply_from_respondent(route.case, sender):
                return question
        return None

    def set_aside(
        self,
        session: Session,
        position: MailboxPosition,
        now: datetime,
        *,
        reason: str,
        mail: InboundMail | None = None,
        raw_sha256: str | None = None,
        notify: bool = True,
        form: FormReading | None = None,
        case: Case | None = None,
    ) -> Outcome:
        """Record a message as needing a person, and tell the business manager why unless ``notify`` is off.

        Automatic mail and the bot's own mail are set aside without a notice, so
        that no exchange of automatic emails can start.
        """
        inbound = record_inbound(session, position, now, mail, outcome="set_aside", reason=reason, sha256=raw_sha256, case=case)
        if case is not None:
            record(session, case, "email_set_aside", now, actor=mail.sender_address if mail else None, inbound_id=inbound.id, subject=mail.subject if mail else None, reason=reason)
        # A message handled again at someone's request was reported when first set aside; the requester hears the result.
        if notify and position.replacing_id is None:
            self.outbox.queue(
                session,
                purpose="attention_notice",
                recipient=Recipient(self.settings.alliance.business_manager),
                context={
                    "reason": reason,
                    "sender": _sender_text(mail),
                    "subject": mail.subject if mail else "(unreadable)",
                    "received": mail.date if mail and mail.date else now,
                    "folder": self.settings.mailbox.attention_folder,
                    "requester": _requester_text(form),
                    "message_number": inbound.id,
                },
                now=now,
            )
        log.info("SET ASIDE %s uid=%s: %s", mail.describe() if mail else "unreadable", position.uid, reason)
        return Outcome(Destination.ATTENTION, inbound.outcome, reason=reason)

    def record_duplicate(self, session: Session, mail: InboundMail, position: MailboxPosition, now: datetime) -> Outcome:
        """Record a second copy of a message already handled; it changes nothing."""
        record_inbound(session, position, now, mail, outcome="duplicate", reason="a copy of a message already handled")
        log.info("DUPLICATE %s uid=%s: already handled, nothing changed", mail.describe(), position.uid)
        return Outcome(Destination.PROCESSED, "duplicate")




def _bounced_email(session: Session, bounce: Bounce, bot_domain: str) -> OutboxEmail | None:
    """Return the bot's email that ``bounce`` quotes, or None when it quotes none of the bot's Message-IDs."""
    ours = [message_id for message_id in bounce.original_message_ids if message_id.lower().endswith(f"@{bot_domain.lower()}>")]
    if not ours:
        return None
    return session.scalars(select(OutboxEmail).where(OutboxEmail.message_id.in_(ours)).order_by(OutboxEmail.id)).first()


def _body_text(mail: InboundMail) -> str:
    # Some programs send an empty plain part beside the HTML that contains the words.
    if mail.text_plain and mail.text_plain.strip():
        return mail.text_plain
    return html_to_text(mail.text_html or "")


def _new_words(mail: InboundMail) -> str:
    """Return what the sender wrote in this email, without the quoted earlier messages."""
    return new_text(_body_text(mail))


def _case_of_copied_plan(session: Session, mail: InboundMail, today) -> Case | None:
    """Find the case of a PST's email sent straight to the visiting teacher with the bot in copy.

    Such an email often has no case reference, so the case is the one
    scheduled case of that PST whose visiting teacher the email went to.
    """
    pst = session.scalars(select(Pst).where(func.lower(Pst.email) == mail.sender_address.lower())).first()
    if pst is None:
        return None
    candidates = session.scalars(select(Case).where(Case.pst_id == pst.id, Case.state == SCHEDULED)).all()
    matching = [
        case for case in candidates
        if mail.is_addressed_to(visiting_teacher(case).address) and next_scheduled_visit(case, today) is not None
    ]
    return matching[0] if len(matching) == 1 else None


def _requester_text(form: FormReading | None) -> str | None:
    """Name the requester as the form gives them, because a form's sender is the website."""
    if form is None:
        return None
    name, email = form.fields["requester_name"], form.fields["requester_email"]
    if name and email:
        return f"{name} <{email}>"
    return name or email or None


def _sender_text(mail: InboundMail | None) -> str:
    if mail is None:
        return "(unreadable)"
    if mail.sender_name:
        return f"{mail.sender_name} <{mail.sender_address}>"
    return mail.sender_address or "(no sender)"


def _lower_first(label: str) -> str:
    """Return a state label for the middle of a sentence, keeping words such as PST in capitals."""
    return label[:1].lower() + label[1:]
