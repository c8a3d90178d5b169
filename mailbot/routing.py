"""Find the case, and the bot's own email, that an inbound message answers."""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.message import InboundMail
from mailbot.references import find_reference
from mailbot.store.models import Case, OutboxEmail

MESSAGE_ID_PATTERN = re.compile(r"<[^<>\s]+>")


@dataclass(frozen=True)
class Route:
    """The case a message belongs to and, when threading shows it, the bot's email it replies to."""

    case: Case
    answered: OutboxEmail | None

    @property
    def answered_purpose(self) -> str | None:
        return self.answered.purpose if self.answered is not None else None


def find_route(session: Session, mail: InboundMail, bot_address: str) -> Route | None:
    """Return the route of ``mail``, or None when neither threading, a reply token nor the subject names a case.

    Threading (In-Reply-To, then References, newest first) is preferred
    because it names the exact email and recipient. A reply token in a
    plus-address such as ``pst+TOKEN@`` names it as well, for clients that
    drop threading headers. The case reference in the subject is the last
    resort: it names the case but not the email, so it never makes a reply
    count as an answer.

    A case that staff assigned to the message when asking for it to be
    handled again comes before all of these, because a person checked it.
    """
    if mail.assigned_case is not None:
        return _assigned_route(session, mail)

    for message_id in _threading_ids(mail):
        answered = session.scalars(select(OutboxEmail).where(OutboxEmail.message_id == message_id)).first()
        if answered is not None and answered.case is not None:
            return Route(answered.case, answered)

    for token in reply_tokens(mail, bot_address):
        answered = session.scalars(select(OutboxEmail).where(OutboxEmail.reply_token == token)).first()
        if answered is not None and answered.case is not None:
            return Route(answered.case, answered)

    reference = find_reference(mail.subject)
    if reference is None:
        return None
    case = session.scalars(select(Case).where(Case.reference == reference)).first()
    return Route(case, None) if case is not None else None


def _assigned_route(session: Session, mail: InboundMail) -> Route | None:
    """Route ``mail`` to the case staff named, as the answer to the bot's latest email to its sender on that case.

    Staff vouching for the case stands in for the threading that the sender's
    mail program lost, so a YES in it counts as an answer.
    """
    case = session.scalars(select(Case).where(Case.reference == mail.assigned_case)).first()
    if case is None:
        return None
    answered = session.scalars(
        select(OutboxEmail)
        .where(OutboxEmail.case_id == case.id, func.lower(OutboxEmail.recipient) == mail.sender_address.casefold())
        .order_by(OutboxEmail.id.desc())
        .limit(1)
    ).first()
    return Route(case, answered)


def plus_address(bot_address: str, token: str) -> str:
    """Return the bot's address with ``token`` after a plus sign, such as pst+0a1b2c@alliance.example."""
    local, _, domain = bot_address.partition("@")
    return f"{local}+{token}@{domain}"


def reply_tokens(mail: InboundMail, bot_address: str) -> list[str]:
    """Return the reply tokens in the plus-addresses of the bot that ``mail`` was sent to."""
    local, _, domain = bot_address.casefold().partition("@")
    pattern = re.compile(rf"(?<![\w.+-]){re.escape(local)}\+([0-9a-z]{{6,64}})@{re.escape(domain)}\b", re.IGNORECASE)
    delivered = " ".join(mail.header(name) for name in ("Delivered-To", "X-Original-To", "Envelope-To"))
    tokens = pattern.findall(" ".join(mail.recipients) + " " + delivered)
    return list(dict.fromkeys(token.lower() for token in tokens))


def _threading_ids(mail: InboundMail) -> list[str]:
    in_reply_to = MESSAGE_ID_PATTERN.findall(mail.header("In-Reply-To"))
    references = MESSAGE_ID_PATTERN.findall(mail.header("References"))
    return in_reply_to + list(reversed(references))
