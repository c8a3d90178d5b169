"""The PST register: reading the alliance's CSV file and keeping the psts table in step with it.

The file has one row per PST under a header row with the columns
REGISTER_COLUMNS, in any order. Column names are matched ignoring case,
surrounding spaces, and spaces or hyphens in place of underscores. Other
columns, such as notes, are ignored. Rules for the cells:

- ``name``, ``email``, ``school``, ``headteacher_email``, ``phase`` and
  ``expertise`` must not be empty; ``headteacher_name`` and ``subjects`` may be.
- ``email`` and ``headteacher_email`` are single addresses, stored in lower case.
  An address appears on one row only.
- ``phase`` is one of PHASES; case, spaces and "all through" or "allthrough" are accepted.
- ``subjects`` and ``expertise`` are lists separated by ``;``.
- ``designated_on`` is a real date written day first, DD/MM/YYYY (or D/M/YYYY), not in the future.
- ``max_visits_per_term`` is a whole number of at least 1.

Rows are numbered as a spreadsheet numbers them: the header is row 1, so the
first PST is row 2. Every problem in the file is reported at once, and a file
with any problem imports nothing.
"""

from __future__ import annotations

import codecs
import csv
import io
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.designation import (
    ACTIVE,
    EXPIRING,
    LAPSED,
    designation_status,
    expiry_date,
    schedule_designation_notices,
)
from mailbot.errors import MailbotError
from mailbot.store.models import Pst
from mailbot.timings import Timings

__all__ = [
    "ACTIVE",
    "EXPIRING",
    "LAPSED",
    "ImportReport",
    "PstNotFound",
    "PstRecord",
    "RegisterError",
    "designation_status",
    "expiry_date",
    "import_register",
    "parse_uk_date",
    "read_register_csv",
    "redesignate",
]

log = logging.getLogger("mailbot.register")

REGISTER_COLUMNS = (
    "name",
    "email",
    "school",
    "headteacher_name",
    "headteacher_email",
    "phase",
    "subjects",
    "expertise",
    "designated_on",
    "max_visits_per_term",
)
REQUIRED_CELLS = ("name", "email", "school", "headteacher_email", "phase", "expertise")

# Phases of education a PST can serve. "special" is a special school of any
# age range and "all-through" a school that teaches both primary and secondary.
PHASES = ("primary", "secondary", "special", "all-through")
PHASE_SPELLINGS = {"all through": "all-through", "allthrough": "all-through", "all_through": "all-through"}

LIST_SEPARATOR = ";"

# RFC 5321 limits a forward path to 256 octets, which leaves 254 for the address.
MAX_EMAIL_LENGTH = 254
MAX_LOCAL_PART_LENGTH = 64
_LOCAL_PART = re.compile(r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*")
_DOMAIN_LABEL = re.compile(r"[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?")
_UK_DATE = re.compile(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})")
_WHOLE_NUMBER = re.compile(r"[0-9]+")

# An .xlsx workbook is a ZIP archive, so it starts with the ZIP signature.
_ZIP_SIGNATURE = b"PK\x03\x04"
SAVE_AS_HINT = 'in Excel use File > Save As and choose "CSV UTF-8 (Comma delimited)"'


class RegisterError(MailbotError, ValueError):
    """An invalid register file or designation change, with each fault listed in ``problems``."""

    def __init__(self, summary: str, problems: Sequence[str] = ()) -> None:
        self.summary = summary
        self.problems = list(problems)
        lines = [summary, *(f"  {problem}" for problem in self.problems)]
        super().__init__("\n".join(lines))


class PstNotFound(MailbotError, LookupError):
    """No PST on the register has the requested email address."""


@dataclass(frozen=True)
class PstRecord:
    """One valid row of the register file."""

    name: str
    email: str
    school: str
    headteacher_name: str | None
    headteacher_email: str
    phase: str
    subjects: tuple[str, ...]
    expertise: tuple[str, ...]
    designated_on: date
    max_visits_per_term: int


@dataclass(frozen=True)
class RegisteredPst:
    """A PST's name and email address, as an import report lists them."""

    name: str
    email: str


@dataclass(frozen=True)
class ImportReport:
    """The counts of PSTs an import added, updated and left unchanged, and what else it found."""

    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # PSTs already stored but absent from the file. They are kept, because cases refer to them.
    not_in_file: tuple[RegisteredPst, ...] = ()
    # PSTs whose stored designation date is later than the file's, such as after a
    # re-designation the file has not caught up with. The later date is kept.
    kept_later_date: tuple[RegisteredPst, ...] = ()
    notices_scheduled: int = 0


# Reading the file


def read_register_csv(path: Path, *, today: date | None = None) -> list[PstRecord]:
    """Read and validate the register file at ``path`` and return one record per PST.

    No designation date may come after ``today``, which defaults to the local
    date of this machine. Raises RegisterError listing every problem in the file.
    """
    path = Path(path)
    text = _decode(_read_bytes(path), path)
    rows = _parse_csv(text, path)
    if not rows:
        raise RegisterError(f"{path} is empty; its first row must be the column names: {', '.join(REGISTER_COLUMNS)}")
    if not any(cell.strip() for cell in rows[0]):
        raise RegisterError(f"{path} has a blank first row; it must be the column names: {', '.join(REGISTER_COLUMNS)}")

    columns = _column_positions(rows[0], path)
    records, problems = _read_rows(rows[1:], columns, len(rows[0]), today or date.today())
    if problems:
        raise RegisterError(f"{path} has {len(problems)} problem(s):", problems)
    if not records:
        raise RegisterError(f"{path} has a header row but no PSTs under it")
    return records


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise RegisterError(f"cannot read the register file {path}: {exc.strerror or exc}") from exc


def _decode(data: bytes, path: Path) -> str:
    """Decode UTF-8, with or without a byte order mark, falling back to Excel's Windows-1252."""
    if data.startswith(_ZIP_SIGNATURE):
        raise RegisterError(f"{path} is an Excel workbook or another ZIP file, not a CSV file; {SAVE_AS_HINT}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise RegisterError(f"{path} is saved as UTF-16 (Excel's \"Unicode Text\"); {SAVE_AS_HINT}")

    if data.startswith(codecs.BOM_UTF8):
        try:
            return data[len(codecs.BOM_UTF8):].decode("utf-8")
        except UnicodeDecodeError as exc:
            raise RegisterError(f"{path} starts as UTF-8 but byte {exc.start + 3} is invalid UTF-8; {SAVE_AS_HINT}") from exc

    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as exc:
        raise RegisterError(f"{path} is neither UTF-8 nor Windows-1252 text (byte {exc.start} is invalid); {SAVE_AS_HINT}") from exc


def _parse_csv(text: str, path: Path) -> list[list[str]]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return list(reader)
    except csv.Error as exc:
        raise RegisterError(f"{path} is not a readable CSV file near line {reader.line_num}: {exc}") from exc


def _normalise_column(name: str) -> str:
    return re.sub(r"[\s-]+", "_", name.strip().lower())


def _column_positions(header: list[str], path: Path) -> dict[str, int]:
    """Return the position of each register column in ``header``, or raise RegisterError naming the missing ones."""
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        separator = "semicolons" if ";" in header[0] else "tabs"
        raise RegisterError(f"{path} separates its columns with {separator}, not commas; {SAVE_AS_HINT}")

    positions: dict[str, int] = {}
    problems = []
    for position, raw_name in enumerate(header):
        name = _normalise_column(raw_name)
        if name in positions:
            problems.append(f"row 1: the column {name} appears twice, in columns {positions[name] + 1} and {position + 1}")
        elif name:
            positions[name] = position

    missing = [name for name in REGISTER_COLUMNS if name not in positions]
    if missing:
        unknown = [raw.strip() for raw in header if raw.strip() and _normalise_column(raw) not in REGISTER_COLUMNS]
        problem = f"row 1: missing column(s): {', '.join(missing)}"
        if unknown:
            problem += f"; columns not used by mailbot, perhaps misspelt: {', '.join(unknown)}"
        problems.append(problem)
    if problems:
        raise RegisterError(f"{path} has {len(problems)} problem(s) in its header row:", problems)
    return positions


def _read_rows(
    rows: list[list[str]], columns: dict[str, int], header_width: int, today: date
) -> tuple[list[PstRecord], list[str]]:
    records = []
    problems = []
    row_of_email: dict[str, int] = {}
    cells_needed = max(columns.values()) + 1

    for index, cells in enumerate(rows):
        number = index + 2
        if not any(cell.strip() for cell in cells):
            continue  # Excel writes an empty row as a line of commas

        if len(cells) < cells_needed or any(cell.strip() for cell in cells[header_width:]):
            problems.append(
                f"row {number}: has {len(cells)} cells but the header has {header_width} columns; "
                "put a cell that contains a comma in double quotes, and separate list items with ;"
            )
            continue

        values = {name: cells[position].strip() for name, position in columns.items()}
        row_problems: list[str] = []
        record = _read_record(values, today, row_problems)

        address = values["email"]
        if address and email_problem(address) is None:
            first_row = row_of_email.setdefault(address.lower(), number)
            if first_row != number:
                row_problems.append(f"email {address.lower()} is also on row {first_row}; each PST must appear once")

        problems.extend(f"row {number}: {problem}" for problem in row_problems)
        if record is not None and not row_problems:
            records.append(record)
    return records, problems


def _read_record(values: dict[str, str], today: date, problems: list[str]) -> PstRecord | None:
    """Check one row's cells, append each fault to ``problems``, and return the record only when every cell is valid."""
    before = len(problems)
    for name in REQUIRED_CELLS:
        if not values[name]:
            problems.append(f"{name} is empty")

    email = _checked_email("email", values["email"], problems)
    headteacher_email = _checked_email("headteacher_email", values["headteacher_email"], problems)
    phase = _checked_phase(values["phase"], problems)
    subjects = _checked_list("subjects", values["subjects"], problems)
    expertise = _checked_list("expertise", values["expertise"], problems)
    designated_on = _checked_designation_date(values["designated_on"], today, problems)
    max_visits = _checked_max_visits(values["max_visits_per_term"], problems)

    if (
        len(problems) > before
        or email is None
        or headteacher_email is None
        or phase is None
        or designated_on is None
        or max_visits is None
    ):
        return None
    return PstRecord(
        name=" ".join(values["name"].split()),
        email=email,
        school=" ".join(values["school"].split()),
        headteacher_name=" ".join(values["headteacher_name"].split()) or None,
        headteacher_email=headteacher_email,
        phase=phase,
        subjects=subjects,
        expertise=expertise,
        designated_on=designated_on,
        max_visits_per_term=max_visits,
    )


def email_problem(address: str) -> str | None:
    """Return why ``address`` is not a plain email address such as name@school.example, or None if it is one.

    The check covers syntax only, for ASCII addresses without quoted local
    parts. It does not look the domain up.
    """
    if "<" in address or " " in address:
        return "must be the address alone, such as name@school.example, without a name or spaces"
    local, at, domain = address.rpartition("@")
    if not at or not local or not domain:
        return "has no @ between a name and a domain"
    if len(address) > MAX_EMAIL_LENGTH or len(local) > MAX_LOCAL_PART_LENGTH:
        return f"is longer than an email address may be ({MAX_EMAIL_LENGTH} characters, {MAX_LOCAL_PART_LENGTH} before the @)"
    if not _LOCAL_PART.fullmatch(local):
        return "has characters before the @ that an email address cannot contain"
    labels = domain.split(".")
    if len(labels) < 2 or not all(_DOMAIN_LABEL.fullmatch(label) for label in labels) or labels[-1].isdigit():
        return "has a domain after the @ that is not valid, such as school.example"
    return None


def _checked_email(column: str, value: str, problems: list[str]) -> str | None:
    if not value:
        return None
    problem = email_problem(value)
    if problem is not None:
        problems.append(f"{column} {value!r} is not a valid email address: it {problem}")
        return None
    return value.lower()


def _checked_phase(value: str, problems: list[str]) -> str | None:
    if not value:
        return None
    spelling = " ".join(value.lower().split())
    phase = PHASE_SPELLINGS.get(spelling, spelling)
    if phase not in PHASES:
        problems.append(f"phase {value!r} is not one of {', '.join(PHASES)}")
        return None
    return phase


def _checked_list(column: str, value: str, problems: list[str]) -> tuple[str, ...]:
    items: dict[str, str] = {}
    for raw_item in value.split(LIST_SEPARATOR):
        item = " ".join(raw_item.split())
        if "," in item:
            problems.append(f"{column} {value!r} contains a comma; separate the items with ; instead")
            return ()
        if item:
            items.setdefault(item.casefold(), item)
    return tuple(items.values())


def parse_uk_date(text: str) -> date:
    """Read a date written day first (DD/MM/YYYY or D/M/YYYY), or raise ValueError saying what is wrong."""
    match = _UK_DATE.fullmatch(text.strip())
    if match is None:
        raise ValueError(f"{text!r} is not a date written day first as DD/MM/YYYY, such as 14/09/2025")
    day, month, year = (int(part) for part in match.groups())
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(f"{text!r} is not a real date; dates are written day first, DD/MM/YYYY") from None


def _checked_designation_date(value: str, today: date, problems: list[str]) -> date | None:
    if not value:
        problems.append("designated_on is empty")
        return None
    try:
        designated_on = parse_uk_date(value)
    except ValueError as exc:
        problems.append(f"designated_on {exc}")
        return None
    if designated_on > today:
        problems.append(f"designated_on {value} is in the future; give the date the PST was designated")
        return None
    return designated_on


def _checked_max_visits(value: str, problems: list[str]) -> int | None:
    if not value:
        problems.append("max_visits_per_term is empty")
        return None
    if not _WHOLE_NUMBER.fullmatch(value) or int(value) < 1:
        problems.append(f"max_visits_per_term {value!r} is not a whole number of at least 1")
        return None
    return int(value)


# Storing the register


@dataclass
class _Tally:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    kept_later_date: list[RegisteredPst] = field(default_factory=list)
    notices_scheduled: int = 0


def import_register(
    session: Session, records: Iterable[PstRecord], now: datetime, timings: Timings, zone: ZoneInfo
) -> ImportReport:
    """Add or update a PST for each record, matched by email, and schedule their designation notices.

    Runs in the caller's transaction. PSTs missing from ``records`` are kept
    and listed in the report. A stored designation date later than the
    record's is kept too, so that an older copy of the file cannot undo a
    re-designation. Use ``redesignate`` to set an earlier date on purpose.
    """
    stored = {pst.email.lower(): pst for pst in session.scalars(select(Pst))}
    seen: set[str] = set()
    tally = _Tally()

    for record in records:
        seen.add(record.email)
        pst = stored.get(record.email)
        if pst is None:
            pst = _new_pst(record, now)
            session.add(pst)
            session.flush()
            tally.added += 1
        else:
            if record.designated_on < pst.designated_on:
                tally.kept_later_date.append(RegisteredPst(pst.name, pst.email))
                record = replace(record, designated_on=pst.designated_on)
            if _update_pst(pst, record, now):
                tally.updated += 1
            else:
                tally.unchanged += 1
        tally.notices_scheduled += len(schedule_designation_notices(session, pst, now, timings, zone))

    missing = sorted((pst for email, pst in stored.items() if email not in seen), key=lambda pst: (pst.name, pst.email))
    report = ImportReport(
        added=tally.added,
        updated=tally.updated,
        unchanged=tally.unchanged,
        not_in_file=tuple(RegisteredPst(pst.name, pst.email) for pst in missing),
        kept_later_date=tuple(tally.kept_later_date),
        notices_scheduled=tally.notices_scheduled,
    )
    log.info(
        "IMPORT register: %d added, %d updated, %d unchanged, %d not in the file, %d designation notice(s) scheduled",
        report.added, report.updated, report.unchanged, len(report.not_in_file), report.notices_scheduled,
    )
    return report


def _new_pst(record: PstRecord, now: datetime) -> Pst:
    return Pst(
        name=record.name,
        email=record.email,
        school=record.school,
        headteacher_name=record.headteacher_name,
        headteacher_email=record.headteacher_email,
        phase=record.phase,
        subjects=list(record.subjects),
        expertise=list(record.expertise),
        designated_on=record.designated_on,
        max_visits_per_term=record.max_visits_per_term,
        created_at=now,
        updated_at=now,
    )


def _update_pst(pst: Pst, record: PstRecord, now: datetime) -> bool:
    """Copy the record's values onto ``pst`` and return whether any of them differed."""
    new_values = {
        "name": record.name,
        "email": record.email,
        "school": record.school,
        "headteacher_name": record.headteacher_name,
        "headteacher_email": record.headteacher_email,
        "phase": record.phase,
        "subjects": list(record.subjects),
        "expertise": list(record.expertise),
        "designated_on": record.designated_on,
        "max_visits_per_term": record.max_visits_per_term,
    }
    changed = {name: value for name, value in new_values.items() if getattr(pst, name) != value}
    for name, value in changed.items():
        setattr(pst, name, value)
    if changed:
        pst.updated_at = now
        log.info("UPDATE PST %s: %s", record.email, ", ".join(sorted(changed)))
    return bool(changed)


def find_pst(session: Session, email: str) -> Pst:
    """Return the PST with ``email``, ignoring case, or raise PstNotFound."""
    address = email.strip().lower()
    pst = session.scalars(select(Pst).where(func.lower(Pst.email) == address)).one_or_none()
    if pst is None:
        raise PstNotFound(f"no PST on the register has the email address {address}; `mailbot pst list` lists them")
    return pst


def redesignate(
    session: Session,
    pst_email: str,
    designated_on: date,
    now: datetime,
    timings: Timings,
    zone: ZoneInfo,
    actor: str,
) -> Pst:
    """Record a new designation date for a PST and replace its pending designation notices.

    Any date up to today is accepted, earlier dates included, so a wrong date
    can be corrected. Raises PstNotFound for an unknown email and
    RegisterError for a date in the future.
    """
    pst = find_pst(session, pst_email)
    today = now.astimezone(zone).date()
    if designated_on > today:
        raise RegisterError(
            f"the designation date {designated_on:%d/%m/%Y} for {pst.email} is in the future; "
            f"give the date the re-designation took effect, {today:%d/%m/%Y} or earlier"
        )

    previous = pst.designated_on
    pst.designated_on = designated_on
    pst.updated_at = now
    session.flush()
    scheduled = schedule_designation_notices(session, pst, now, timings, zone)
    log.info(
        "REDESIGNATE %s from %s to %s by %s; %d notice(s) scheduled",
        pst.email, previous.isoformat(), designated_on.isoformat(), actor, len(scheduled),
    )
    return pst


def pst_entry(pst: Pst) -> dict[str, Any]:
    """Return a PST's register entry as JSON-ready fields, dates in ISO 8601."""
    return {
        "name": pst.name,
        "email": pst.email,
        "school": pst.school,
        "headteacher_name": pst.headteacher_name,
        "headteacher_email": pst.headteacher_email,
        "phase": pst.phase,
        "subjects": list(pst.subjects),
        "expertise": list(pst.expertise),
        "max_visits_per_term": pst.max_visits_per_term,
        "designated_on": pst.designated_on.isoformat(),
    }
