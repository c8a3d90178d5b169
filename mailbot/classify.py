"""Decide what kind of message arrived, before anything acts on it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from mailbot.bounce import Bounce, read_bounce
from mailbot.commands import CommandReading, find_misplaced_command, read_commands
from mailbot.forwarded import forwarded_form
from mailbot.form import FormReading, FormRules, html_to_text, is_form_subject, read_form
from mailbot.intent import new_text
from mailbot.message import InboundMail
from mailbot.references import find_reference
from mailbot.routing import reply_tokens


class Kind(StrEnum):
    FORM = "form"
    AUTOMATIC = "automatic"
    BOUNCE = "bounce"
    OWN = "own"
    CASE_MAIL = "case_mail"
    STAFF_COMMANDS = "staff_commands"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Classification:
    kind: Kind
    detail: str
    form: FormReading | None = None
    commands: CommandReading | None = None
    bounce: Bounce | None = None


def classify(mail: InboundMail, bot_address: str, form_rules: FormRules, staff: Sequence[str] = ()) -> Classification:
    """Classify ``mail``; the order of the checks is what keeps automatic mail from starting loops.

    A message with a form subject is a form even when it declares itself
    automatic, because website forms are machine-sent by nature and the bot
    writes to the people named in the fields, never to the sender. A form whose
    subject was changed is recognised by its labels only when nothing marks
    it as automatic or as mail about an existing case, since an auto-reply
    may quote a form back.
    """
    if mail.sender_address.casefold() == bot_address.casefold():
        return Classification(Kind.OWN, "The message was sent from the bot's own address.")

    if is_form_subject(mail.subject, form_rules):
        return Classification(Kind.FORM, "PST request form", read_form(mail.subject, mail.text_plain, mail.text_html, form_rules))

    bounce = read_bounce(mail)
    if bounce is not None:
        return Classification(Kind.BOUNCE, "a report that an email could not be delivered", bounce=bounce)

    if mail.is_automatic:
        return Classification(Kind.AUTOMATIC, "The message is an automatic reply or other automatic mail, so it was not answered.")

    is_staff = mail.sender_address.casefold() in {member.casefold() for member in staff}
    if is_staff:
        forwarded = forwarded_form(mail, form_rules)
        if forwarded is not None:
            return Classification(Kind.FORM, "PST request form forwarded by staff", forwarded)

    if is_staff:
        own_text = new_text(mail.text_plain or html_to_text(mail.text_html or ""))
        commands = read_commands(own_text)
        if not commands.empty:
            return Classification(Kind.STAFF_COMMANDS, "staff commands", commands=commands)
        misplaced = find_misplaced_command(own_text)
        if misplaced is not None:
            error = (
                f"line {misplaced}: commands count only at the very top of the email, one per line; "
                "move them above any greeting and send them again"
            )
            return Classification(Kind.STAFF_COMMANDS, "staff commands", commands=CommandReading(errors=(error,)))

    reference = mail.assigned_case or find_reference(mail.subject) or _reference_in_threading(mail)
    if reference or reply_tokens(mail, bot_address):
        return Classification(
            Kind.CASE_MAIL,
            f"The message is about case {reference or 'named by its reply address'}.",
        )

    reading = read_form(mail.subject, mail.text_plain, mail.text_html, form_rules)
    if reading is not None:
        return Classification(Kind.FORM, "PST request form with a changed subject", reading)

    return Classification(
        Kind.UNKNOWN,
        "The message is not a PST request form and does not refer to a case, so mailbot could not tell what to do with it.",
    )


def _reference_in_threading(mail: InboundMail) -> str | None:
    return find_reference(mail.header("In-Reply-To") + " " + mail.header("References"))
