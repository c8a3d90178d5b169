"""Designation notices: scheduled once per designation, sent once to each person, on SQLite and PostgreSQL."""

from __future__ import annotations

import email
import email.policy
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from harness import BOT_ADDRESS, STRATEGIC_LEAD, write_config
from servers import Account
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.config import Settings, load_settings
from mailbot.designation import DesignationNotices
from mailbot.duework import CANCELLED, DONE, DUE, DueWorkSweep
from mailbot.outbox import Outbox
from mailbot.register import ImportReport, import_register, read_register_csv, redesignate
from mailbot.render import TemplateRenderer
from mailbot.resources import shipped_folder
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import DueWork, OutboxEmail, Pst
from mailbot.timings import Timings, load_timings

LONDON = ZoneInfo("Europe/London")
REGISTER = Path(__file__).parent / "data" / "pst-register.csv"

HEADER = "name,email,school,headteacher_name,headteacher_email,phase,subjects,expertise,designated_on,max_visits_per_term"
# Designated 14/09/2024, so the designation ends on 14/09/2026 and the notices fall
# on 16/06/2026, 15/08/2026 and 14/09/2026 at 8.00am, all in British Summer Time.
NADIA = "Nadia Price,N.Price@oakfield.example,Oakfield Primary,Ms Jo Hart,head@oakfield.example,primary,maths,questioning,14/09/2024,2"
NADIA_EMAIL = "n.price@oakfield.example"
HEAD_EMAIL = "head@oakfield.example"

NOTICE = "designation_notice"
STAFF_NOTICE = "designation_staff_notice"


def london(text: str) -> datetime:
    """Return a local time in Europe/London, written as 2026-06-16T08:00."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


@dataclass
class SentEmail:
    purpose: str
    recipient: str
    subject: str
    body: str


@dataclass
class Bot:
    """The register, the outbox and the due-work sweep over one test database."""

    sessions: sessionmaker[Session]
    settings: Settings
    timings: Timings
    outbox: Outbox
    sweep: DueWorkSweep

    def import_file(self, path: Path, now: datetime) -> ImportReport:
        records = read_register_csv(path, today=now.astimezone(LONDON).date())
        with self.sessions.begin() as session:
            return import_register(session, records, now, self.timings, LONDON)

    def redesignate(self, pst_email: str, designated_on: date, now: datetime) -> None:
        with self.sessions.begin() as session:
            redesignate(session, pst_email, designated_on, now, self.timings, LONDON, actor=STRATEGIC_LEAD)

    def emails(self) -> list[SentEmail]:
        with self.sessions() as session:
            rows = list(session.scalars(select(OutboxEmail).order_by(OutboxEmail.id)))
        return [SentEmail(row.purpose, row.recipient, row.subject, plain_text(row.content)) for row in rows]

    def due_work(self) -> list[DueWork]:
        with self.sessions() as session:
            return list(session.scalars(select(DueWork).order_by(DueWork.due_at, DueWork.id)))


def plain_text(content: bytes) -> str:
    message = email.message_from_bytes(content, policy=email.policy.default)
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    return " ".join(body.get_content().split())


@pytest.fixture
def bot(tmp_path: Path, database_url: str) -> Iterator[Bot]:
    # Nothing here connects to the mailbox or the SMTP server, so these ports are never used.
    unused = Account(host="127.0.0.1", port=1025, username="bot", password="unused", server="none")
    settings = load_settings(write_config(tmp_path, unused, unused, database_url))
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    sessions = session_factory(engine)

    timings = load_timings(shipped_folder("rules") / "timings.toml")
    outbox = Outbox(settings, TemplateRenderer(shipped_folder("templates"), settings.zone))
    notices = DesignationNotices(settings, outbox, timings)
    yield Bot(sessions, settings, timings, outbox, DueWorkSweep(sessions, notices.handlers()))
    engine.dispose()


@pytest.fixture
def nadia_csv(tmp_path: Path) -> Path:
    path = tmp_path / "nadia.csv"
    path.write_text(HEADER + "\n" + NADIA + "\n", encoding="utf-8")
    return path


def counts_by_recipient(emails: list[SentEmail]) -> Counter[tuple[str, str]]:
    return Counter((sent.purpose, sent.recipient) for sent in emails)


def test_notices_scheduled_with_keys(bot: Bot, nadia_csv: Path) -> None:
    report = bot.import_file(nadia_csv, london("2026-03-01T12:00"))

    rows = bot.due_work()
    assert report.notices_scheduled == 3
    assert [row.once_key for row in rows] == [
        "designation:n.price@oakfield.example:2024-09-14:90",
        "designation:n.price@oakfield.example:2024-09-14:30",
        "designation:n.price@oakfield.example:2024-09-14:0",
    ]
    assert [row.due_at for row in rows] == [
        datetime(2026, 6, 16, 7, 0, tzinfo=timezone.utc),
        datetime(2026, 8, 15, 7, 0, tzinfo=timezone.utc),
        datetime(2026, 9, 14, 7, 0, tzinfo=timezone.utc),
    ]
    assert {row.kind for row in rows} == {NOTICE}
    assert {row.status for row in rows} == {DUE}


def test_winter_notice_in_gmt(bot: Bot) -> None:
    bot.import_file(REGISTER, london("2026-03-01T12:00"))

    with bot.sessions() as session:
        key = "designation:c.doyle@brookfield-primary.example:2025-02-03:0"
        lapse_notice = session.scalars(select(DueWork).where(DueWork.once_key == key)).one()

    assert lapse_notice.due_at == datetime(2027, 2, 3, 8, 0, tzinfo=timezone.utc)


# Each pass re-imports the file, then sweeps, and gives how many of the
# three notices should have been queued by then.
TIMELINE = [
    ("2026-03-01T12:00", 0),
    ("2026-06-16T07:59", 0),
    ("2026-06-16T08:00", 1),
    ("2026-06-16T08:00", 1),
    ("2026-06-17T08:00", 1),
    ("2026-07-20T13:30", 1),
    ("2026-08-15T07:59", 1),
    ("2026-08-15T08:00", 2),
    ("2026-08-15T08:01", 2),
    ("2026-09-01T10:00", 2),
    ("2026-09-14T07:59", 2),
    ("2026-09-14T08:00", 3),
    ("2026-09-14T17:00", 3),
    ("2026-09-15T08:00", 3),
    ("2026-10-20T08:00", 3),
    ("2027-01-01T08:00", 3),
]


def test_each_notice_sent_once(bot: Bot, nadia_csv: Path) -> None:
    first = bot.import_file(nadia_csv, london(TIMELINE[0][0]))
    assert first.notices_scheduled == 3

    for moment, notices_so_far in TIMELINE:
        now = london(moment)
        report = bot.import_file(nadia_csv, now)
        bot.sweep.run(now)
        bot.sweep.run(now)

        assert report.notices_scheduled == 0, moment
        assert (report.added, report.updated, report.unchanged) == (0, 0, 1), moment
        assert len(bot.emails()) == 3 * notices_so_far, moment

    assert counts_by_recipient(bot.emails()) == {
        (NOTICE, NADIA_EMAIL): 3,
        (NOTICE, HEAD_EMAIL): 3,
        (STAFF_NOTICE, STRATEGIC_LEAD): 3,
    }
    assert len(bot.due_work()) == 3
    assert {row.status for row in bot.due_work()} == {DONE}


def test_notice_words(bot: Bot, nadia_csv: Path) -> None:
    bot.import_file(nadia_csv, london("2026-03-01T12:00"))
    for moment in ("2026-06-16T08:00", "2026-08-15T08:00", "2026-09-14T08:00"):
        bot.sweep.run(london(moment))

    to_nadia = [sent for sent in bot.emails() if sent.recipient == NADIA_EMAIL]
    to_head = [sent for sent in bot.emails() if sent.recipient == HEAD_EMAIL]
    to_lead = [sent for sent in bot.emails() if sent.recipient == STRATEGIC_LEAD]

    assert [sent.subject for sent in to_nadia] == [
        "Your PST designation ends on 14/09/2026",
        "Your PST designation ends on 14/09/2026",
        "Your PST designation has ended",
    ]
    assert to_nadia[0].body.startswith("Dear Nadia Price, Your designation as a Peer Support Teacher (PST) with STAR Teaching School Alliance ends on 14/09/2026, in 90 days.")
    assert "ends on 14/09/2026, in 30 days." in to_nadia[1].body
    assert "ended on 14/09/2026." in to_nadia[2].body
    assert "Until you are re-designated, we will not offer you to schools for visits." in to_nadia[2].body

    assert to_head[0].subject == "Nadia Price's PST designation ends on 14/09/2026"
    assert to_head[0].body.startswith("Dear Ms Hart, Nadia Price's designation")
    assert "Until Nadia Price is re-designated, we will not offer them to schools for visits." in to_head[2].body

    assert [sent.subject for sent in to_lead] == [
        "PST designation ends in 90 days: Nadia Price, 14/09/2026",
        "PST designation ends in 30 days: Nadia Price, 14/09/2026",
        "PST designation lapsed: Nadia Price, 14/09/2026",
    ]
    assert f"email {BOT_ADDRESS} from a staff address with this line: redesignate: n.price@oakfield.example DD/MM/YYYY" in to_lead[0].body
    assert "redesignate: n.price@oakfield.example 16/06/2026" in to_lead[0].body
    assert "mailbot will not offer Nadia Price for visits until the re-designation is recorded." in to_lead[2].body


def test_reimport_schedules_nothing(bot: Bot) -> None:
    first = bot.import_file(REGISTER, london("2026-03-01T12:00"))
    rows_before = [(row.once_key, row.due_at, row.status) for row in bot.due_work()]

    second = bot.import_file(REGISTER, london("2026-03-02T09:00"))

    assert first.notices_scheduled == len(rows_before)
    assert second.notices_scheduled == 0
    assert [(row.once_key, row.due_at, row.status) for row in bot.due_work()] == rows_before


def test_late_import_sends_latest_notice(bot: Bot) -> None:
    now = london("2026-03-01T12:00")

    bot.import_file(REGISTER, now)
    bot.sweep.run(now)

    keys = [row.once_key for row in bot.due_work()]
    # Helena's designation lapsed on 28/02/2026, the day before, so only its lapse notice is due.
    assert [key for key in keys if key and "h.nowak" in key] == ["designation:h.nowak@st-bedes-rc.example:2024-02-29:0"]
    # Kwame's lapsed on 05/12/2025, more than 30 days before, so nothing is scheduled.
    assert [key for key in keys if key and "k.boateng" in key] == []
    assert len(keys) == 13
    assert counts_by_recipient(bot.emails()) == {
        (NOTICE, "h.nowak@st-bedes-rc.example"): 1,
        (NOTICE, "office@st-bedes-rc.example"): 1,
        (STAFF_NOTICE, STRATEGIC_LEAD): 1,
    }
    [to_helena] = [sent for sent in bot.emails() if sent.recipient == "h.nowak@st-bedes-rc.example"]
    assert to_helena.subject == "Your PST designation has ended"
    assert "ended on 28/02/2026." in to_helena.body


def test_late_import_between_notices(bot: Bot, nadia_csv: Path) -> None:
    now = london("2026-09-01T10:00")

    report = bot.import_file(nadia_csv, now)
    bot.sweep.run(now)

    assert report.notices_scheduled == 2
    assert [row.once_key for row in bot.due_work()] == [
        "designation:n.price@oakfield.example:2024-09-14:30",
        "designation:n.price@oakfield.example:2024-09-14:0",
    ]
    assert len(bot.emails()) == 3
    [to_nadia] = [sent for sent in bot.emails() if sent.recipient == NADIA_EMAIL]
    assert "ends on 14/09/2026, in 13 days." in to_nadia.body

    bot.sweep.run(london("2026-09-14T08:00"))

    assert counts_by_recipient(bot.emails()) == {
        (NOTICE, NADIA_EMAIL): 2,
        (NOTICE, HEAD_EMAIL): 2,
        (STAFF_NOTICE, STRATEGIC_LEAD): 2,
    }


def test_missed_notice_superseded(bot: Bot, nadia_csv: Path) -> None:
    bot.import_file(nadia_csv, london("2026-03-01T12:00"))

    # The daemon was stopped from before the 90-day notice until after the 30-day one.
    bot.sweep.run(london("2026-08-20T09:00"))

    assert len(bot.emails()) == 3
    assert {sent.subject for sent in bot.emails() if sent.recipient == STRATEGIC_LEAD} == {
        "PST designation ends in 25 days: Nadia Price, 14/09/2026"
    }
    assert [row.status for row in bot.due_work()] == [DONE, DONE, DUE]


def test_redesignation_replaces_notices(bot: Bot, nadia_csv: Path) -> None:
    bot.import_file(nadia_csv, london("2026-03-01T12:00"))
    bot.sweep.run(london("2026-06-16T08:00"))
    assert len(bot.emails()) == 3

    bot.redesignate("N.Price@Oakfield.example", date(2026, 7, 1), london("2026-07-01T09:00"))

    rows = {row.once_key: row for row in bot.due_work()}
    assert [rows[f"designation:{NADIA_EMAIL}:2024-09-14:{days}"].status for days in (90, 30, 0)] == [DONE, CANCELLED, CANCELLED]
    new_rows = [rows[f"designation:{NADIA_EMAIL}:2026-07-01:{days}"] for days in (90, 30, 0)]
    assert [row.status for row in new_rows] == [DUE, DUE, DUE]
    assert [row.due_at for row in new_rows] == [london("2028-04-02T08:00"), london("2028-06-01T08:00"), london("2028-07-01T08:00")]

    for moment in ("2026-08-15T08:00", "2026-09-14T08:00", "2026-10-20T08:00"):
        bot.import_file(nadia_csv, london(moment))
        bot.sweep.run(london(moment))
    assert len(bot.emails()) == 3

    for moment in ("2028-04-02T08:00", "2028-06-01T08:00", "2028-07-01T08:00", "2028-08-01T08:00"):
        bot.sweep.run(london(moment))
    assert counts_by_recipient(bot.emails()) == {
        (NOTICE, NADIA_EMAIL): 4,
        (NOTICE, HEAD_EMAIL): 4,
        (STAFF_NOTICE, STRATEGIC_LEAD): 4,
    }
    assert bot.emails()[-3].subject == "Your PST designation has ended"
    assert "ended on 01/07/2028." in bot.emails()[-3].body


def test_changed_designation_skips_notice(bot: Bot, nadia_csv: Path) -> None:
    bot.import_file(nadia_csv, london("2026-03-01T12:00"))
    # The date changed without re-scheduling, so the 90-day row still names the old date.
    with bot.sessions.begin() as session:
        pst = session.scalars(select(Pst).where(Pst.email == NADIA_EMAIL)).one()
        pst.designated_on = date(2024, 10, 1)

    bot.sweep.run(london("2026-06-16T08:00"))

    assert bot.emails() == []
    assert bot.due_work()[0].status == DONE


def test_corrected_date_revives_notices(bot: Bot, nadia_csv: Path) -> None:
    bot.import_file(nadia_csv, london("2026-03-01T12:00"))
    bot.redesignate(NADIA_EMAIL, date(2026, 2, 1), london("2026-03-01T12:05"))

    # The new date was a mistake, so staff set the original date again.
    bot.redesignate(NADIA_EMAIL, date(2024, 9, 14), london("2026-03-01T12:10"))
    bot.sweep.run(london("2026-06-16T08:00"))

    statuses = {row.once_key: row.status for row in bot.due_work()}
    assert [statuses[f"designation:{NADIA_EMAIL}:2024-09-14:{days}"] for days in (90, 30, 0)] == [DONE, DUE, DUE]
    assert [statuses[f"designation:{NADIA_EMAIL}:2026-02-01:{days}"] for days in (90, 30, 0)] == [CANCELLED] * 3
    assert len(bot.emails()) == 3


def test_headteacher_who_is_pst(bot: Bot, tmp_path: Path) -> None:
    path = tmp_path / "head.csv"
    row = NADIA.replace("head@oakfield.example", "n.price@oakfield.example")
    path.write_text(HEADER + "\n" + row + "\n", encoding="utf-8")
    bot.import_file(path, london("2026-03-01T12:00"))

    bot.sweep.run(london("2026-06-16T08:00"))

    assert counts_by_recipient(bot.emails()) == {(NOTICE, NADIA_EMAIL): 1, (STAFF_NOTICE, STRATEGIC_LEAD): 1}
