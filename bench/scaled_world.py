"""A database of ``n`` cases in every state, as years of use would leave it, for the reminder benchmark.

Each case has the history a real one leaves: events, sent emails, inbound
messages, finished or cancelled due work and, once visited, its charges.
Open cases also have due work in the future. On top of that, each timed
sweep ``p`` finds exactly ten items due at ``sweep_moment(p)``: three
endorsement reminders, three consent reminders, two session plan requests
and two visit follow-ups (the visit is marked done, charged, and feedback
is asked for).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import Engine

from bench.world import CORPUS_NOW, HISTORY_EMAIL_CONTENT, BulkWriter
from mailbot.store.models import Case, CaseEvent, DueWork, InboundMessage, LedgerEntry, OutboxEmail, Pst, Visit

PST_COUNT = 60
SCHOOL_COUNT = 400
SWEEP_SPACING = timedelta(minutes=1)
# Due items of sweep p fall this long before sweep p runs, and after sweep p - 1.
DUE_LEAD = timedelta(seconds=30)
ITEMS_PER_SWEEP = (
    ("endorsement_reminder", "awaiting_endorsement", 3),
    ("consent_reminder", "awaiting_consent", 3),
    ("plan_request", "scheduled", 2),
    ("visit_follow_up", "scheduled", 2),
)
# Share of cases in each state, out of 100, oldest states first; the newest cases are the open ones.
STATE_SHARES = (
    ("closed", 46), ("declined", 6), ("cancelled", 4), ("visited", 5), ("scheduled", 10),
    ("awaiting_date", 6), ("awaiting_consent", 7), ("awaiting_match", 4), ("awaiting_endorsement", 9), ("on_hold", 3),
)
OPEN_CHASED_STATES = {"awaiting_endorsement": "endorsement", "awaiting_consent": "consent"}
NEXT_VISIT_DAY = date(2027, 1, 25)
PAST_VISIT_DAY = date(2027, 1, 7)


def sweep_moment(sweep: int) -> datetime:
    """Return the clock for timed sweep ``sweep``; sweep -1 finds nothing due."""
    return CORPUS_NOW + sweep * SWEEP_SPACING


@dataclass
class ScaledWorld:
    cases: int
    rows: int
    sweeps: int


def build_scaled_world(engine: Engine, cases: int, sweeps: int) -> ScaledWorld:
    """Write ``cases`` cases with their history, and ten due items for each of ``sweeps`` timed sweeps."""
    writer = BulkWriter(engine)
    now = CORPUS_NOW
    states = _states(cases)
    reserved = _reserve_sweep_cases(states, sweeps)

    rows = writer.insert(Pst.__table__, (_pst(writer, number, now) for number in range(PST_COUNT)))
    case_rows = [_case(writer, number, state, cases, now) for number, state in enumerate(states)]
    rows += writer.insert(Case.__table__, case_rows)

    visits = [_visit(writer, case, reserved.get(case["id"])) for case in case_rows if case["state"] in ("scheduled", "visited", "closed")]
    rows += writer.insert(Visit.__table__, visits)
    visit_of = {visit["case_id"]: visit for visit in visits}

    rows += writer.insert(CaseEvent.__table__, (event for case in case_rows for event in _events(writer, case)))
    rows += writer.insert(OutboxEmail.__table__, (email for case in case_rows for email in _emails(writer, case, visit_of.get(case["id"]))))
    rows += writer.insert(InboundMessage.__table__, (message for case in case_rows for message in _inbound(writer, case)))
    rows += writer.insert(LedgerEntry.__table__, (entry for visit in visits if visit["status"] == "visited" for entry in _ledger(writer, visit)))
    due_rows = (
        row for case in case_rows for row in _due_work(writer, case, visit_of.get(case["id"]), reserved.get(case["id"]), now)
    )
    rows += writer.insert(DueWork.__table__, due_rows)
    writer.finish()
    return ScaledWorld(cases=cases, rows=rows, sweeps=sweeps)


def _states(cases: int) -> list[str]:
    """Spread the states over the cases by their shares, so every size has cases in every state."""
    buckets = [state for state, share in STATE_SHARES for _ in range(share)]
    return [buckets[number * len(buckets) // cases] for number in range(cases)]


def _reserve_sweep_cases(states: list[str], sweeps: int) -> dict[int, tuple[str, int]]:
    """Pick the cases whose due item each timed sweep does; return {case id: (kind, sweep)}."""
    reserved: dict[int, tuple[str, int]] = {}
    for kind, state, per_sweep in ITEMS_PER_SWEEP:
        candidates = (number + 1 for number, case_state in enumerate(states) if case_state == state and number + 1 not in reserved)
        for sweep in range(sweeps):
            for _ in range(per_sweep):
                case_id = next(candidates, None)
                if case_id is None:
                    raise ValueError(f"{len(states)} cases are too few for {sweeps} sweeps of ten due items; use more cases")
                reserved[case_id] = (kind, sweep)
    return reserved


def _pst(writer: BulkWriter, number: int, now: datetime) -> dict:
    school = number % (PST_COUNT // 2)
    return {
        "id": writer.new_id(Pst.__table__), "name": f"PST {number}", "email": f"pst{number}@pst-school{school}.example",
        "school": f"PST School {school}", "headteacher_name": f"Head of PST School {school}",
        "headteacher_email": f"head@pst-school{school}.example", "phase": "primary" if number % 2 else "secondary",
        "subjects": ["maths", "english"], "expertise": ["questioning"], "designated_on": date(2025, 9, 1),
        "max_visits_per_term": 3, "created_at": now - timedelta(days=900), "updated_at": now - timedelta(days=900),
    }


def _case(writer: BulkWriter, number: int, state: str, total: int, now: datetime) -> dict:
    case_id = writer.new_id(Case.__table__)
    school = number % SCHOOL_COUNT
    # The oldest case is three years old and the newest a day old.
    created = now - timedelta(days=1 + (total - number) * 1095 / total)
    has_pst = state not in ("awaiting_endorsement", "awaiting_match", "declined")
    pst_number = number % PST_COUNT
    return {
        "id": case_id, "reference": f"PST-{created.year}-{case_id:06d}", "state": state, "school": f"School {school}",
        "requester_name": f"Teacher {number}", "requester_email": f"teacher{number}@school{school}.example",
        "headteacher_name": f"Head of School {school}", "headteacher_email": f"head@school{school}.example",
        "visiting_teacher_name": f"Teacher {number}", "visiting_teacher_email": f"teacher{number}@school{school}.example",
        "initiated_by": "Joint idea", "context": "A two-form entry school.", "reason": "To improve questioning.",
        "objectives": "Better hinge questions in maths.", "created_at": created, "updated_at": created + timedelta(days=1),
        "pst_id": pst_number + 1 if has_pst else None,
        "host_headteacher_name": f"Head of PST School {pst_number % (PST_COUNT // 2)}" if has_pst else None,
        "host_headteacher_email": f"head@pst-school{pst_number % (PST_COUNT // 2)}.example" if has_pst else None,
        "shortlist": [], "excluded_pst_emails": [], "state_before_hold": "awaiting_date" if state == "on_hold" else None,
    }


def _visit(writer: BulkWriter, case: dict, reservation: tuple[str, int] | None) -> dict:
    visit_id = writer.new_id(Visit.__table__)
    if case["state"] == "scheduled":
        # A visit whose follow-up a sweep does has just happened; the other visits are still to come.
        day = PAST_VISIT_DAY if reservation and reservation[0] == "visit_follow_up" else NEXT_VISIT_DAY
        status = "scheduled"
    else:
        day = (case["created_at"] + timedelta(days=30)).date()
        status = "visited"
    feedback = case["state"] == "closed"
    return {
        "id": visit_id, "case_id": case["id"], "date": day, "session": "am", "status": status,
        "calendar_uid": f"{case['reference']}-visit-{visit_id}@star-tsa.example", "calendar_sequence": 0, "half_days": 1,
        "plan_received_at": None, "plan_forwarded_at": None, "plan_filename": None,
        "feedback_rating": 4 if feedback else None, "feedback_comments": "Very useful." if feedback else None,
        "feedback_at": case["updated_at"] if feedback else None, "created_at": case["created_at"], "updated_at": case["updated_at"],
    }


def _events(writer: BulkWriter, case: dict) -> list[dict]:
    created = case["created_at"]
    kinds = (("case_opened", {"state": "awaiting_endorsement"}), ("email_queued", {"purpose": "request_acknowledgement"}),
             ("email_sent", {"purpose": "request_acknowledgement"}), ("state_changed", {"state": case["state"]}))
    return [
        {"id": writer.new_id(CaseEvent.__table__), "case_id": case["id"], "at": created + timedelta(minutes=offset),
         "event": event, "actor": case["requester_email"], "inbound_message_id": None, "outbox_email_id": None, "details": details}
        for offset, (event, details) in enumerate(kinds)
    ]


def _emails(writer: BulkWriter, case: dict, visit: dict | None) -> list[dict]:
    rows = []
    for purpose, recipient in (("request_acknowledgement", case["requester_email"]), ("new_request_notice", "bm@star-tsa.example"), ("new_request_notice", "lead@star-tsa.example")):
        email_id = writer.new_id(OutboxEmail.__table__)
        token = f"{email_id:020x}"
        rows.append({
            "id": email_id, "case_id": case["id"], "visit_id": visit["id"] if visit else None, "purpose": purpose,
            "recipient": recipient, "subject": f"[{case['reference']}] {purpose}", "message_id": f"<{case['reference']}.{token}@star-tsa.example>",
            "reply_token": token, "content": HISTORY_EMAIL_CONTENT, "status": "sent", "created_at": case["created_at"], "attempts": 1,
            "next_attempt_at": case["created_at"], "sent_at": case["created_at"], "last_error": None,
        })
    return rows


def _inbound(writer: BulkWriter, case: dict) -> list[dict]:
    rows = []
    for position, outcome in enumerate(("case_opened", "reply_applied")):
        inbound_id = writer.new_id(InboundMessage.__table__)
        rows.append({
            "id": inbound_id, "folder": "INBOX", "uidvalidity": 1, "uid": inbound_id, "message_id": f"<inbound-{inbound_id}@school.example>",
            "sha256": f"{inbound_id:064x}", "size_bytes": 4_000, "sender": case["requester_email"], "subject": "PST Request Form",
            "recorded_at": case["created_at"] + timedelta(days=position), "outcome": outcome, "reason": None, "case_id": case["id"],
        })
    return rows


def _ledger(writer: BulkWriter, visit: dict) -> list[dict]:
    return [
        {"id": writer.new_id(LedgerEntry.__table__), "case_id": visit["case_id"], "visit_id": visit["id"], "term": "autumn-2026",
         "school": "School", "entry_type": entry_type, "half_days": 1, "rate_pence": 15_000, "amount_pence": amount, "created_at": visit["updated_at"]}
        for entry_type, amount in (("charge", 15_000), ("reimbursement", -15_000))
    ]


def _due_work(writer: BulkWriter, case: dict, visit: dict | None, reservation: tuple[str, int] | None, now: datetime) -> list[dict]:
    created = case["created_at"]
    case_id, visit_id = case["id"], visit["id"] if visit else None

    def row(kind: str, due_at: datetime, status: str, finished: bool, for_visit: bool = False) -> dict:
        return {
            "id": writer.new_id(DueWork.__table__), "kind": kind, "due_at": due_at, "status": status, "case_id": case_id,
            "visit_id": visit_id if for_visit else None, "pst_id": None, "once_key": None, "created_at": created,
            "finished_at": due_at if finished else None,
        }

    # Every case was chased once for endorsement; the reminder was sent and the notice to staff cancelled.
    rows = [row("endorsement_reminder", created + timedelta(days=3), "done", True), row("endorsement_escalation", created + timedelta(days=5), "cancelled", True)]
    state = case["state"]
    if state in ("closed", "visited"):
        for offset, kind in enumerate(("plan_request", "plan_deadline", "visit_reminder", "visit_follow_up")):
            rows.append(row(kind, created + timedelta(days=20 + offset), "done", True, for_visit=True))
    if state == "visited":
        rows.append(row("case_close", now + timedelta(days=10), "due", False))
    if state in OPEN_CHASED_STATES:
        stage = OPEN_CHASED_STATES[state]
        rows += [row(f"{stage}_reminder", now + timedelta(days=3), "due", False), row(f"{stage}_escalation", now + timedelta(days=5), "due", False)]
    if state == "scheduled":
        for offset, kind in enumerate(("plan_request", "plan_deadline", "visit_reminder", "visit_follow_up")):
            rows.append(row(kind, now + timedelta(days=4 + offset * 3), "due", False, for_visit=True))

    if reservation is not None:
        kind, sweep = reservation
        due_at = sweep_moment(sweep) - DUE_LEAD
        # The item the sweep does replaces the same kind of row in the future, so nothing is doubled.
        rows = [existing for existing in rows if not (existing["kind"] == kind and existing["status"] == "due")]
        rows.append(row(kind, due_at, "due", False, for_visit=kind in ("plan_request", "visit_follow_up")))
    return rows
