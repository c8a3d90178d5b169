"""Small units: references, date formats, classification, automatic mail, rules files, migrations."""

from __future__ import annotations

from datetime import date, datetime, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import inspect, select, text

from mailbot.classify import Kind, classify
from mailbot.authentication import authentication_failure
from mailbot.errors import RulesError
from mailbot.intent import read_answer
from mailbot.message import parse_mail
from mailbot.references import find_reference, next_reference
from mailbot.render import TemplateRenderer, salutation, uk_date, uk_time
from mailbot.resources import shipped_folder
from mailbot.ruleset import load_rules
from mailbot.store.database import _alembic_config, create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import Base, Case

LONDON = ZoneInfo("Europe/London")
BOT = "pst@star-tsa.example"
FORMS = Path(__file__).parent / "data" / "forms"
ALLIANCE = {"name": "STAR Teaching School Alliance", "address": BOT}


@pytest.fixture
def rules():
    return load_rules(shipped_folder("rules"))


def test_references_count_per_year(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    sessions = session_factory(engine)

    with sessions.begin() as session:
        first = [next_reference(session, 2026) for _ in range(3)]
    with sessions.begin() as session:
        later = next_reference(session, 2026)
        new_year = next_reference(session, 2027)

    assert first == ["PST-2026-0001", "PST-2026-0002", "PST-2026-0003"]
    assert later == "PST-2026-0004"
    assert new_year == "PST-2027-0001"
    engine.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("RE: RE: FW: [PST-2026-0007] Consent", "PST-2026-0007"),
        ("about pst-2027-0012 please", "PST-2027-0012"),
        ("PST-2026-07", None),
        ("Nothing here", None),
    ],
)
def test_find_reference(text: str, expected: str | None) -> None:
    assert find_reference(text) == expected


def test_uk_date_and_time_formats() -> None:
    assert uk_date(date(2027, 1, 14)) == "14/01/2027"
    assert uk_time(datetime(2027, 1, 14, 8, 30)) == "8.30am"
    assert uk_time(datetime(2027, 1, 14, 12, 0)) == "12.00pm"
    assert uk_time(datetime(2027, 1, 14, 0, 5)) == "12.05am"
    assert uk_time(datetime(2027, 1, 14, 15, 45)) == "3.45pm"


def test_templates_show_london_time() -> None:
    renderer = TemplateRenderer(shipped_folder("templates"), LONDON)
    summer = datetime(2026, 10, 24, 23, 30, tzinfo=timezone.utc)

    rendered = renderer.render(
        "attention_notice",
        {"reason": "r", "sender": "s", "subject": "Hello", "received": summer, "folder": "Needs attention", "requester": None, "alliance": ALLIANCE, "recipient": None},
    )

    # 23.30 UTC on 24 October 2026 is 00.30 on the 25th in British Summer Time.
    assert "25/10/2026 at 12.30am" in rendered.text
    assert rendered.subject == "A message needs your attention: Hello"


def test_html_template_escapes_values() -> None:
    renderer = TemplateRenderer(shipped_folder("templates"), LONDON)

    rendered = renderer.render(
        "attention_notice",
        {"reason": "<script>x</script>", "sender": "s", "subject": "a & b", "received": datetime.now(timezone.utc), "folder": "F", "requester": None, "alliance": ALLIANCE, "recipient": None},
    )

    assert "<script>" not in rendered.html
    assert "&lt;script&gt;" in rendered.html
    assert "<script>x</script>" in rendered.text


def _mail(headers: str, body: str = "Hello") -> bytes:
    return (headers.strip() + "\n\n" + body + "\n").encode()


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ("From: a@school.example\nSubject: Out of office\nAuto-Submitted: auto-replied", True),
        ("From: a@school.example\nSubject: Hi\nAuto-Submitted: no", False),
        ("From: a@school.example\nSubject: Hi\nPrecedence: bulk", True),
        ("From: a@school.example\nSubject: Hi\nX-Autoreply: yes", True),
        ("From: a@school.example\nSubject: Hi", False),
    ],
    ids=["auto-replied", "auto-submitted-no", "precedence-bulk", "x-autoreply", "ordinary"],
)
def test_automatic_mail_detected(headers: str, expected: bool) -> None:
    assert parse_mail(_mail(headers)).is_automatic is expected


def test_mail_without_message_id_has_hash() -> None:
    first = parse_mail(_mail("From: a@school.example\nSubject: Hi", "one"))
    second = parse_mail(_mail("From: a@school.example\nSubject: Hi", "two"))

    assert first.message_id is None
    assert first.describe().startswith("sha256:")
    assert first.sha256 != second.sha256


@pytest.mark.parametrize(
    ("raw", "kind"),
    [
        (_mail(f"From: {BOT}\nSubject: PST Request Form"), Kind.OWN),
        (_mail("From: a@school.example\nSubject: Automatic reply: PST\nAuto-Submitted: auto-replied"), Kind.AUTOMATIC),
        (_mail("From: a@school.example\nSubject: RE: [PST-2026-0003] Consent"), Kind.CASE_MAIL),
        (_mail("From: a@school.example\nSubject: Thanks\nIn-Reply-To: <PST-2026-0003.abc@star-tsa.example>"), Kind.CASE_MAIL),
        (_mail("From: a@school.example\nSubject: Parking"), Kind.UNKNOWN),
        (_mail("From: web@star-tsa.example\nSubject: PST Request Form\nAuto-Submitted: auto-generated"), Kind.FORM),
    ],
    ids=["own", "automatic", "case-subject", "case-threading", "unknown", "automatic-form"],
)
def test_classify_kinds(raw: bytes, kind: Kind, rules) -> None:
    assert classify(parse_mail(raw), BOT, rules.form).kind is kind


def test_classify_form_with_changed_subject(rules) -> None:
    raw = (FORMS / "plain-cf7.eml").read_bytes().replace(b"Subject: PST Request Form", b"Subject: Visit request", 1)

    result = classify(parse_mail(raw), BOT, rules.form)

    assert result.kind is Kind.FORM
    assert result.form is not None
    assert result.form.fields["requester_name"] == "Marcus Webb"


def test_states_file_must_label_every_state(tmp_path: Path) -> None:
    for name in ("form.toml", "states.toml"):
        (tmp_path / name).write_text((shipped_folder("rules") / name).read_text(encoding="utf-8"), encoding="utf-8")
    states = tmp_path / "states.toml"
    states.write_text(states.read_text(encoding="utf-8").replace("[states.on_hold]", "[states.paused]"), encoding="utf-8")

    with pytest.raises(RulesError) as caught:
        load_rules(tmp_path)

    assert "[states.on_hold] needs a label" in str(caught.value)


def test_migrations_run_down_and_up(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = _alembic_config()

    upgrade_schema(engine)
    tables = set(inspect(engine).get_table_names())
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "base")
    emptied = set(inspect(engine).get_table_names())
    upgrade_schema(engine)

    assert {"cases", "case_events", "inbound_messages", "outbox_emails"} <= tables
    assert emptied == {"alembic_version"}
    assert set(inspect(engine).get_table_names()) == tables
    engine.dispose()


def test_migrations_match_models(database_url: str) -> None:
    engine = create_database_engine(database_url)
    upgrade_schema(engine)

    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    engine.dispose()

    assert differences == [], "the models and the migrations differ; add a migration"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Mr Daniel Osei", "Mr Osei"),
        ("Dr Priya Natarajan", "Dr Natarajan"),
        ("Revd Clare Holt", "Revd Holt"),
        ("Mrs Helen O\u2019Connor", "Mrs O\u2019Connor"),
        ("Ms Grace", "Ms Grace"),
        ("Sam Rivers", "Sam Rivers"),
        ("", "Sir or Madam"),
    ],
)
def test_salutation(name: str, expected: str) -> None:
    assert salutation(name) == expected


def _rules_copy(tmp_path: Path) -> Path:
    for source in shipped_folder("rules").glob("*.toml"):
        (tmp_path / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    return tmp_path


@pytest.mark.parametrize(
    ("file", "old", "new", "expected"),
    [
        ("timings.toml", 'send_time = "08:00"', 'send_time = "8am"', 'send_time must be a 24-hour time such as "08:00"'),
        ("timings.toml", "escalate_after_school_days = 5\n", "escalate_after_school_days = 2\n", "escalate_after_school_days must be more than"),
        ("timings.toml", "default_half_days = 1", "default_half_days = 0", "[visit] default_half_days must be a whole number of at least 1"),
        ("timings.toml", "years = 2", "", "[designation] years is missing"),
        ("visit.toml", 'end = "12:00"', 'end = "08:00"', "[am] end must be after start"),
        ("visit.toml", "[pm]", "[evening]", "the [pm] table is missing"),
    ],
    ids=["bad-time", "escalate-before-reminder", "zero-half-days", "missing-years", "visit-ends-early", "missing-pm"],
)
def test_malformed_rules_named(tmp_path: Path, file: str, old: str, new: str, expected: str) -> None:
    folder = _rules_copy(tmp_path)
    path = folder / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(RulesError) as caught:
        load_rules(folder)

    assert expected in str(caught.value)
    assert str(path) in str(caught.value)


def test_migration_keeps_cases_from_first_schema(database_url: str) -> None:
    engine = create_database_engine(database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0001")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (reference, state, school, requester_name, requester_email, headteacher_email, created_at, updated_at) "
                "VALUES ('PST-2026-0001', 'awaiting_match', 'Old School', 'A Teacher', 'a@old.example', 'a@old.example', "
                "'2026-10-01 09:00:00', '2026-10-01 09:00:00')"
            )
        )

    upgrade_schema(engine)

    with session_factory(engine)() as session:
        [old_case] = session.scalars(select(Case)).all()
        assert old_case.reference == "PST-2026-0001"
        assert old_case.shortlist == []
        assert old_case.excluded_pst_emails == []
        assert old_case.pst is None
    engine.dispose()


def test_migration_keeps_visits_from_previous_schema(database_url: str) -> None:
    # The schema before this release: visits, outbox emails and ledger entries without the visit link.
    engine = create_database_engine(database_url)
    config = _alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "0002")
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO cases (id, reference, state, school, requester_name, requester_email, headteacher_email, created_at, updated_at, shortlist, excluded_pst_emails) "
                "VALUES (1, 'PST-2026-0001', 'scheduled', 'Old School', 'A Teacher', 'a@old.example', 'a@old.example', "
                "'2026-10-01 09:00:00', '2026-10-01 09:00:00', '[]', '[]')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO visits (id, case_id, date, session, status, calendar_uid, calendar_sequence, half_days, created_at, updated_at) "
                "VALUES (1, 1, '2027-01-18', 'am', 'scheduled', 'PST-2026-0001-visit-1@old.example', 0, 1, '2026-10-01 09:00:00', '2026-10-01 09:00:00')"
            )
        )
        connection.execute(
            text(
                "INSERT INTO outbox_emails (case_id, purpose, recipient, subject, message_id, reply_token, content, status, created_at, attempts, next_attempt_at) "
                "VALUES (1, 'visit_confirmation', 'a@old.example', 's', '<PST-2026-0001.aa@old.example>', 'aa', :content, 'sent', '2026-10-01 09:00:00', 1, '2026-10-01 09:00:00')"
            ),
            {"content": b"x"},
        )

    upgrade_schema(engine)

    with session_factory(engine)() as session:
        [old_case] = session.scalars(select(Case)).all()
        assert [visit.date.isoformat() for visit in old_case.visits] == ["2027-01-18"]
        [email] = old_case.emails
        assert email.visit is None
        assert email.message_id == "<PST-2026-0001.aa@old.example>"
    engine.dispose()


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("Yes, happy to", "yes"),
        ("Yes please", "yes"),
        ("Agreed", "yes"),
        ("That's fine", "yes"),
        ("No problem at all, happy for Priya to host.", "yes"),
        ("No objection from me", "yes"),
        ("Hi Jo,\n\nYes that's fine", "yes"),
        ("OFFICIAL\n\nYes please", "yes"),
        ("CAUTION: This email originated from outside the organisation.\n\nYes, happy to", "yes"),
        ("Sorry for the slow reply - yes, please go ahead.", "yes"),
        ("No, sorry", "no"),
        ("Not this term I'm afraid", "no"),
        ("Not this term I'm afraid - Priya is covering a maternity leave until Easter.", "no"),
        ("Absolutely not, Sam did not discuss this", "no"),
        ("Of course not", "no"),
        ("Yes but not in March", "unclear"),
        ("Yes. But not before February half term", "unclear"),
        ("Yes\nHowever only if it is a Tuesday", "unclear"),
        ("Yes, providing cover is arranged", "unclear"),
        ("Yes, unfortunately we can't this term", "unclear"),
        ("I can't say yes until I've spoken to Jo", "unclear"),
        ("Happy to discuss, can you ring me?", "unclear"),
        ("N/A", "unclear"),
        ("No, sorry\rYes, happy to", "unclear"),
    ],
)
def test_answer_read_from_school_english(words: str, expected: str) -> None:
    assert read_answer(words).answer.value == expected


def _signed_reply(results: str) -> bytes:
    return (
        "From: head@school.example\r\nTo: pst@star-tsa.example\r\nSubject: RE: x\r\nMessage-ID: <r@school.example>\r\n"
        f"Authentication-Results: {results}\r\nContent-Type: text/plain\r\n\r\nYes\r\n"
    ).encode()


@pytest.mark.parametrize(
    ("results", "failing"),
    [
        ("mx.star-tsa.example; dmarc=fail header.from=school.example", "dmarc"),
        ("mx.star-tsa.example 1; dkim=fail header.d=school.example; dmarc=none header.from=school.example", "dkim"),
        ("mx.star-tsa.example; spf=fail smtp.mailfrom=head@school.example", "spf"),
        ("mx.star-tsa.example; dkim=fail header.d=school.example; dkim=pass header.d=school.example; dmarc=pass header.from=school.example", None),
        ("mx.star-tsa.example; dkim=fail header.d=mailinglist.example; dmarc=pass header.from=school.example", None),
        ("mx.elsewhere.example; dmarc=fail header.from=school.example", None),
        ("mx.star-tsa.example; dmarc=pass header.from=school.example", None),
    ],
    ids=["dmarc-fail", "dkim-fail-no-policy", "spf-fail", "dmarc-pass-outweighs", "other-domain", "other-host", "pass"],
)
def test_authentication_results_read(results: str, failing: str | None) -> None:
    failure = authentication_failure(parse_mail(_signed_reply(results)), "mx.star-tsa.example")

    assert (failure.method if failure else None) == failing
