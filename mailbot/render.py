"""Render email templates: a subject, a plain-text body and an HTML body per email.

Each email has a folder under ``templates/`` holding ``subject.txt``,
``body.txt`` and ``body.html``; HTML is autoescaped, plain text is not.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, meta, FileSystemLoader, StrictUndefined, TemplateNotFound, TemplateSyntaxError, select_autoescape

from mailbot.rates import uk_money


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text: str
    html: str


def uk_date(value: date | datetime) -> str:
    """Format a date the way British schools write it: 14/01/2027."""
    return value.strftime("%d/%m/%Y")


def uk_time(value: datetime) -> str:
    """Format a time the way British schools write it: 8.30am, 12.00pm."""
    hour = value.hour % 12 or 12
    suffix = "am" if value.hour < 12 else "pm"
    return f"{hour}.{value.minute:02d}{suffix}"


TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "professor", "revd", "rev", "reverend", "sir", "dame"}


def salutation(name: str | None, fallback: str = "Sir or Madam") -> str:
    """Return the name as a letter greets it: "Mr Osei" for "Mr Daniel Osei", else the name as given."""
    words = (name or "").split()
    if not words:
        return fallback
    if len(words) > 2 and words[0].rstrip(".").casefold() in TITLES:
        return f"{words[0]} {words[-1]}"
    return " ".join(words)


def _money(pence: int) -> str:
    return uk_money(pence, thousands=True)


TEMPLATE_FILES = ("subject.txt", "body.txt", "body.html")


def template_problems(folder: Path, shipped: Path) -> list[str]:
    """Return what is wrong with the email templates in ``folder`` against the shipped ones in ``shipped``.

    Each email must be there and compile, and may use only the names that
    mailbot's own version of it uses, because an unknown name stops the
    message that causes the email from being handled.
    """
    environment = TemplateRenderer(folder, ZoneInfo("UTC")).environment
    shipped_environment = TemplateRenderer(shipped, ZoneInfo("UTC")).environment
    problems = []
    names = sorted(path.name for path in shipped.iterdir() if path.is_dir())
    for name in names:
        for file_name in TEMPLATE_FILES:
            template = f"{name}/{file_name}"
            try:
                used = _names_used(environment, template)
            except TemplateNotFound:
                problems.append(f"{template} is missing")
                continue
            except TemplateSyntaxError as exc:
                problems.append(f"{template} line {exc.lineno}: {exc.message}")
                continue
            unknown = sorted(used - _names_used(shipped_environment, template))
            if unknown:
                problems.append(f"{template} uses {', '.join(unknown)}, which mailbot does not give this email")
    return problems


def _names_used(environment: Environment, template: str) -> set[str]:
    # NOTE: only top-level names are compared, so a misspelt field such as case.refrence passes this check.
    source = environment.loader.get_source(environment, template)[0] if environment.loader else ""
    return meta.find_undeclared_variables(environment.parse(source))


class TemplateRenderer:
    """Renders the email templates in one folder, with dates shown in one time zone."""

    def __init__(self, folder: Path, zone: ZoneInfo) -> None:
        self.zone = zone
        self.environment = Environment(
            loader=FileSystemLoader(str(folder)),
            autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
            undefined=StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )
        self.environment.filters["uk_date"] = self._local_date
        self.environment.filters["uk_datetime"] = self._local_datetime
        self.environment.filters["salutation"] = salutation
        self.environment.filters["money"] = _money

    def render(self, name: str, context: dict[str, Any]) -> RenderedEmail:
        """Render the email ``name`` with ``context``; a missing variable raises UndefinedError."""
        subject = self.environment.get_template(f"{name}/subject.txt").render(context)
        return RenderedEmail(
            subject=" ".join(subject.split()),
            text=self.environment.get_template(f"{name}/body.txt").render(context),
            html=self.environment.get_template(f"{name}/body.html").render(context),
        )

    def _local(self, value: datetime) -> datetime:
        return value.astimezone(self.zone)

    def _local_date(self, value: date | datetime) -> str:
        if isinstance(value, datetime):
            value = self._local(value)
        return uk_date(value)

    def _local_datetime(self, value: datetime) -> str:
        local = self._local(value)
        return f"{uk_date(local)} at {uk_time(local)}"
