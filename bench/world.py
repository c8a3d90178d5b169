"""Databases for the benchmarks, written directly with bulk inserts rather than through mail.

Two shapes:

- Corpus clones: many copies of the four cases that tests/corpus/README.md
  describes, so that every message of the corpus can be replayed against
  a case of its own. Instance ``i`` gets its own references, reply tokens
  and people, whose mail domains end in ``-i<i>``. Its two PSTs come from a
  shared pool (domains ending in ``-p<slot>``), so that the register stays
  the size of a real alliance's.
- A scaled world: ``n`` cases in every state with the history a case leaves
  behind (events, emails, inbound messages, finished due work, charges),
  plus batches of exactly ten due items for timed sweeps.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlalchemy
from sqlalchemy import Engine, Table

from mailbot.store.models import Case, CaseEvent, DueWork, InboundMessage, LedgerEntry, OutboxEmail, Pst, Visit

LONDON = ZoneInfo("Europe/London")
# The corpus's fixed moment: Monday 11/01/2027 at 10:00 in London.
CORPUS_NOW = datetime(2027, 1, 11, 10, 0, tzinfo=LONDON)
BOT_DOMAIN = "star-tsa.example"
INSERT_CHUNK_ROWS = 5_000
# Clone references start here so that they never meet the corpus's own (0101 to 0104) or a new 2027 case.
FIRST_CLONE_NUMBER = 10_000
# Placeholder bytes for history emails; the sweep and the listings never read this column.
HISTORY_EMAIL_CONTENT = b"From: pst@star-tsa.example\r\nSubject: sent earlier\r\n\r\nSent before the benchmark.\r\n"

CORPUS_TOKENS = (
    "e101e101e101e101e101", "a101a101a101a101a101", "c102c102c102c102c102", "b102b102b102b102b102",
    "d103d103d103d103d103", "a103a103a103a103a103", "f104f104f104f104f104",
)
# The PSTs' schools are shared between clones; every other school belongs to one clone.
PST_SCHOOL_DOMAINS = {b"northgate-high", b"willowbank-primary"}
DOMAIN_PATTERN = re.compile(rb"(?<![A-Za-z0-9-])([A-Za-z0-9][A-Za-z0-9-]*)\.example\b")
# The corpus's four cases are PST-2026-0101 to PST-2026-0104, in this order: awaiting endorsement,
# awaiting consent, scheduled, visited.
REFERENCE_PATTERN = re.compile(rb"PST-2026-010([1-4])", re.IGNORECASE)
TOKEN_PATTERN = re.compile(b"|".join(token.encode() for token in CORPUS_TOKENS), re.IGNORECASE)


@dataclass(frozen=True)
class CorpusInstance:
    """One clone of the corpus's four cases: instance ``index``, using the PSTs of pool ``slot``."""

    index: int
    slot: int

    def reference(self, corpus_position: int) -> str:
        """Return the reference of this clone's copy of corpus case ``corpus_position`` (0 for PST-2026-0101)."""
        return f"PST-2026-{FIRST_CLONE_NUMBER + 4 * self.index + corpus_position:05d}"

    def token(self, corpus_token: str) -> str:
        # Keeps the 20 hex digits of the corpus's tokens: 8 tell which email, 12 tell which clone.
        return corpus_token[:8].lower() + f"{self.index:012x}"

    def localize(self, data: bytes) -> bytes:
        """Rewrite corpus text for this clone: its references, reply tokens and people's domains."""
        data = REFERENCE_PATTERN.sub(lambda match: self.reference(int(match.group(1)) - 1).encode(), data)
        data = TOKEN_PATTERN.sub(lambda match: self.token(match.group(0).decode()).encode(), data)
        return DOMAIN_PATTERN.sub(self._domain, data)

    def address(self, corpus_address: str) -> str:
        return self.localize(corpus_address.encode()).decode()

    def _domain(self, match: re.Match[bytes]) -> bytes:
        name = match.group(1)
        if name.lower() == b"star-tsa":
            return match.group(0)
        suffix = f"-p{self.slot}" if name.lower() in PST_SCHOOL_DOMAINS else f"-i{self.index}"
        return name + suffix.encode() + b".example"


class BulkWriter:
    """Inserts rows in chunks with explicit ids, then moves PostgreSQL's id sequences past them."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.next_ids: dict[str, int] = {}

    def new_id(self, table: Table) -> int:
        value = self.next_ids.get(table.name, 1)
        self.next_ids[table.name] = value + 1
        return value

    def insert(self, table: Table, rows: Iterable[dict]) -> int:
        count = 0
        with self.engine.begin() as connection:
            for chunk in _chunks(rows, INSERT_CHUNK_ROWS):
                connection.execute(table.insert(), chunk)
                count += len(chunk)
        return count

    def finish(self) -> None:
        """Move each PostgreSQL sequence past the explicit ids, so mailbot's own inserts do not collide."""
        if self.engine.dialect.name != "postgresql":
            return
        with self.engine.begin() as connection:
            for table_name, next_id in self.next_ids.items():
                connection.execute(sqlalchemy.text(f"SELECT setval(pg_get_serial_sequence('{table_name}', 'id'), {next_id})"))
            for table in (Case, CaseEvent, DueWork, InboundMessage, LedgerEntry, OutboxEmail, Pst, Visit):
                connection.execute(sqlalchemy.text(f"ANALYZE {table.__tablename__}"))


def _chunks(rows: Iterable[dict], size: int) -> Iterator[list[dict]]:
    chunk: list[dict] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


# ---------------------------------------------------------------------------
# Corpus clones


def build_corpus_clones(engine: Engine, instances: int, pst_slots: int) -> list[CorpusInstance]:
    """Write ``instances`` clones of the corpus's four cases, with their PSTs and the bot's earlier emails."""
    writer = BulkWriter(engine)
    created = CORPUS_NOW - timedelta(days=30)
    clones = [CorpusInstance(index, index % pst_slots) for index in range(instances)]

    pst_ids: dict[tuple[int, str], int] = {}
    pst_rows = []
    for slot in range(min(pst_slots, instances)):
        pool = CorpusInstance(index=-1, slot=slot)
        for key, (name, email, school, head_name, head_email, phase) in CORPUS_PSTS.items():
            pst_id = writer.new_id(Pst.__table__)
            pst_ids[(slot, key)] = pst_id
            pst_rows.append(_pst_row(pst_id, name, pool.address(email), school, head_name, pool.address(head_email), phase, created))
    writer.insert(Pst.__table__, pst_rows)

    case_rows, visit_rows, email_rows = [], [], []
    for clone in clones:
        _add_clone_rows(writer, clone, pst_ids, created, case_rows, visit_rows, email_rows)
    writer.insert(Case.__table__, case_rows)
    writer.insert(Visit.__table__, visit_rows)
    writer.insert(OutboxEmail.__table__, email_rows)
    writer.finish()
    return clones


# The corpus's PSTs: Priya Anand is the PST of case 0102, Tom Reid of cases 0103 and 0104.
CORPUS_PSTS = {
    "priya": ("Priya Anand", "p.anand@northgate-high.example", "Northgate High School", "Mr Luke Barnes", "head@northgate-high.example", "secondary"),
    "tom": ("Tom Reid", "t.reid@willowbank-primary.example", "Willowbank Primary School", "Mrs Janet Pike", "head@willowbank-primary.example", "primary"),
}


def _add_clone_rows(
    writer: BulkWriter,
    clone: CorpusInstance,
    pst_ids: dict[tuple[int, str], int],
    created: datetime,
    case_rows: list[dict],
    visit_rows: list[dict],
    email_rows: list[dict],
) -> None:
    address = clone.address
    priya, tom = CORPUS_PSTS["priya"], CORPUS_PSTS["tom"]
    fernhill_head = ("Ms Grace Adeyemi", address("head@fernhill-community.example"))
    castlegate_head = ("Mr Dev Sharma", address("head@castlegate-academy.example"))

    endorsement = _case_row(writer, clone.reference(0), "awaiting_endorsement", "Oakfield Primary School", ("Sam Patel", address("s.patel@oakfield-primary.example")), ("Mrs Helen Ward", address("head@oakfield-primary.example")), created)
    consent = _case_row(writer, clone.reference(1), "awaiting_consent", "Fernhill Community School", fernhill_head, fernhill_head, created)
    consent.update(pst_id=pst_ids[(clone.slot, "priya")], host_headteacher_name=priya[3], host_headteacher_email=address(priya[4]))
    scheduled = _case_row(writer, clone.reference(2), "scheduled", "Fernhill Community School", fernhill_head, fernhill_head, created)
    scheduled.update(
        visiting_teacher_name="Rory McAllister", visiting_teacher_email=address("r.mcallister@fernhill-community.example"),
        pst_id=pst_ids[(clone.slot, "tom")], host_headteacher_name=tom[3], host_headteacher_email=address(tom[4]),
    )
    visited = _case_row(writer, clone.reference(3), "visited", "Castlegate Academy", castlegate_head, castlegate_head, created)
    visited.update(
        visiting_teacher_name="Joy Okafor", visiting_teacher_email=address("j.okafor@castlegate-academy.example"),
        pst_id=pst_ids[(clone.slot, "tom")], host_headteacher_name=tom[3], host_headteacher_email=address(tom[4]),
    )
    case_rows += [endorsement, consent, scheduled, visited]

    upcoming = _visit_row(writer, scheduled, date(2027, 1, 18), "scheduled", created)
    done = _visit_row(writer, visited, date(2027, 1, 7), "visited", created)
    visit_rows += [upcoming, done]

    emails = (
        (endorsement, None, "endorsement_request", address("head@oakfield-primary.example"), 0, "Please endorse a PST visit request for Oakfield Primary School"),
        (endorsement, None, "request_acknowledgement", address("s.patel@oakfield-primary.example"), 1, "We have received your request for a PST visit"),
        (consent, None, "consent_request", address(priya[4]), 2, "Please consent to a PST visit to Priya Anand"),
        (consent, None, "pst_request_notice", address(priya[1]), 3, "A request to visit you is on its way"),
        (scheduled, upcoming, "plan_request", address(tom[1]), 4, "Session plan needed by 14/01/2027 for the visit on 18/01/2027"),
        (scheduled, upcoming, "visit_confirmation", address("r.mcallister@fernhill-community.example"), 5, "Visit confirmed for 18/01/2027"),
        (visited, done, "feedback_request", address("j.okafor@castlegate-academy.example"), 6, "How was your visit to Tom Reid on 07/01/2027?"),
    )
    for case, visit, purpose, recipient, token_position, subject in emails:
        token = clone.token(CORPUS_TOKENS[token_position])
        email_rows.append(
            _email_row(
                writer, case["id"], visit["id"] if visit else None, purpose, recipient, f"[{case['reference']}] {subject}",
                f"<{case['reference']}.{token}@{BOT_DOMAIN}>", token, created,
            )
        )


def _pst_row(pst_id: int, name: str, email: str, school: str, head_name: str, head_email: str, phase: str, created: datetime) -> dict:
    return {
        "id": pst_id, "name": name, "email": email, "school": school, "headteacher_name": head_name, "headteacher_email": head_email,
        "phase": phase, "subjects": ["maths"], "expertise": ["questioning"], "designated_on": date(2025, 9, 1),
        "max_visits_per_term": 3, "created_at": created, "updated_at": created,
    }


def _case_row(writer: BulkWriter, reference: str, state: str, school: str, requester: tuple[str, str], head: tuple[str, str], created: datetime) -> dict:
    return {
        "id": writer.new_id(Case.__table__), "reference": reference, "state": state, "school": school,
        "requester_name": requester[0], "requester_email": requester[1], "headteacher_name": head[0], "headteacher_email": head[1],
        "visiting_teacher_name": None, "visiting_teacher_email": None, "initiated_by": "Joint idea",
        "context": "A two-form entry school.", "reason": "To improve questioning.", "objectives": "Better hinge questions in maths.",
        "created_at": created, "updated_at": created, "pst_id": None, "host_headteacher_name": None, "host_headteacher_email": None,
        "shortlist": [], "excluded_pst_emails": [], "state_before_hold": None,
    }


def _visit_row(writer: BulkWriter, case: dict, day: date, status: str, created: datetime, **values: object) -> dict:
    visit_id = writer.new_id(Visit.__table__)
    return {
        "id": visit_id, "case_id": case["id"], "date": day, "session": "am", "status": status,
        "calendar_uid": f"{case['reference']}-visit-{visit_id}@{BOT_DOMAIN}", "calendar_sequence": 0, "half_days": 1,
        "plan_received_at": None, "plan_forwarded_at": None, "plan_filename": None, "feedback_rating": None,
        "feedback_comments": None, "feedback_at": None, "created_at": created, "updated_at": created, **values,
    }


def _email_row(
    writer: BulkWriter, case_id: int | None, visit_id: int | None, purpose: str, recipient: str, subject: str,
    message_id: str, token: str, created: datetime,
) -> dict:
    return {
        "id": writer.new_id(OutboxEmail.__table__), "case_id": case_id, "visit_id": visit_id, "purpose": purpose,
        "recipient": recipient, "subject": subject, "message_id": message_id, "reply_token": token,
        "content": HISTORY_EMAIL_CONTENT, "status": "sent", "created_at": created, "attempts": 1,
        "next_attempt_at": created, "sent_at": created, "last_error": None,
    }
