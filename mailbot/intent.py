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
    # Welsh: "Oddi wrth:" heads Outlook's block, and Gmail writes "Ar ... ysgrifennodd ...:".
    re.compile(r"^Oddi wrth:\s", re.IGNORECASE),
    re.compile(r"^Ar .{1,200} ysgrifennodd.{0,200}:\s*$", re.IGNORECASE),
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
# Words in a YES's first paragraph that make it conditional, so a person must judge it.
_HEDGES = re.compile(
    r"\b(but|unless|until|if|except|however|although|though|depends?|depending|dependent|check|speak|spoken|ask|"
    r"provided|providing|as long as|assuming|subject to|pending|only|conditional|conditions?)\b",
    re.IGNORECASE,
)
# Words after a NO that turn it into an offer; "not until Easter" is still a no for now.
_NO_HEDGES = re.compile(r"\b(unless|if|depends|except)\b", re.IGNORECASE)
# Words in a YES's first paragraph that take it back, as in "Yes, unfortunately we can't this term".
_NEGATIVE_WORDS = re.compile(r"\b(can'?t|cannot|unable|unfortunately|rather not|won'?t be able|not possible)\b", re.IGNORECASE)
# A YES word turned round by "not": "Absolutely not", "Of course not", "OK no".
_YES_WORD_THEN_NOT = re.compile(r"^(absolutely|certainly|of course|definitely|ok|okay)\W*\s*(not|no)\b", re.IGNORECASE)
# A NO word that means yes: "No problem", "No objection", "Not at all, happy to help".
_NO_WORD_MEANING_YES = re.compile(r"^(no (problem|problems|worries|objections?|issues?)|not a problem|not at all)\b", re.IGNORECASE)
# Replies that decide nothing yet.
_UNDECIDED = re.compile(r"^(n/?a|tbc|tbd|maybe|possibly|perhaps|not sure|unsure)\b", re.IGNORECASE)
# Lines above the answer that are not part of it: greetings, security labels, external-sender banners.
_PREAMBLE = re.compile(
    r"^((hi|hello|hiya|dear|good (morning|afternoon|evening)|morning|afternoon)\b[^.!?]{0,40}[,!.]?|"
    r"(official|official[- ]sensitive|unclassified|confidential|internal|public)|"
    r"\[?(caution|external|warning|notice)\]?\s*[:\-].{0,300}|"
    r"this (e-?mail|message) (originated|came|was sent) from outside.{0,300})$",
    re.IGNORECASE,
)
# An apology in front of the answer: "Sorry for the slow reply - yes, please go ahead."
_APOLOGY = re.compile(r"^(sorry|apologies)\b[^-\u2013\u2014,.!;]{0,60}[-\u2013\u2014,.!;]+\s*", re.IGNORECASE)


def new_text(body: str) -> str:
    """Return the reply's own text: everything above the first quoted or footer line.

    mail-parser-reply first finds the quoted history of many mail programs in
    many languages. The patterns here then cut what it leaves, such as "Sent
    from my iPhone", a "--" signature or a disclaimer.
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
    """Read YES, NO or UNCLEAR from the first words of the reply's own text.

    Greetings, security labels and banners above the answer are skipped, and
    so is an apology in front of it. A question, a condition or a word that
    takes the answer back, anywhere in the first paragraph, makes it unclear,
    so that a person decides.
    """
    text = new_text(body)
    answer = _answer_text(text)
    first = _APOLOGY.sub("", _first_sentence(answer))
    if not first:
        return ReadAnswer(Answer.UNCLEAR, text)
    paragraph = re.split(r"\n\s*\n", answer, maxsplit=1)[0]

    if "?" in first or _UNDECIDED.match(first):
        return ReadAnswer(Answer.UNCLEAR, text)
    if _YES_WORD_THEN_NOT.match(first):
        is_yes, is_no = False, True
    elif _NO_WORD_MEANING_YES.match(first):
        is_yes, is_no = True, False
    else:
        is_yes, is_no = bool(_YES.match(first)), bool(_NO.match(first))

    if is_yes == is_no:
        return ReadAnswer(Answer.UNCLEAR, text)
    if is_yes and (_HEDGES.search(paragraph) or _NEGATIVE_WORDS.search(paragraph) or _contradicted(answer)):
        return ReadAnswer(Answer.UNCLEAR, text)
    if is_no and (_NO_HEDGES.search(first) or _contradicted(answer)):
        return ReadAnswer(Answer.UNCLEAR, text)
    return ReadAnswer(Answer.YES if is_yes else Answer.NO, text)


def _answer_text(text: str) -> str:
    """Return the text from its first line that is not a greeting, label or banner."""
    lines = text.splitlines()
    start = 0
    while start < len(lines) and (not lines[start].strip() or _PREAMBLE.match(lines[start].strip().replace("\u2019", "'"))):
        start += 1
    return "\n".join(lines[start:]).strip()


def _contradicted(text: str) -> bool:
    """Return whether the reply's first paragraph starts lines with both a YES and a NO, such as "No, sorry" then "Yes, happy to".

    Only the first paragraph counts, because a signature below it may have
    lines of its own that start with such words.
    """
    first_paragraph = re.split(r"\n\s*\n", text.strip(), maxsplit=1)[0]
    starts = [_first_sentence(line) for line in first_paragraph.splitlines() if line.strip()]
    is_yes = any((_YES.match(start) and not _YES_WORD_THEN_NOT.match(start)) or _NO_WORD_MEANING_YES.match(start) for start in starts)
    is_no = any((_NO.match(start) and not _NO_WORD_MEANING_YES.match(start)) or _YES_WORD_THEN_NOT.match(start) for start in starts)
    return is_yes and is_no


def _first_sentence(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    normalised = first_line.replace("\u2019", "'").strip(" *_")
    return re.split(r"(?<=[.!?])\s", normalised, maxsplit=1)[0]
