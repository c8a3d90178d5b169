"""Staff commands at the top of an email body: each command's values, errors, and where reading stops."""

from __future__ import annotations

from datetime import date

import pytest

from mailbot.commands import COMMAND_NAMES, Command, CommandReading, read_commands

PST = "j.patel@oakfield.example"

DATE_HINT = "write the date day first as DD/MM/YYYY, optionally followed by am or pm, such as 14/01/2027 pm"
ASSIGN_HINT = "write a shortlist number from 1 to 3, or the PST's email address"
HALF_DAYS_HINT = "write a whole number of half-day sessions from 1 to 10, such as half-days: 2"
REDESIGNATE_HINT = (
    "write the PST's email address and the date of the new designation as DD/MM/YYYY, "
    "such as redesignate: j.patel@oakfield.example 01/09/2027"
)
CASE_HINT = "write the case's reference, such as case: PST-2026-0007, above the forwarded message"
COMMAND_LIST = "the commands are: assign, visit, add-visit, half-days, endorse, consent, cancel, hold, resume, note, redesignate, case"

GOOD_LINES = [
    ("assign: 1", dict(name="assign", shortlist_number=1)),
    ("ASSIGN: 3", dict(name="assign", shortlist_number=3)),
    ("  Assign :  2  ", dict(name="assign", shortlist_number=2)),
    (f"assign: {PST}", dict(name="assign", email=PST)),
    ("assign: J.Patel@Oakfield.example", dict(name="assign", email="J.Patel@Oakfield.example")),
    (f"assign: <mailto:{PST}>", dict(name="assign", email=PST)),
    (f"assign: {PST} <mailto:{PST}>", dict(name="assign", email=PST)),
    (f"assign: {PST}<mailto:{PST}>", dict(name="assign", email=PST)),
    (f"assign: J.Patel@oakfield.example <mailto:{PST}>", dict(name="assign", email="J.Patel@oakfield.example")),
    (f"assign: mailto:{PST}", dict(name="assign", email=PST)),
    (f"assign: <{PST}>", dict(name="assign", email=PST)),
    (f"assign:\u00a0{PST}", dict(name="assign", email=PST)),
    ("visit: 14/01/2027", dict(name="visit", day=date(2027, 1, 14), session="am")),
    ("visit: 14/01/2027 am", dict(name="visit", day=date(2027, 1, 14), session="am")),
    ("visit: 14/01/2027 pm", dict(name="visit", day=date(2027, 1, 14), session="pm")),
    ("Visit: 14/1/2027 PM", dict(name="visit", day=date(2027, 1, 14), session="pm")),
    ("visit: 4/1/2027 AM", dict(name="visit", day=date(2027, 1, 4), session="am")),
    ("visit:\u00a004/02/2027\u00a0pm", dict(name="visit", day=date(2027, 2, 4), session="pm")),
    ("visit: 29/02/2028", dict(name="visit", day=date(2028, 2, 29), session="am")),
    ("add-visit: 04/02/2027 pm", dict(name="add-visit", day=date(2027, 2, 4), session="pm")),
    ("Add-Visit: 4/2/2027", dict(name="add-visit", day=date(2027, 2, 4), session="am")),
    ("half-days: 1", dict(name="half-days", count=1)),
    ("HALF-DAYS: 10", dict(name="half-days", count=10)),
    ("endorse: yes", dict(name="endorse", answer=True)),
    ("endorse: YES", dict(name="endorse", answer=True)),
    ("Endorse: y", dict(name="endorse", answer=True)),
    ("endorse: No", dict(name="endorse", answer=False)),
    ("consent: N", dict(name="consent", answer=False)),
    ("consent: Yes", dict(name="consent", answer=True)),
    ("cancel: the school has withdrawn the request", dict(name="cancel", reason="the school has withdrawn the request")),
    ("hold: PST on leave  until half term", dict(name="hold", reason="PST on leave until half term")),
    ("resume", dict(name="resume")),
    ("Resume", dict(name="resume")),
    ("resume:", dict(name="resume")),
    ("resume:  ", dict(name="resume")),
    ("note: spoke to Mrs Okafor by phone: she agrees", dict(name="note", note="spoke to Mrs Okafor by phone: she agrees")),
    (f"redesignate: {PST} 01/09/2027", dict(name="redesignate", email=PST, day=date(2027, 9, 1))),
    (f"Redesignate: {PST} <mailto:{PST}> 1/9/2027", dict(name="redesignate", email=PST, day=date(2027, 9, 1))),
    (f"redesignate: <mailto:{PST}>  01/09/2027", dict(name="redesignate", email=PST, day=date(2027, 9, 1))),
    ("case: PST-2026-0007", dict(name="case", reference="PST-2026-0007")),
    ("Case:  pst-2026-0012", dict(name="case", reference="PST-2026-0012")),
]

BAD_LINES = [
    ("assign:", f'line 1: "assign:" is missing the PST; {ASSIGN_HINT}'),
    ("assign: 4", f'line 1: "assign: 4" is not a place on the shortlist of 3; {ASSIGN_HINT}'),
    ("assign: 0", f'line 1: "assign: 0" is not a place on the shortlist of 3; {ASSIGN_HINT}'),
    ("assign: Jo Patel", f'line 1: "assign: Jo Patel" is not a shortlist number or an email address; {ASSIGN_HINT}'),
    ("assign: j.patel@oakfield", f'line 1: "assign: j.patel@oakfield" is not a shortlist number or an email address; {ASSIGN_HINT}'),
    (
        f"assign: {PST} <mailto:s.jones@oakfield.example>",
        f'line 1: "assign: {PST} <mailto:s.jones@oakfield.example>" shows the address {PST} '
        "but links to s.jones@oakfield.example; write the address once, without a link",
    ),
    ("visit:", f'line 1: "visit:" is missing the date; {DATE_HINT}'),
    ("visit: 31/02/2027", f'line 1: "visit: 31/02/2027" is not a real date (February 2027 has 28 days); {DATE_HINT}'),
    ("visit: 29/02/2027", f'line 1: "visit: 29/02/2027" is not a real date (February 2027 has 28 days); {DATE_HINT}'),
    ("visit: 31/4/2027", f'line 1: "visit: 31/4/2027" is not a real date (April 2027 has 30 days); {DATE_HINT}'),
    ("visit: 0/1/2027", f'line 1: "visit: 0/1/2027" is not a real date (there is no day 0); {DATE_HINT}'),
    ("visit: 01/14/2027", f'line 1: "visit: 01/14/2027" is not a real date (there is no month 14); {DATE_HINT}'),
    ("visit: 14/01/27", f'line 1: "visit: 14/01/27" does not give the year in full; {DATE_HINT}'),
    ("visit: 2027-01-14", f'line 1: "visit: 2027-01-14" has "2027-01-14" where a DD/MM/YYYY date should be; {DATE_HINT}'),
    ("visit: 14.01.2027", f'line 1: "visit: 14.01.2027" has "14.01.2027" where a DD/MM/YYYY date should be; {DATE_HINT}'),
    ("visit: next Tuesday", f'line 1: "visit: next Tuesday" has "next" where a DD/MM/YYYY date should be; {DATE_HINT}'),
    ("visit: 14/01/2027 morning", f'line 1: "visit: 14/01/2027 morning" has "morning" where am or pm should be; {DATE_HINT}'),
    ("visit: 14/01/2027 pm please", f'line 1: "visit: 14/01/2027 pm please" has more than a date and am or pm; {DATE_HINT}'),
    ("add-visit: 30/02/2027 pm", f'line 1: "add-visit: 30/02/2027 pm" is not a real date (February 2027 has 28 days); {DATE_HINT}'),
    ("half-days:", f'line 1: "half-days:" is missing the number; {HALF_DAYS_HINT}'),
    ("half-days: 0", f'line 1: "half-days: 0" is not a whole number from 1 to 10; {HALF_DAYS_HINT}'),
    ("half-days: 11", f'line 1: "half-days: 11" is not a whole number from 1 to 10; {HALF_DAYS_HINT}'),
    ("half-days: 1.5", f'line 1: "half-days: 1.5" is not a whole number from 1 to 10; {HALF_DAYS_HINT}'),
    ("half-days: two", f'line 1: "half-days: two" is not a whole number from 1 to 10; {HALF_DAYS_HINT}'),
    ("endorse:", 'line 1: "endorse:" is missing yes or no; write endorse: yes or endorse: no'),
    ("endorse: maybe", 'line 1: "endorse: maybe" is not yes or no; write endorse: yes or endorse: no'),
    ("consent: yes please", 'line 1: "consent: yes please" is not yes or no; write consent: yes or consent: no'),
    (
        "cancel:",
        'line 1: "cancel:" is missing the reason; write the reason after the colon, '
        "such as cancel: the school has withdrawn the request",
    ),
    (
        "hold:  ",
        'line 1: "hold:" is missing the reason; write the reason after the colon, such as hold: the PST is on leave until half term',
    ),
    ("resume: now", 'line 1: "resume: now" has a value, but resume takes none; write resume on a line of its own'),
    (
        "note:",
        'line 1: "note:" is missing the text; write the note after the colon, such as note: spoke to the headteacher by phone',
    ),
    ("redesignate:", f'line 1: "redesignate:" is missing the email address or the date; {REDESIGNATE_HINT}'),
    (f"redesignate: {PST}", f'line 1: "redesignate: {PST}" is missing the email address or the date; {REDESIGNATE_HINT}'),
    (
        f"redesignate: 01/09/2027 {PST}",
        f'line 1: "redesignate: 01/09/2027 {PST}" has "{PST}" where a DD/MM/YYYY date should be; {REDESIGNATE_HINT}',
    ),
    (
        f"redesignate: {PST} 31/09/2027",
        f'line 1: "redesignate: {PST} 31/09/2027" is not a real date (September 2027 has 30 days); {REDESIGNATE_HINT}',
    ),
    (
        "redesignate: Jo Patel 01/09/2027",
        f'line 1: "redesignate: Jo Patel 01/09/2027" does not give a valid email address; {REDESIGNATE_HINT}',
    ),
    ("case:", f'line 1: "case:" is missing the reference; {CASE_HINT}'),
    ("case: Oakfield", f'line 1: "case: Oakfield" has "Oakfield" where a case reference should be; {CASE_HINT}'),
    ("case: PST-2026-0007 please", f'line 1: "case: PST-2026-0007 please" has "PST-2026-0007 please" where a case reference should be; {CASE_HINT}'),
    ("asign: 1", f'line 1: unknown command "asign" (did you mean "assign"?); {COMMAND_LIST}'),
    ("Consnet: yes", f'line 1: unknown command "Consnet" (did you mean "consent"?); {COMMAND_LIST}'),
    ("halfdays: 2", f'line 1: unknown command "halfdays" (did you mean "half-days"?); {COMMAND_LIST}'),
    ("add visit: 04/02/2027", f'line 1: unknown command "add visit" (did you mean "add-visit"?); {COMMAND_LIST}'),
    ("Half_Days: 2", f'line 1: unknown command "Half_Days" (did you mean "half-days"?); {COMMAND_LIST}'),
    ("thanks: Sam", f'line 1: unknown command "thanks"; {COMMAND_LIST}'),
    ("follow-up: Friday", f'line 1: unknown command "follow-up"; {COMMAND_LIST}'),
]


def command_fields(command: Command) -> dict[str, object]:
    """Return the command's name and the value fields it sets, leaving out the fields every command has."""
    fields = {key: value for key, value in vars(command).items() if value is not None}
    del fields["line_number"], fields["text"]
    return fields


@pytest.mark.parametrize(("line", "expected"), GOOD_LINES)
def test_good_line_parsed(line: str, expected: dict[str, object]) -> None:
    reading = read_commands(line)

    assert reading.errors == ()
    assert len(reading.commands) == 1
    command = reading.commands[0]
    assert command_fields(command) == expected
    assert command.line_number == 1
    assert command.text == line


@pytest.mark.parametrize(("line", "expected"), BAD_LINES)
def test_bad_line_reported(line: str, expected: str) -> None:
    reading = read_commands(line)

    assert reading.errors == (expected,)
    assert reading.commands == ()
    assert reading.ok is False
    assert reading.empty is False


def test_tables_cover_every_command() -> None:
    good_names = {expected["name"] for _, expected in GOOD_LINES}
    bad_names = {line.split(":")[0].lower() for line, _ in BAD_LINES}

    assert good_names == set(COMMAND_NAMES)
    assert set(COMMAND_NAMES) <= bad_names


def test_several_commands_read_in_order() -> None:
    body = "\n".join(
        [
            "assign: 2",
            "visit: 14/01/2027 pm",
            "add-visit: 04/02/2027",
            "half-days: 2",
            "consent: yes",
            "note: agreed with Mrs Okafor by phone",
            "note: the PST prefers Thursdays",
        ]
    )

    reading = read_commands(body)

    assert reading.ok is True
    assert reading.empty is False
    assert [command.name for command in reading.commands] == [
        "assign", "visit", "add-visit", "half-days", "consent", "note", "note"
    ]
    assert [command.line_number for command in reading.commands] == [1, 2, 3, 4, 5, 6, 7]
    assert reading.commands[1].day == date(2027, 1, 14)
    assert reading.commands[1].session == "pm"
    assert reading.commands[2].session == "am"
    assert reading.commands[6].note == "the PST prefers Thursdays"


def test_errors_on_several_lines_all_reported() -> None:
    body = "assign: 1\nvisit: 31/02/2027\nasign: 2\nhalf-days: 12\nendorse: yes\n"

    reading = read_commands(body)

    assert reading.commands == ()
    assert reading.errors == (
        f'line 2: "visit: 31/02/2027" is not a real date (February 2027 has 28 days); {DATE_HINT}',
        f'line 3: unknown command "asign" (did you mean "assign"?); {COMMAND_LIST}',
        f'line 4: "half-days: 12" is not a whole number from 1 to 10; {HALF_DAYS_HINT}',
    )


def test_repeated_command_rejected() -> None:
    reading = read_commands("assign: 1\nvisit: 14/01/2027\nassign: 2")

    assert reading.commands == ()
    assert reading.errors == ("line 3: assign is given again (first on line 1); keep one assign line",)


def test_repeated_command_with_bad_value_reports_both() -> None:
    reading = read_commands("visit: 14/01/2027\nvisit: 31/02/2027")

    assert reading.errors == (
        f'line 2: "visit: 31/02/2027" is not a real date (February 2027 has 28 days); {DATE_HINT}',
        "line 2: visit is given again (first on line 1); keep one visit line",
    )


def test_hold_and_resume_rejected_together() -> None:
    reading = read_commands("resume\nnote: back from leave\nhold: waiting for the new headteacher")

    assert reading.commands == ()
    assert reading.errors == ("line 3: hold contradicts resume on line 1; send one of them",)


def test_reading_stops_at_prose() -> None:
    body = "assign: 1\nThanks, Sam\nvisit: 14/01/2027\n"

    reading = read_commands(body)

    assert reading.ok is True
    assert [command.name for command in reading.commands] == ["assign"]


def test_reading_stops_at_blank_line() -> None:
    body = "assign: 1\n\nvisit: 31/02/2027\n"

    reading = read_commands(body)

    assert reading.ok is True
    assert [command.name for command in reading.commands] == ["assign"]


def test_signature_after_blank_line_ignored() -> None:
    body = (
        "consent: yes\n"
        "note: the headteacher agreed by phone\n"
        "\n"
        "Sam Jones\n"
        "Business manager\n"
        "Tel: 01632 960 123\n"
        "Email: sam.jones@harbourlights.example\n"
    )

    reading = read_commands(body)

    assert reading.ok is True
    assert [command.name for command in reading.commands] == ["consent", "note"]


def test_quoted_commands_ignored() -> None:
    body = "> assign: 2\n> visit: 14/01/2027\n"

    reading = read_commands(body)

    assert reading.empty is True
    assert reading.ok is True


def test_quoted_history_ignored() -> None:
    body = (
        "visit: 04/02/2027 pm\n"
        "On Tue, 12 Jan 2027 at 09:14, Sam Jones <sam.jones@harbourlights.example> wrote:\n"
        "> assign: 2\n"
        "> visit: 14/01/2027\n"
    )

    reading = read_commands(body)

    assert reading.ok is True
    assert len(reading.commands) == 1
    assert reading.commands[0].day == date(2027, 2, 4)


def test_old_commands_in_forwarded_text_ignored() -> None:
    body = (
        "Please see below.\n"
        "\n"
        "-----Original Message-----\n"
        "assign: 3\n"
        "cancel: duplicate request\n"
    )

    reading = read_commands(body)

    assert reading.empty is True


@pytest.mark.parametrize("body", ["", "\n", "  \n\u00a0\n\t\n"])
def test_empty_body_has_no_commands(body: str) -> None:
    reading = read_commands(body)

    assert reading == CommandReading()
    assert reading.empty is True
    assert reading.ok is True


def test_body_without_commands_is_empty() -> None:
    body = "Hi Sam,\n\nCould you pencil in the visit for next week?\nassign: 1\n\nThanks,\nJo"

    reading = read_commands(body)

    assert reading.empty is True
    assert reading.ok is True


def test_web_address_not_a_command() -> None:
    reading = read_commands("https://harbourlights.example/visits\nassign: 1")

    assert reading.empty is True


def test_error_line_skips_leading_blanks() -> None:
    body = "\n\n  \nassign: 1\nvisit: 31/02/2027\n"

    reading = read_commands(body)

    assert reading.errors == (
        f'line 2: "visit: 31/02/2027" is not a real date (February 2027 has 28 days); {DATE_HINT}',
    )


def test_leading_blank_lines_not_counted() -> None:
    reading = read_commands("\r\n\r\nassign: 1\r\nhalf-days: 3\r\n\r\nJo")

    assert [command.line_number for command in reading.commands] == [1, 2]
    assert reading.commands[1].count == 3
    assert reading.commands[1].text == "half-days: 3"


def test_outlook_invisible_characters_tolerated() -> None:
    body = f"\ufeffassign:\u00a0{PST}\u00a0<mailto:{PST}>\n\u200bvisit: 14/01/2027\u00a0pm\n\u00a0\nKind regards"

    reading = read_commands(body)

    assert reading.ok is True
    assert reading.commands[0].email == PST
    assert reading.commands[1].session == "pm"


def test_bullet_line_not_a_command() -> None:
    reading = read_commands("- assign: 1\n* visit: 14/01/2027")

    assert reading.empty is True


def test_greeting_with_colon_not_a_command() -> None:
    reading = read_commands("Dear all:\nassign: 1")

    assert reading.empty is True


def test_command_names_listed() -> None:
    assert COMMAND_NAMES == (
        "assign", "visit", "add-visit", "half-days", "endorse", "consent",
        "cancel", "hold", "resume", "note", "redesignate", "case",
    )
