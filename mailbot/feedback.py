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


def read_feedback(text: str) -> FeedbackReading:
    """Find the rating in the new text of a reply; the whole text is kept as the comments."""
    comments = text.strip()
    for pattern in RATING_PATTERNS:
        found = pattern.search(comments)
        if found:
            return FeedbackReading(int(found.group(1)), comments)
    return FeedbackReading(None, comments)
