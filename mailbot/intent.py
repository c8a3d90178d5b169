"""Read what a reply says at its top: YES, NO, or unclear.

Only the new text counts. Quoted history, signatures and phone footers are
cut off first, and the answer is read from what is left; nothing is ever
taken from quoted text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum


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
# Words after a YES or NO that make it conditional, so a person must judge it.
_HEDGES = re.compile(r"\b(but|unless|until|if|except|however|although|depends|check|speak|spoken|ask)\b", re.IGNORECASE)


def new_text(body: str) -> str:
    """Return the reply's own text: everything above the first quoted or footer line."""
    lines = []
    for line in (body or "").replace("\r\n", "\n").split("\n"):
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
    if says_yes == says_no or _HEDGES.search(first):
        return ReadAnswer(Answer.UNCLEAR, text)
    return ReadAnswer(Answer.YES if says_yes else Answer.NO, text)


def _first_sentence(text: str) -> str:
    first_line = next((line.strip() for line in text.splitlines() if line.strip()), "")
    normalised = first_line.replace("\u2019", "'").strip(" *_")
    return re.split(r"(?<=[.!?])\s", normalised, maxsplit=1)[0]
