"""Staff commands at the top of an email body, one per line, such as "visit: 14/01/2027 pm".

This module only parses and checks what needs no database. Whether a case,
its shortlist or a PST allows a command, and whether a date is in the past or
a school day, is for the caller to decide.
"""

from __future__ import annotations

import calendar
import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from typing import Literal

Session = Literal["am", "pm"]

COMMAND_NAMES = (
    "assign",
    "visit",
    "add-visit",
    "half-days",
    "endorse",
    "consent",
    "cancel",
    "hold",
    "resume",
    "note",
    "redesignate",
    "case",
)

# Any other command given twice in one email is an error, because it is unclear which one was meant.
REPEATABLE_COMMANDS = frozenset({"add-visit", "note"})

SHORTLIST_SIZE = 3
MAX_HALF_DAYS = 10
DEFAULT_SESSION: Session = "am"

_YES = frozenset({"yes", "y"})
_NO = frozenset({"no", "n"})

# Unknown names at least this similar to a command (difflib's ratio) get a "did you mean" hint.
_SUGGESTION_CUTOFF = 0.75

# A name is a word or two words joined by a hyphen. Spaces and underscores are
# matched too, so that "add visit:" is reported as a misspelt command instead
# of silently ending the command block.
_NAME_AND_VALUE = re.compile(r"([A-Za-z]+(?:[ _-]+[A-Za-z]+)*)[ \t]*:(.*)")
_COMMAND_NAME = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)?")
_NAME_SEPARATORS = re.compile(r"[ _-]+")

_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]+)")
_WHOLE_NUMBER = re.compile(r"[0-9]+")
_ADDRESS_WITH_LINK = re.compile(r"(\S+?)\s*<mailto:([^<>\s]*)>", re.IGNORECASE)
_EMAIL_ADDRESS = re.compile(
    r"[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?\.)+[A-Za-z]{2,}"
)

# Outlook writes non-breaking spaces, and some clients add zero-width spaces or a byte order mark.
_INVISIBLE_CHARACTERS = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u200b": None, "\ufeff": None})

_DATE_HINT = "write the date day first as DD/MM/YYYY, optionally followed by am or pm, such as 14/01/2027 pm"
_ASSIGN_HINT = f"write a shortlist number from 1 to {SHORTLIST_SIZE}, or the PST's email address"
_HALF_DAYS_HINT = f"write a whole number of half-day sessions from 1 to {MAX_HALF_DAYS}, such as half-days: 2"
_NOTE_HINT = "write the note after the colon, such as note: spoke to the headteacher by phone"
_RESUME_HINT = "write resume on a line of its own"
_REDESIGNATE_HINT = (
    "write the PST's email address and the date of the new designation as DD/MM/YYYY, "
    "such as redesignate: j.patel@oakfield.example 01/09/2027"
)
_CASE_HINT = "write the case's reference, such as case: PST-2026-0007, above the forwarded message"
_CASE_REFERENCE = re.compile(r"PST-[0-9]{4}-[0-9]{4,}", re.IGNORECASE)
_REASON_EXAMPLES = {
    "cancel": "cancel: the school has withdrawn the request",
    "hold": "hold: the PST is on leave until half term",
}


@dataclass(frozen=True)
class Command:
    """One command line read from an email, with its value parsed.

    One class with optional fields, rather than a class per command, because
    callers dispatch on ``name`` anyway and each name always sets the same
    fields: assign sets shortlist_number or email, visit and add-visit set day
    and session, half-days sets count, endorse and consent set answer, cancel
    and hold set reason, note sets note, redesignate sets email and day, case
    sets reference, and resume sets none.
    """

    # The command name in lower case, one of COMMAND_NAMES.
    name: str
    # 1 for the first non-blank line of the body, because the sender cannot see leading blank lines.
    line_number: int
    # The line exactly as written, for the case history.
    text: str
    shortlist_number: int | None = None
    # As written, without any mailto: wrapping, so compare it case-insensitively.
    email: str | None = None
    day: date | None = None
    session: Session | None = None
    count: int | None = None
    answer: bool | None = None
    reason: str | None = None
    note: str | None = None
    reference: str | None = None


@dataclass(frozen=True)
class CommandReading:
    """The commands at the top of one email, or every error found in them.

    The commands of an email are applied together or not at all, so
    ``commands`` is empty whenever ``errors`` is not.
    """

    commands: tuple[Command, ...] = ()
    errors: tuple[str, ...] = ()

    @property
    def ok(self) -> bool:
        """Whether no line has an error, which is also true for a body without commands."""
        return not self.errors

    @property
    def empty(self) -> bool:
        """Whether the body starts with no command lines at all."""
        return not self.commands and not self.errors


@dataclass(frozen=True)
class _CommandLine:
    """A line at the top of the body that looks like a command, before its name and value are checked."""

    number: int
    original: str
    cleaned: str
    name: str
    value: str


class _InvalidValue(ValueError):
    """Raised for an invalid value. The error message puts ``problem`` after the quoted line, then ``hint``, the fix."""

    def __init__(self, problem: str, hint: str) -> None:
        super().__init__(f"{problem}; {hint}")
        self.problem = problem
        self.hint = hint


def read_commands(body: str) -> CommandReading:
    """Parse and check the command lines at the top of ``body``, the plain text of an email.

    Reading skips leading blank lines and stops at the first blank line or the
    first line that does not look like a command, so signatures and quoted
    history below are never read. Every error found is returned, not only the
    first, and each names its line and what to write instead.
    """
    commands: list[Command] = []
    errors: list[tuple[int, str]] = []
    known_names: list[tuple[str, int]] = []

    for line in _command_block(body):
        name = line.name.casefold()
        if name not in COMMAND_NAMES:
            errors.append((line.number, _unknown_command_error(line)))
            continue

        known_names.append((name, line.number))
        try:
            commands.append(_read_value(line, name))
        except _InvalidValue as exc:
            errors.append((line.number, f'line {line.number}: "{line.cleaned}" {exc.problem}; {exc.hint}'))

    errors.extend(_check_combination(known_names))
    if errors:
        # The sort is stable, so a line's own error stays before any error about combining it with others.
        errors.sort(key=lambda error: error[0])
        return CommandReading(errors=tuple(message for _, message in errors))
    return CommandReading(commands=tuple(commands))


def find_misplaced_command(body: str) -> int | None:
    """Return the number of the first line of ``body`` that is a command, or None.

    Commands count only at the top, so a command further down, such as one
    after a greeting, is a mistake worth telling the sender about.
    """
    lines = body.splitlines()
    for number, original in enumerate(lines, start=1):
        cleaned = _clean(original)
        name_and_value = _split_command_line(cleaned)
        if name_and_value is not None and name_and_value[0].casefold() in COMMAND_NAMES:
            return number
    return None


def _command_block(body: str) -> list[_CommandLine]:
    lines = body.splitlines()
    start = 0
    while start < len(lines) and not _clean(lines[start]):
        start += 1

    block: list[_CommandLine] = []
    for number, original in enumerate(lines[start:], start=1):
        cleaned = _clean(original)
        name_and_value = _split_command_line(cleaned)
        if name_and_value is None:
            break
        name, value = name_and_value
        block.append(_CommandLine(number, original, cleaned, name, value))
    return block


def _clean(line: str) -> str:
    return line.translate(_INVISIBLE_CHARACTERS).strip()


def _split_command_line(line: str) -> tuple[str, str] | None:
    """Split a line that looks like a command into its name and value, or return None for any other line.

    A blank line, a quoted line starting with ">" and a line of prose are not
    commands. Neither is a web address such as "https://…", whose scheme would
    otherwise read as a command name.
    """
    if line.casefold() == "resume":
        return line, ""
    # A command name alone, such as "hold", is read so that its missing value can be named.
    if line.rstrip(":").strip().casefold() in COMMAND_NAMES:
        return line.rstrip(":").strip(), ""

    match = _NAME_AND_VALUE.fullmatch(line)
    if match is None:
        return None
    name, value = match.group(1), match.group(2)
    if value.startswith("//"):
        return None

    # A name with spaces or underscores counts only when it is a command
    # spelt wrongly, because "Dear all:" is prose, not a command.
    if _COMMAND_NAME.fullmatch(name) is None and _hyphenate(name) not in COMMAND_NAMES:
        return None
    return name, " ".join(value.split())


def _hyphenate(name: str) -> str:
    return _NAME_SEPARATORS.sub("-", name.casefold())


def _unknown_command_error(line: _CommandLine) -> str:
    message = f'line {line.number}: unknown command "{line.name}"'

    hyphenated = _hyphenate(line.name)
    if hyphenated in COMMAND_NAMES:
        suggestions = [hyphenated]
    else:
        suggestions = difflib.get_close_matches(line.name.casefold(), COMMAND_NAMES, n=1, cutoff=_SUGGESTION_CUTOFF)
    if suggestions:
        message += f' (did you mean "{suggestions[0]}"?)'

    return f"{message}; the commands are: {', '.join(COMMAND_NAMES)}"


def _check_combination(known_names: list[tuple[str, int]]) -> list[tuple[int, str]]:
    """Return an error, with its line number, for each command given twice and for hold and resume together."""
    errors: list[tuple[int, str]] = []
    first_lines: dict[str, int] = {}
    for name, line_number in known_names:
        first_line = first_lines.setdefault(name, line_number)
        if first_line != line_number and name not in REPEATABLE_COMMANDS:
            message = f"line {line_number}: {name} is given again (first on line {first_line}); keep one {name} line"
            errors.append((line_number, message))

    if "hold" in first_lines and "resume" in first_lines:
        earlier, later = sorted(("hold", "resume"), key=first_lines.__getitem__)
        message = (
            f"line {first_lines[later]}: {later} contradicts {earlier} on line {first_lines[earlier]}; "
            "send one of them"
        )
        errors.append((first_lines[later], message))

    # case: is about the forwarded message, not the case of the email it came in, so it cannot share that email.
    if "case" in first_lines and len(first_lines) > 1:
        message = f"line {first_lines['case']}: case: must be the only command in its email, because it is about the forwarded message"
        errors.append((first_lines["case"], message))
    return errors


# Reading each command's value


def _read_value(line: _CommandLine, name: str) -> Command:
    command = Command(name=name, line_number=line.number, text=line.original)
    return _VALUE_READERS[name](command, line.value)


def _read_assign(command: Command, value: str) -> Command:
    if not value:
        raise _InvalidValue("is missing the PST", _ASSIGN_HINT)

    if _WHOLE_NUMBER.fullmatch(value):
        number = int(value)
        if not 1 <= number <= SHORTLIST_SIZE:
            raise _InvalidValue(f"is not a place on the shortlist of {SHORTLIST_SIZE}", _ASSIGN_HINT)
        return replace(command, shortlist_number=number)

    return replace(command, email=_parse_address(value, "is not a shortlist number or an email address", _ASSIGN_HINT))


def _read_visit(command: Command, value: str) -> Command:
    parts = value.split()
    if not parts:
        raise _InvalidValue("is missing the date", _DATE_HINT)
    if len(parts) > 2:
        raise _InvalidValue("has more than a date and am or pm", _DATE_HINT)

    day = _parse_date(parts[0], _DATE_HINT)
    session = parts[1].casefold() if len(parts) == 2 else DEFAULT_SESSION
    if session == "am":
        return replace(command, day=day, session="am")
    if session == "pm":
        return replace(command, day=day, session="pm")
    raise _InvalidValue(f'has "{parts[1]}" where am or pm should be', _DATE_HINT)


def _read_half_days(command: Command, value: str) -> Command:
    if not value:
        raise _InvalidValue("is missing the number", _HALF_DAYS_HINT)
    if _WHOLE_NUMBER.fullmatch(value) is None or not 1 <= int(value) <= MAX_HALF_DAYS:
        raise _InvalidValue(f"is not a whole number from 1 to {MAX_HALF_DAYS}", _HALF_DAYS_HINT)
    return replace(command, count=int(value))


def _read_answer(command: Command, value: str) -> Command:
    hint = f"write {command.name}: yes or {command.name}: no"
    answer = value.casefold()
    if answer in _YES:
        return replace(command, answer=True)
    if answer in _NO:
        return replace(command, answer=False)
    if not answer:
        raise _InvalidValue("is missing yes or no", hint)
    raise _InvalidValue("is not yes or no", hint)


def _read_reason(command: Command, value: str) -> Command:
    if not value:
        example = _REASON_EXAMPLES[command.name]
        raise _InvalidValue("is missing the reason", f"write the reason after the colon, such as {example}")
    return replace(command, reason=value)


def _read_resume(command: Command, value: str) -> Command:
    if value:
        raise _InvalidValue("has a value, but resume takes none", _RESUME_HINT)
    return command


def _read_note(command: Command, value: str) -> Command:
    if not value:
        raise _InvalidValue("is missing the text", _NOTE_HINT)
    return replace(command, note=value)


def _read_redesignate(command: Command, value: str) -> Command:
    address_text, _, date_text = value.rpartition(" ")
    if not address_text:
        raise _InvalidValue("is missing the email address or the date", _REDESIGNATE_HINT)

    # The date is read first, so that a value in the wrong order is reported as a missing date.
    day = _parse_date(date_text, _REDESIGNATE_HINT)
    email = _parse_address(address_text, "does not give a valid email address", _REDESIGNATE_HINT)
    return replace(command, email=email, day=day)


def _read_case(command: Command, value: str) -> Command:
    if not value:
        raise _InvalidValue("is missing the reference", _CASE_HINT)
    if _CASE_REFERENCE.fullmatch(value) is None:
        raise _InvalidValue(f'has "{value}" where a case reference should be', _CASE_HINT)
    return replace(command, reference=value.upper())


_VALUE_READERS: dict[str, Callable[[Command, str], Command]] = {
    "assign": _read_assign,
    "visit": _read_visit,
    "add-visit": _read_visit,
    "half-days": _read_half_days,
    "endorse": _read_answer,
    "consent": _read_answer,
    "cancel": _read_reason,
    "hold": _read_reason,
    "resume": _read_resume,
    "note": _read_note,
    "redesignate": _read_redesignate,
    "case": _read_case,
}


def _parse_address(text: str, problem: str, hint: str) -> str:
    """Return the email address in ``text``, unwrapped from the forms Outlook writes, or raise _InvalidValue.

    Outlook writes a linked address as "a@b.example <mailto:a@b.example>", and
    some clients write "<mailto:a@b.example>", "<a@b.example>" or "mailto:a@b.example".
    """
    address = text.strip()

    linked = _ADDRESS_WITH_LINK.fullmatch(address)
    if linked is not None:
        shown_address, link_address = linked.group(1), linked.group(2)
        if shown_address.casefold() != link_address.casefold():
            raise _InvalidValue(
                f"shows the address {shown_address} but links to {link_address}", "write the address once, without a link"
            )
        address = shown_address

    if address.startswith("<") and address.endswith(">"):
        address = address[1:-1].strip()
    if address.casefold().startswith("mailto:"):
        address = address[len("mailto:"):].strip()

    if _EMAIL_ADDRESS.fullmatch(address) is None:
        raise _InvalidValue(problem, hint)
    return address


def _parse_date(text: str, hint: str) -> date:
    """Parse a day-first date such as "14/01/2027" or "4/1/2027", or raise _InvalidValue saying why it is not one."""
    match = _DATE.fullmatch(text)
    if match is None:
        raise _InvalidValue(f'has "{text}" where a DD/MM/YYYY date should be', hint)

    day, month, year = (int(part) for part in match.groups())
    if len(match.group(3)) != 4:
        raise _InvalidValue("does not give the year in full", hint)
    if not 1 <= month <= 12:
        raise _InvalidValue(f"is not a real date (there is no month {month})", hint)

    days_in_month = calendar.monthrange(year, month)[1]
    if not 1 <= day <= days_in_month:
        reason = "there is no day 0" if day == 0 else f"{calendar.month_name[month]} {year} has {days_in_month} days"
        raise _InvalidValue(f"is not a real date ({reason})", hint)

    try:
        return date(year, month, day)
    except ValueError as exc:
        # Only year 0000 gets this far, because the month and day were checked above.
        raise _InvalidValue(f"is not a real date ({exc})", hint) from exc
