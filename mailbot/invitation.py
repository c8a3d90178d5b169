"""iCalendar (RFC 5545) invitations for PST visits, sent with iTIP (RFC 5546).

A visit keeps one UID for its whole life. A changed date is sent again as a
METHOD:REQUEST with the same UID and a higher SEQUENCE, so calendar programs
update the event they already have. A cancelled visit is sent as
METHOD:CANCEL with STATUS:CANCELLED, and its SEQUENCE should also be raised.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, vCalAddress

LONDON = ZoneInfo("Europe/London")
# Names the program that wrote the file, as RFC 5545 asks, not the alliance that sends it.
PRODUCT_ID = "-//mailbot//PST visit invitations//EN"


@dataclass(frozen=True)
class Invitation:
    """One PST visit as a calendar event, with the people it is sent to."""

    uid: str
    sequence: int
    start: datetime
    end: datetime
    summary: str
    description: str
    location: str
    organizer_email: str
    organizer_name: str
    attendees: tuple[tuple[str, str | None], ...]
    stamp: datetime
    cancelled: bool = False


def build_invitation(invitation: Invitation) -> bytes:
    """Build the .ics file for ``invitation`` with METHOD:REQUEST, or METHOD:CANCEL if cancelled.

    Start and end are written with TZID=Europe/London, converted from any
    other zone first, and DTSTAMP is written in UTC. Lines end in CRLF and
    are folded at 75 octets. Raises ValueError for a naive datetime, an end
    not after the start, a negative SEQUENCE, an empty UID or no attendees.
    """
    _check_invitation(invitation)
    start = invitation.start.astimezone(LONDON)
    end = invitation.end.astimezone(LONDON)

    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "CANCEL" if invitation.cancelled else "REQUEST")

    event = Event()
    event.add("uid", invitation.uid)
    event.add("sequence", invitation.sequence)
    event.add("dtstamp", invitation.stamp.astimezone(timezone.utc))
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", invitation.summary)
    event.add("description", invitation.description)
    event.add("location", invitation.location)
    event.add("organizer", _organizer_address(invitation))
    for email, name in invitation.attendees:
        event.add("attendee", _attendee_address(email, name))
    event.add("status", "CANCELLED" if invitation.cancelled else "CONFIRMED")
    event.add("transp", "OPAQUE")
    calendar.add_component(event)

    # icalendar writes the VTIMEZONE from the tz database, with rules only for
    # the given range. This range runs from the start year to the end of the
    # year after the visit, which is shorter than the default 1970 to 2038.
    calendar.add_missing_timezones(
        first_date=date(start.year, 1, 1),
        last_date=date(end.year + 2, 1, 1),
    )
    return calendar.to_ical()


def _check_invitation(invitation: Invitation) -> None:
    for field in ("start", "end", "stamp"):
        value = getattr(invitation, field)
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                f"invalid invitation {invitation.uid!r}: {field} {value.isoformat()} "
                "is a naive datetime; pass an aware datetime, for example with "
                'ZoneInfo("Europe/London")'
            )
    if invitation.end <= invitation.start:
        raise ValueError(
            f"invalid invitation {invitation.uid!r}: end {invitation.end.isoformat()} "
            f"is not after start {invitation.start.isoformat()}"
        )
    if not invitation.uid.strip():
        raise ValueError("invalid invitation: uid is empty")
    if invitation.sequence < 0:
        raise ValueError(
            f"invalid invitation {invitation.uid!r}: sequence {invitation.sequence} "
            "is negative; the first invitation has sequence 0"
        )
    # RFC 5546 requires at least one ATTENDEE in a REQUEST or CANCEL.
    if not invitation.attendees:
        raise ValueError(f"invalid invitation {invitation.uid!r}: attendees is empty")


def _organizer_address(invitation: Invitation) -> vCalAddress:
    address = vCalAddress(f"mailto:{invitation.organizer_email}")
    address.params["CN"] = invitation.organizer_name
    return address


def _attendee_address(email: str, name: str | None) -> vCalAddress:
    address = vCalAddress(f"mailto:{email}")
    if name:
        address.params["CN"] = name
    address.params["ROLE"] = "REQ-PARTICIPANT"
    address.params["PARTSTAT"] = "NEEDS-ACTION"
    address.params["RSVP"] = "FALSE"
    return address
