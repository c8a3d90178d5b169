"""Matching a case to a PST: the shortlist sent to staff, and the assignment they choose.

Staff receive up to three PSTs, best first, with the reasons each fits and
who was left out and why. They choose with ``assign: 1`` (a shortlist
number) or ``assign: <PST's email>``, and the PST's headteacher is then
asked for consent.
"""

from __future__ import annotations

import logging
from dataclasses import asdict
from datetime import date, datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.case_history import change_state, record
from mailbot.config import Settings
from mailbot.consent import Consent
from mailbot.designation import LAPSED, designation_status
from mailbot.matching import NO_FIT_REASON, shortlist_with_exclusions
from mailbot.outbox import Outbox, Recipient
from mailbot.ruleset import Rules
from mailbot.store.models import Case, Pst

log = logging.getLogger("mailbot.workflow")

AWAITING = "awaiting_match"


class AssignmentRejected(ValueError):
    """The chosen PST cannot be assigned; the message gives the reason in plain words."""


class Matching:
    """Offers a shortlist of PSTs to staff and records the one they assign."""

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox, consent: Consent) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox
        self.consent = consent

    def offer(self, session: Session, case: Case, now: datetime) -> None:
        """Work out the shortlist for ``case``, keep it on the case and send it to staff."""
        today = now.astimezone(self.settings.zone).date()
        candidates, exclusions = shortlist_with_exclusions(
            session, case, today, self.rules.calendar, self.rules.timings, self.rules.matching
        )
        case.shortlist = [asdict(candidate) | {"reasons": list(candidate.reasons)} for candidate in candidates]
        record(session, case, "shortlist_offered", now, actor=None, psts=[candidate.pst_email for candidate in candidates])

        # PSTs that fit in no way are many in a large register and tell staff nothing.
        informative = [exclusion for exclusion in exclusions if exclusion.reason != NO_FIT_REASON]
        context = {"case": case, "candidates": candidates, "exclusions": informative, "state_label": self.rules.state_label(case.state)}
        for address in dict.fromkeys(a.lower() for a in (self.settings.alliance.strategic_lead, self.settings.alliance.business_manager)):
            self.outbox.queue(session, purpose="shortlist_notice", recipient=Recipient(address), context=context, now=now, case=case)
        log.info("SHORTLIST %s: %s", case.reference, ", ".join(candidate.pst_email for candidate in candidates) or "nobody fits")

    def choose(self, session: Session, case: Case, shortlist_number: int | None, email: str | None, today: date) -> Pst:
        """Return the PST that ``assign:`` names; raise AssignmentRejected when it cannot be assigned."""
        if shortlist_number is not None:
            if not 1 <= shortlist_number <= len(case.shortlist):
                offered = len(case.shortlist)
                raise AssignmentRejected(
                    f"the shortlist has {offered} PST(s), so there is no number {shortlist_number}"
                    if offered else "the shortlist is empty; assign a PST by email address instead"
                )
            email = case.shortlist[shortlist_number - 1]["pst_email"]

        pst = session.scalars(select(Pst).where(func.lower(Pst.email) == (email or "").lower())).first()
        if pst is None:
            raise AssignmentRejected(f"no PST in the register has the address {email}; `mailbot pst list` shows them")
        if pst.email.lower() in {excluded.lower() for excluded in case.excluded_pst_emails}:
            raise AssignmentRejected(f"{pst.name}'s headteacher already refused consent for this case")
        if designation_status(pst, today, self.rules.timings) == LAPSED:
            raise AssignmentRejected(f"{pst.name}'s designation has lapsed; record a re-designation first")
        return pst

    def assign(self, session: Session, case: Case, pst: Pst, now: datetime, *, actor: str, inbound_id: int | None) -> None:
        """Give ``case`` to ``pst`` and ask the PST's headteacher for consent."""
        case.pst = pst
        case.host_headteacher_name = pst.headteacher_name
        case.host_headteacher_email = pst.headteacher_email
        change_state(session, case, "awaiting_consent", now, event="assigned", actor=actor, inbound_id=inbound_id, pst=pst.email)
        self.consent.request(session, case, now)
        log.info("ASSIGN %s to %s by %s", case.reference, pst.email, actor)
