"""Tests for the iCalendar invitation sent when a PST visit date is set."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from mailbot.invitation import Invitation, build_invitation

LONDON = ZoneInfo("Europe/London")
UID = "PST-2026-0007-visit-1@star-tsa.example"


def make_invitation(start: datetime, **changes) -> Invitation:
    invitation = Invitation(
        uid=UID,
        sequence=0,
        start=start,
        end=start + timedelta(hours=3),
        summary="PST visit: Year 4 reading",
        description="Peer Support Teacher visit for case PST-2026-0007.\nBring the reading plan.",
        location="Oakfield Primary School, 1 High Street, Leeds LS1 1AA",
        organizer_email="pst@star-tsa.example",
        organizer_name="STAR PST Team",
        attendees=(
            ("head@oakfield.example", "Smith, Jo"),
            ("pst.teacher@star-tsa.example", "Sam Patel"),
            ("senco@oakfield.example", None),
        ),
        stamp=datetime(2026, 9, 1, 12, 30, tzinfo=timezone.utc),
    )
    return dataclasses.replace(invitation, **changes)


def parse(ics: bytes) -> tuple[Calendar, object]:
    calendar = Calendar.from_ical(ics)
    events = calendar.walk("VEVENT")
    assert len(events) == 1
    return calendar, events[0]


def test_request_calendar_properties():
    ics = build_invitation(make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON)))
    calendar, _ = parse(ics)

    assert calendar["PRODID"] == "-//mailbot//PST visit invitations//EN"
    assert calendar["VERSION"] == "2.0"
    assert calendar["CALSCALE"] == "GREGORIAN"
    assert calendar["METHOD"] == "REQUEST"


def test_request_event_properties():
    invitation = make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))
    _, event = parse(build_invitation(invitation))

    assert event["UID"] == UID
    assert event["SEQUENCE"] == 0
    assert event["SUMMARY"] == invitation.summary
    assert event["DESCRIPTION"] == invitation.description
    assert event["LOCATION"] == invitation.location
    assert event["STATUS"] == "CONFIRMED"
    assert event["TRANSP"] == "OPAQUE"
    assert event.decoded("DTSTAMP") == datetime(2026, 9, 1, 12, 30, tzinfo=timezone.utc)


def test_dtstamp_written_in_utc():
    stamp = datetime(2026, 9, 1, 13, 30, tzinfo=LONDON)
    ics = build_invitation(make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON), stamp=stamp))

    assert b"\r\nDTSTAMP:20260901T123000Z\r\n" in ics


def test_organizer_has_mailto_and_cn():
    _, event = parse(build_invitation(make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))))
    organizer = event["ORGANIZER"]

    assert str(organizer) == "mailto:pst@star-tsa.example"
    assert organizer.params["CN"] == "STAR PST Team"


def test_attendees_have_rfc_5545_parameters():
    _, event = parse(build_invitation(make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))))
    attendees = event["ATTENDEE"]

    assert [str(attendee) for attendee in attendees] == [
        "mailto:head@oakfield.example",
        "mailto:pst.teacher@star-tsa.example",
        "mailto:senco@oakfield.example",
    ]
    assert attendees[0].params["CN"] == "Smith, Jo"
    assert attendees[1].params["CN"] == "Sam Patel"
    assert "CN" not in attendees[2].params
    for attendee in attendees:
        assert attendee.params["ROLE"] == "REQ-PARTICIPANT"
        assert attendee.params["PARTSTAT"] == "NEEDS-ACTION"
        assert attendee.params["RSVP"] == "FALSE"


@pytest.mark.parametrize(
    ("start", "local_text", "utc_start"),
    [
        # Winter: GMT, UTC+0.
        (datetime(2027, 1, 14, 9, 0), "20270114T090000", datetime(2027, 1, 14, 9, 0)),
        # The UK clocks go back at 02:00 BST on Sunday 25/10/2026, so Monday is GMT.
        (datetime(2026, 10, 26, 9, 0), "20261026T090000", datetime(2026, 10, 26, 9, 0)),
        # The Friday before the change is still BST, UTC+1.
        (datetime(2026, 10, 23, 9, 0), "20261023T090000", datetime(2026, 10, 23, 8, 0)),
    ],
)
def test_start_uses_london_tzid(start, local_text, utc_start):
    ics = build_invitation(make_invitation(start.replace(tzinfo=LONDON)))
    calendar, event = parse(ics)
    utc_start = utc_start.replace(tzinfo=timezone.utc)
    utc_end = utc_start + timedelta(hours=3)

    assert f"\r\nDTSTART;TZID=Europe/London:{local_text}\r\n".encode() in ics
    assert event["DTSTART"].params["TZID"] == "Europe/London"
    assert event["DTEND"].params["TZID"] == "Europe/London"
    assert event.decoded("DTSTART") == utc_start
    assert event.decoded("DTEND") == utc_end

    # Read the instant through the VTIMEZONE in the file, as a calendar
    # program does, and not only through the local tz database.
    timezones = calendar.walk("VTIMEZONE")
    assert [str(component["TZID"]) for component in timezones] == ["Europe/London"]
    file_zone = timezones[0].to_tz()
    local_start = datetime.strptime(local_text, "%Y%m%dT%H%M%S").replace(tzinfo=file_zone)
    assert local_start.astimezone(timezone.utc) == utc_start


def test_start_in_other_zone_converted_to_london():
    start = datetime(2026, 10, 23, 8, 0, tzinfo=timezone.utc)
    ics = build_invitation(make_invitation(start))

    assert b"\r\nDTSTART;TZID=Europe/London:20261023T090000\r\n" in ics
    assert b"\r\nDTEND;TZID=Europe/London:20261023T120000\r\n" in ics


def test_update_keeps_uid_and_raises_sequence():
    first = make_invitation(datetime(2026, 10, 23, 9, 0, tzinfo=LONDON))
    moved = dataclasses.replace(
        first,
        sequence=first.sequence + 1,
        start=datetime(2026, 10, 26, 9, 0, tzinfo=LONDON),
        end=datetime(2026, 10, 26, 12, 0, tzinfo=LONDON),
    )
    first_calendar, first_event = parse(build_invitation(first))
    moved_calendar, moved_event = parse(build_invitation(moved))

    assert moved_event["UID"] == first_event["UID"]
    assert moved_event["SEQUENCE"] == 1
    assert moved_event["SEQUENCE"] > first_event["SEQUENCE"]
    assert moved_calendar["METHOD"] == "REQUEST"
    assert moved_event["STATUS"] == "CONFIRMED"
    assert moved_event.decoded("DTSTART") == datetime(2026, 10, 26, 9, 0, tzinfo=timezone.utc)


def test_cancel_sets_method_and_status():
    invitation = make_invitation(
        datetime(2026, 10, 23, 9, 0, tzinfo=LONDON), sequence=2, cancelled=True
    )
    calendar, event = parse(build_invitation(invitation))

    assert calendar["METHOD"] == "CANCEL"
    assert event["STATUS"] == "CANCELLED"
    assert event["UID"] == UID
    assert event["SEQUENCE"] == 2
    assert len(event["ATTENDEE"]) == 3


def test_lines_crlf_and_folded():
    long_description = "Visit plan: " + "observe phonics lessons, meet the English lead; " * 8
    invitation = make_invitation(
        datetime(2027, 1, 14, 9, 0, tzinfo=LONDON),
        description=long_description,
        summary="PST visit: café review ✓",
    )
    ics = build_invitation(invitation)

    assert ics.endswith(b"\r\n")
    lines = ics[: -len(b"\r\n")].split(b"\r\n")
    for line in lines:
        assert b"\n" not in line
        assert b"\r" not in line
        assert len(line) <= 75, line
    assert any(line.startswith(b" ") for line in lines)
    _, event = parse(ics)
    assert event["DESCRIPTION"] == long_description
    assert event["SUMMARY"] == "PST visit: café review ✓"


@pytest.mark.parametrize("field", ["start", "end", "stamp"])
def test_naive_datetime_rejected(field):
    invitation = make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON))
    naive = getattr(invitation, field).replace(tzinfo=None)

    with pytest.raises(ValueError, match=f"{field} .* is a naive datetime"):
        build_invitation(dataclasses.replace(invitation, **{field: naive}))


@pytest.mark.parametrize("length", [timedelta(0), timedelta(hours=-1)])
def test_end_not_after_start_rejected(length):
    start = datetime(2027, 1, 14, 9, 0, tzinfo=LONDON)
    invitation = make_invitation(start, end=start + length)

    with pytest.raises(ValueError, match="is not after start"):
        build_invitation(invitation)


def test_negative_sequence_rejected():
    invitation = make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON), sequence=-1)

    with pytest.raises(ValueError, match="sequence -1 is negative"):
        build_invitation(invitation)


def test_empty_uid_rejected():
    invitation = make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON), uid=" ")

    with pytest.raises(ValueError, match="uid is empty"):
        build_invitation(invitation)


def test_no_attendees_rejected():
    invitation = make_invitation(datetime(2027, 1, 14, 9, 0, tzinfo=LONDON), attendees=())

    with pytest.raises(ValueError, match="attendees is empty"):
        build_invitation(invitation)
