"""The parts the staff reports share: scheduling each one once, the CSV attachment, and sending or previewing it.

A report is emailed on an occasion, such as a Monday for the weekly digest
or a school term for the termly summary. Each occasion is one row of due
work whose ``once_key`` names the report and the occasion, so however often
the daemon restarts, an occasion gets one email. The email is rendered from
the report's templates (HTML with a plain-text part) and carries the
figures as a CSV file for a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import logging
import re
from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from mailbot.attachment import Attachment
from mailbot.config import Settings
from mailbot.duework import Handler, schedule
from mailbot.outbox import Outbox, Recipient
from mailbot.render import RenderedEmail
from mailbot.ruleset import Rules
from mailbot.store.models import DueWork

log = logging.getLogger("mailbot.reports")

# A spreadsheet runs a cell that starts with one of these as a formula. Names
# in the reports come from request forms, so such a cell is written with a
# leading apostrophe, which spreadsheets show as plain text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# A plain number such as "-20.00" starts like a formula but is only a number.
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")

CsvCell = str | int | float | None


@dataclass(frozen=True)
class ReportEmail:
    """One report ready to queue or preview: who gets it, the figures its templates show, and its CSV file."""

    recipient: Recipient
    figures: dict[str, Any]
    attachment: Attachment


class ScheduledReport(ABC):
    """A report that the daemon emails on each of its occasions, once.

    A subclass sets ``kind`` (the kind of due work and the name of its
    template folder), ``switch`` (the ``[workflow]`` setting that turns it
    on) and ``csv_header``. Its methods return when the next occasion falls,
    who gets the report, and what its figures and CSV rows are.
    """

    kind: ClassVar[str]
    switch: ClassVar[str]
    csv_header: ClassVar[tuple[str, ...]]

    def __init__(self, settings: Settings, rules: Rules, outbox: Outbox) -> None:
        self.settings = settings
        self.rules = rules
        self.outbox = outbox

    @property
    def enabled(self) -> bool:
        return bool(getattr(self.settings.workflow, self.switch))

    def handlers(self) -> dict[str, Handler]:
        return {self.kind: self._send}

    def ensure_scheduled(self, session: Session, now: datetime) -> None:
        """Schedule the next occasion unless it already is, or the report is switched off; safe to call on every pass."""
        if not self.enabled:
            return
        occasion, due_at = self.next_occasion(now)
        schedule(session, kind=self.kind, due_at=due_at, now=now, once_key=f"{self.kind}:{occasion}")

    def compose(self, session: Session, occasion: str, now: datetime) -> ReportEmail:
        """Gather the figures of ``occasion`` as they stand at ``now`` and write the CSV file; queue nothing."""
        figures = self.build(session, occasion, now)
        rows = self.csv_rows(figures)
        attachment = csv_attachment(self.csv_filename(figures), self.csv_header, rows)
        return ReportEmail(self.recipient(), figures, attachment)

    def preview(self, session: Session, occasion: str, now: datetime) -> tuple[RenderedEmail, Attachment]:
        """Render the email of ``occasion`` as it would be sent at ``now``, without queuing it."""
        report = self.compose(session, occasion, now)
        return self.outbox.render(self.kind, report.recipient, report.figures), report.attachment

    def _send(self, session: Session, work: DueWork, now: datetime) -> None:
        # The row was scheduled while the report was switched on; switching it off since stops the email.
        if not self.enabled:
            log.info("SKIP %s %s: [workflow] %s is off", self.kind, work.once_key, self.switch)
            return

        occasion = (work.once_key or "").partition(":")[2]
        report = self.compose(session, occasion, now)
        self.outbox.queue(
            session,
            purpose=self.kind,
            recipient=report.recipient,
            context=report.figures,
            now=now,
            attachments=(report.attachment,),
        )
        log.info("REPORT %s to %s: %s", self.kind, report.recipient.address, self.describe(report.figures))

        self.ensure_scheduled(session, now)

    @abstractmethod
    def next_occasion(self, now: datetime) -> tuple[str, datetime]:
        """Return the name of the next occasion whose email is still to come after ``now``, and when it is due."""

    @abstractmethod
    def recipient(self) -> Recipient:
        """Return the person the report goes to."""

    @abstractmethod
    def build(self, session: Session, occasion: str, now: datetime) -> dict[str, Any]:
        """Return the figures of ``occasion`` as the templates and the CSV rows use them."""

    @abstractmethod
    def csv_rows(self, figures: dict[str, Any]) -> Iterable[Sequence[CsvCell]]:
        """Return the CSV file's rows, without the header."""

    @abstractmethod
    def csv_filename(self, figures: dict[str, Any]) -> str:
        """Return the attached file's name, such as digest-2026-10-19.csv."""

    @abstractmethod
    def describe(self, figures: dict[str, Any]) -> str:
        """Sum up the figures in a few words for the log."""


def csv_attachment(filename: str, header: Sequence[str], rows: Iterable[Sequence[CsvCell]]) -> Attachment:
    """Write ``header`` and ``rows`` as a UTF-8 CSV file attachment; text that a spreadsheet would run as a formula is made plain."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow([spreadsheet_cell(value) for value in row])
    return Attachment(filename, "text/csv", buffer.getvalue().encode("utf-8"), (("charset", "utf-8"),))


def spreadsheet_cell(value: CsvCell) -> CsvCell:
    """Return ``value`` with a leading apostrophe when it is text that a spreadsheet would run as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and _NUMBER.fullmatch(value) is None:
        return "'" + value
    return value
