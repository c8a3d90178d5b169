"""Read the visiting teacher's feedback: a rating from 1 to 5 and comments, as typed in a reply."""

from __future__ import annotations

import re
from dataclasses import dataclass

# The ways people write a rating, tried in order: "4/5", "4 out of 5" or "4 stars", then
# "rating: 4", then a first line that is the number alone or followed by a dash or comma,
# such as "4 - a very useful morning". A numbered list ("1. Questioning") is not a rating.
RATING_PATTERNS = (
    re.compile(r"(?<![\d/.])([1-5])\s*(?:(?:/|out\s+of)\s*5\b|stars?\b)", re.IGNORECASE),
    re.compile(r"\b(?:rating|rated|rate|score|scored|mark)\b\D{0,12}?(?<![\d.])([1-5])(?!\d)(?![.,]\d)", re.IGNORECASE),
    re.compile(r"\A\W{0,3}?([1-5])(?:[^\w\n]{0,3}$|\s*[-\u2013\u2014,!])", re.MULTILINE),
)


@dataclass(frozen=True)
class FeedbackReading:
    """The rating, or None when the reply gives none, and the reply's own words as comments."""

    rating: int | None
    comments: str


# The words that may stay on a first line after its rating is taken out, for the line to count as only a rating.
RATING_WORDS_ONLY = re.compile(r"[\W_]*(?:(?:my|overall|the)\s+)?(?:rating|rated|rate|score|scored|mark)?[\W_]*(?:out\s+of\s+5|/\s*5|stars?)?[\W_]*", re.IGNORECASE)


def read_feedback(text: str) -> FeedbackReading:
    """Find the rating in the new text of a reply; the rest of the text is the comments.

    A first line that holds only the rating, such as "Rating: 4/5", is left
    out of the comments, and so is a rating in front of them, as in "4 - A
    useful morning". A rating elsewhere stays where it was written.
    """
    text = text.strip()
    for pattern in RATING_PATTERNS:
        found = pattern.search(text)
        if found:
            return FeedbackReading(int(found.group(1)), _comments_without_rating(text, found))
    return FeedbackReading(None, text)


def _comments_without_rating(text: str, found: re.Match[str]) -> str:
    first_line, newline, rest = text.partition("\n")
    if found.end() > len(first_line):
        return text

    left_over = first_line[: found.start()] + first_line[found.end() :]
    if RATING_WORDS_ONLY.fullmatch(left_over):
        return rest.strip()
    if found.start() == 0:
        return (left_over.lstrip(" -\u2013\u2014,.:!") + newline + rest).strip()
    return text
