"""Read what a reply says at its top: YES, NO, or unclear.

Only the new text counts. Quoted history, signatures and phone footers are
cut off first, and the answer is read from what is left; nothing is ever
taken from quoted text.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from enum import StrEnum

from mailparser_reply import EmailReplyParser

log = logging.getLogger("mailbot.intent")

# The languages whose reply headers ("On ... wrote:", "Von: ... Gesendet:") are recognised.
REPLY_LANGUAGES = ["en", "de", "fr", "es", "nl", "it", "sv", "da", "pl", "cs"]
_REPLY_PARSER = EmailReplyParser(languages=REPLY_LANGUAGES)


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNCLEAR = "unclear"


@dataclass(frozen=True)
class ReadAnswer:
    answer: Answer
    words: str


# Lines at which quoted history or a footer begins in common mail clients.
_HISTORY_STARTS = (
    re.compile(r"^>"),
    re.compile(r"^On .{1,200} wrote:\s*$", re.IGNORECASE),
    re.compile(r"^-{2,}\s*Original Message\s*-{2,}", re.IGNORECASE),
    re.compile(r"^_{8,}\s*$"),
    re.compile(r"^From:\s", re.IGNORECASE),
    re.compile(r"^Sent from my ", re.IGNORECASE),
    re.compile(r"^Get Outlook for ", re.IGNORECASE),
    re.compile(r"^--\s*$"),
    # Legal disclaimers, which often hold a stray "No" or "Yes" of their own.
    re.compile(r"^(disclaimer|confidentiality( notice)?|important)\s*[:\-]", re.IGNORECASE),
    re.compile(r"^this (e-?mail|message) and any (files|attachments)\b", re.IGNORECASE),
    re.compile(r"^the information (contained )?in this (e-?mail|message)\b", re.IGNORECASE),
)

_YES = re.compile(
    r"^(yes|yep|yeah|y|agreed|agree|approved|happy to|happy with (this|that)|that'?s fine|fine by me|"
    r"i endorse|endorsed|i consent|consent given|of course|certainly|absolutely|go ahead|ok|okay)\b",
    re.IGNORECASE,
)
_NO = re.compile(
    r"^(no|nope|n|not (this|at|now|possible|able)|decline|declined|i decline|sorry,? (no|not|we)|"
    r"unfortunately|i'?m afraid (not|we)|we can'?t|i can'?t agree|not at this time)\b",
    re.IGNORECASE,
)
# Words after a YES that make it conditional, so a person must judge it.
_HEDGES = re.compile(r"\b(but|unless|until|if|except|however|although|depends|check|speak|spoken|ask)\b", re.IGNORECASE)
# Words after a NO that turn it into an offer; "not until Easter" is still a no for now.
_NO_HEDGES = re.compile(r"\b(unless|if|depends|except)\b", re.IGNORECASE)


def new_text(body: str) -> str:
    """Return the reply's own text: everything above the first quoted or footer line.

    mail-parser-reply finds the quoted history of many mail programs in many
    languages first; the patterns here then cut what it leaves, such as
    "Sent from my iPhone", a "--" signature or a disclaimer under a rule.
    """
    # A bare CR ends a line for the people who read the email, so it must end one here too.
    text = re.sub(r"\r\n?", "\n", body or "")
    try:
        text = _REPLY_PARSER.parse_reply(text=text) or ""
    except Exception:  # the library's patterns must never stop a reply being read, so fall back to the whole text
        log.warning("mail-parser-reply failed on a reply; reading its whole text instead", exc_info=True)

    lines = []
    for line in text.split("\n"):
        stripped = line.strip().replace("\u2019", "'")
        if any(pattern.match(stripped) for pattern in _HISTORY_STARTS):
            break
        lines.append(line.rstrip())
    return "\n".join(lines).strip()


def read_answer(body: str) -> ReadAnswer:
    """Read YES, NO or UNCLEAR from the first words of the reply's own text."""
    text = new_text(body)
    first = _first_sentence(text)
    if not first:
        return ReadAnswer(Answer.UNCLEAR, text)

    says_yes = bool(_YES.match(first))
    says_no = bool(_NO.match(first))
    if says_yes == says_no:
        return ReadAnswer(Answer.UNCLEAR, text)
    if says_yes and (_HEDGES.search(first) or _contradicted(text)):
        return ReadAnswer(Answer.UNCLEAR, text)
    if says_no and (_NO_HEDGES.search(first) or _contradicted(text)):
        return ReadAnswer(Answer.UNCLEAR, text)
    return ReadAnswer(Answer.YES if says_yes else Answer.NO, text)


def _contradicted(text: str) -> bool:
    """Return whether the reply's first paragraph starts lines with both a YES and a NO, such as "No, sorry" then "Yes, happy to".

    Only the first paragraph counts, because a signature below it may have
    lines of its own that start with such words.
    """
    first_paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    starts = [_first_sentence(line) for line in first_paragraph.splitlines() if line.strip()]
    return any(_YES.match(start) for start in starts) and any(_NO.match(start) for start in starts)


def _first_sentence(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    normalised = first_line.replace("\u2019", "'").strip(" *_")
    return re.split(r"(?<=[.!?])\s", normalised, maxsplit=1)[0]
