"""The session plan: asking the PST for it, forwarding it, and chasing it at the deadline.

The PST is asked a set number of school days before the visit. A plan the
PST sends to the bot is forwarded to the visiting teacher at once, as the
same files with the same bytes. A plan the PST sent straight to the visiting
teacher, with the bot in copy, is only recorded. With no plan by the
deadline, the PST is nudged and the business manager notified. The visiting
teacher is reminded of the visit the school day before.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from mailbot.attachment import Attachment
from mailbot.case_history import record
from mailbot.config import Settings
from mailbot.duework import DUE, Handler, cancel
from mailbot.message import InboundMail
from mailbot.outbox import Outbox, Recipient
from mailbot.ruleset import Rules
from mailbot.store.models import Case, DueWork, Visit
from mailbot.visit_timeline import PLAN_DEADLINE, PLAN_REQUEST, VISIT_REMINDER, visit_moments
from mailbot.visits import SCHEDULED, next_scheduled_visit, visiting_teacher

log = logging.getLogger("mailbot.workflow")


class SessionPlan:
    """Asks for, forwards and chases the PST's session plan for each visit."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    def handlers(self) -> dict[str, Handler]:
        return {PLAN_REQUEST: self._request, PLAN_DEADLINE: self._deadline, VISIT_REMINDER: self._remind_visitor}

    def receive(
        self,
        session: Session,
        case: Case,
        mail: InboundMail,
        documents: list[Attachment],
        now: datetime,
        inbound_id: int,
        answered: Visit | None = None,
    ) -> str | None:
        """Forward the plan the PST sent, or only record it when the visiting teacher was sent it too.

        The plan is for ``answered``, the visit of the email the PST replied
        to, while that visit is still to come. Otherwise it is for the next
        visit. Returns what happened in words, or None when the case has no
        visit that could use a plan, so that the caller sets the message aside.
        """
        today = now.astimezone(self.settings.zone).date()
        still_to_come = answered is not None and answered.status == SCHEDULED and answered.date >= today
        visit = answered if still_to_come else next_scheduled_visit(case, today)
        if visit is None or case.state != SCHEDULED:
            return None

        visitor = visiting_teacher(case)
        file_names = ", ".join(document.filename for document in documents)
        revised = visit.plan_received_at is not None
        visit.plan_received_at = now
        visit.plan_filename = file_names
        visit.updated_at = now
        cancel(session, now, visit=visit, kinds=(PLAN_REQUEST, PLAN_DEADLINE))

        if mail.is_addressed_to(visitor.address):
            record(session, case, "plan_copied", now, actor=mail.sender_address, inbound_id=inbound_id, files=file_names, visit=visit.date.isoformat())
            log.info("PLAN %s for %s: %s sent it to %s directly; recorded only", case.reference, visit.date.isoformat(), mail.sender_address, visitor.address)
            return f"recorded the session plan ({file_names}) that went straight to {visitor.address}"

        context = {**self._context(case, visit), "files": file_names, "revised": revised}
        self.outbox.queue(session, purpose="plan_forward", recipient=visitor, context=context, now=now, case=case, visit=visit, attachments=documents)
        visit.plan_forwarded_at = now
        record(session, case, "plan_forwarded", now, actor=mail.sender_address, inbound_id=inbound_id, files=file_names, to=visitor.address, visit=visit.date.isoformat())
        self.outbox.queue(session, purpose="plan_received_notice", recipient=Recipient(case.pst.email, case.pst.name), context=context, now=now, case=case)
        log.info("PLAN %s for %s: forwarded %s to %s", case.reference, visit.date.isoformat(), file_names, visitor.address)
        return f"forwarded the session plan ({file_names}) to {visitor.address}"

    def _request(self, session: Session, work: DueWork, now: datetime) -> None:
        visit = self._live_visit(work, now)
        if visit is None or visit.plan_received_at is not None:
            return
        if _deadline_also_due(session, visit, now):
            # After a stop, the deadline's reminder covers the request, and a request naming a past date would confuse.
            log.info("PLAN REQUEST %s for %s skipped: its deadline has passed too", visit.case.reference, visit.date.isoformat())
            return
        self.outbox.queue(session, purpose="plan_request", recipient=_pst(visit.case), context=self._context(visit.case, visit), now=now, case=visit.case, visit=visit)

    def _deadline(self, session: Session, work: DueWork, now: datetime) -> None:
        visit = self._live_visit(work, now)
        if visit is None or visit.plan_received_at is not None:
            return
        case = visit.case
        context = self._context(case, visit)
        self.outbox.queue(session, purpose="plan_nudge", recipient=_pst(case), context=context, now=now, case=case, visit=visit)
        self.outbox.queue(session, purpose="plan_missing_notice", recipient=Recipient(self.settings.alliance.business_manager), context=context, now=now, case=case)
        record(session, case, "plan_late", now, actor=None, visit=visit.date.isoformat())
        log.info("PLAN LATE %s for %s: reminder sent to the PST, notice to the business manager", case.reference, visit.date.isoformat())

    def _remind_visitor(self, session: Session, work: DueWork, now: datetime) -> None:
        visit = self._live_visit(work, now)
        if visit is None:
            return
        case = visit.case
        self.outbox.queue(session, purpose="visit_reminder", recipient=visiting_teacher(case), context=self._context(case, visit), now=now, case=case, visit=visit)

    def _context(self, case: Case, visit: Visit) -> dict[str, Any]:
        moments = visit_moments(visit, self.rules, self.settings)
        return {
            "case": case,
            "visit": visit,
            "shape": self.rules.visit_sessions[visit.session],
            "visitor": visiting_teacher(case),
            "deadline": moments.plan_deadline,
        }


    def _live_visit(self, work: DueWork, now: datetime) -> Visit | None:
        """Return the row's visit if it is still to come, so that work for a cancelled or past visit does nothing.

        A visit is past when the daemon was stopped over its date; its
        follow-up still runs, but nobody is asked to prepare for it.
        """
        visit = work.visit
        if visit is None or visit.status != SCHEDULED or visit.case.state != SCHEDULED:
            return None
        if visit.date < now.astimezone(self.settings.zone).date():
            log.info("SKIP %s for %s: the visit on %s has passed", work.kind, visit.case.reference, visit.date.isoformat())
            return None
        return visit


def _deadline_also_due(session: Session, visit: Visit, now: datetime) -> bool:
    """Return whether the visit's plan deadline is due in this same sweep."""
    query = select(DueWork.id).where(
        DueWork.visit_id == visit.id, DueWork.kind == PLAN_DEADLINE, DueWork.status == DUE, DueWork.due_at <= now
    )
    return session.scalars(query.limit(1)).first() is not None


def _pst(case: Case) -> Recipient:
    assert case.pst is not None, "a scheduled case always has a PST"
    return Recipient(case.pst.email, case.pst.name)
