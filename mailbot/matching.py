"""The shortlist of PSTs for a request: who fits best, why, and who is left out and why.

The request form has no phase or subject field, so both are read from the
request's own words: the school's name, the school context, the reason and
the objectives. rules/matching.toml lists the words for each phase, subject
and area of expertise, and the points each kind of fit earns. A PST scores
those points for a phase that fits, for each of their subjects the request
mentions and for each area of their expertise it mentions.

A PST is left out, with the reason recorded as an ``Exclusion``, when:

- their email address is in the case's ``excluded_pst_emails``;
- they work at the requesting school (names compared by ``school_key``);
- their designation has lapsed;
- they have reached their ``max_visits_per_term`` in the term of ``today``;
- their school has reached the visits it can host in that term
  (rules/schools.toml), counting the visits of all its PSTs together;
- nothing in the request fits them, so they score 0.

Visits are counted by ``visits_in_term``. PSTs ranked below the size of the
shortlist are neither candidates nor exclusions.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from mailbot.commands import SHORTLIST_SIZE
from mailbot.designation import EXPIRING, LAPSED, designation_status, expiry_date
from mailbot.errors import RulesError
from mailbot.register import PHASES
from mailbot.schooldays import DATE_FORMAT, SchoolCalendar, Term
from mailbot.store.models import Case, Pst, Visit
from mailbot.timings import Timings
from mailbot.tomlfile import check_keys, read_toml, whole_number

MATCHING_FILE = "matching.toml"
SCHOOLS_FILE = "schools.toml"

ALL_THROUGH = "all-through"
# The phases an all-through school teaches.
ALL_THROUGH_PHASES = ("primary", "secondary")

CANCELLED_VISIT = "cancelled"
# Visits recorded on cases in these states will not take place, whatever their own status.
ENDED_CASE_STATES = ("cancelled", "declined")
# States of a case whose PST is chosen but whose visit date is not set yet.
# Such a case with no visit, or only cancelled ones, counts as one visit in the
# current term, because it will use one.
PLANNED_CASE_STATES = ("awaiting_consent", "awaiting_date")

MATCHING_TABLES = ("weights", "phases", "subjects", "expertise")
WEIGHT_NAMES = ("phase", "subject", "expertise")

# The reason given for a PST who scores 0, so that a caller can leave such PSTs out of a long list.
NO_FIT_REASON = "nothing in the request fits their phase, subjects or expertise"

# A last word that school names are written both with and without.
SCHOOL_NAME_SUFFIXES = ("school", "academy")

_APOSTROPHES = str.maketrans("", "", "'\u2018\u2019")
_WORD = re.compile(r"[^\W_]+")


# Words and phrases


@dataclass(frozen=True)
class Phrase:
    """A word or words to find in a request, as a rules file or the register writes them.

    ``tokens`` are the words without punctuation, in lower case unless
    ``exact_case`` is set. A phrase written all in capitals, such as "SEND",
    is exact-case, so that it does not find the verb "send".
    """

    text: str
    tokens: tuple[str, ...]
    exact_case: bool

    @property
    def key(self) -> tuple[str, ...]:
        """The words in lower case, to compare two phrases whatever their case."""
        return tuple(token.casefold() for token in self.tokens)


def parse_phrase(text: str) -> Phrase | None:
    """Split ``text`` into a Phrase, or return None when it has no letters or digits."""
    clean = " ".join(text.split())
    words = _words(clean)
    if not words:
        return None
    exact_case = clean.isupper()
    tokens = words if exact_case else tuple(word.casefold() for word in words)
    return Phrase(clean, tokens, exact_case)


def _words(text: str) -> tuple[str, ...]:
    # Apostrophes are dropped rather than split on, so "St Anne's" is the words "St Annes".
    return tuple(_WORD.findall(text.translate(_APOSTROPHES)))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    """Return whether ``phrase`` occurs in ``words`` as consecutive whole words."""
    length = len(phrase)
    first = phrase[0]
    for start, word in enumerate(words):
        if word == first and words[start : start + length] == phrase:
            return True
    return False


@dataclass(frozen=True)
class _FieldWords:
    exact: tuple[str, ...]
    folded: tuple[str, ...]

    @classmethod
    def of(cls, text: str) -> _FieldWords:
        words = _words(text)
        return cls(words, tuple(word.casefold() for word in words))

    def mentions(self, phrase: Phrase) -> bool:
        return _contains(self.exact if phrase.exact_case else self.folded, phrase.tokens)


@dataclass(frozen=True)
class RequestText:
    """The fields of a request form that matching reads.

    A phrase is looked for in each field separately, so a phrase never
    matches across the end of one field and the start of the next.
    """

    school: str = ""
    context: str = ""
    reason: str = ""
    objectives: str = ""

    @classmethod
    def of_case(cls, case: Case) -> RequestText:
        return cls(case.school or "", case.context or "", case.reason or "", case.objectives or "")

    @cached_property
    def _school_words(self) -> _FieldWords:
        return _FieldWords.of(self.school)

    @cached_property
    def _free_text_words(self) -> tuple[_FieldWords, ...]:
        return tuple(_FieldWords.of(text) for text in (self.context, self.reason, self.objectives))

    def school_name_contains(self, phrase: Phrase) -> bool:
        return self._school_words.mentions(phrase)

    def free_text_contains(self, phrase: Phrase) -> bool:
        """Return whether the context, reason or objectives contain ``phrase``."""
        return any(words.mentions(phrase) for words in self._free_text_words)

    def mentions(self, phrase: Phrase) -> bool:
        """Return whether any field, the school's name included, contains ``phrase``.

        NOTE: a phrase inside a longer phrase of another topic still counts,
        so "computer science" mentions both computing and science.
        """
        return self.school_name_contains(phrase) or self.free_text_contains(phrase)


# Rules


@dataclass(frozen=True)
class Topic:
    """A phase, subject or area of expertise, and the phrases that mean it."""

    name: str
    phrases: tuple[Phrase, ...]

    def covers(self, phrase: Phrase) -> bool:
        """Return whether ``phrase`` is one of this topic's phrases, ignoring case."""
        return any(own.key == phrase.key for own in self.phrases)


@dataclass(frozen=True)
class Weights:
    """The points for a phase that fits, and for each subject and each area of expertise that fits."""

    phase: int
    subject: int
    expertise: int


@dataclass(frozen=True)
class MatchingRules:
    """The contents of rules/matching.toml and rules/schools.toml."""

    weights: Weights
    phases: tuple[Topic, ...]
    subjects: tuple[Topic, ...]
    expertise: tuple[Topic, ...]
    default_visits_per_term: int
    # Limits of the schools listed in schools.toml, keyed by ``school_key``.
    school_visits_per_term: Mapping[str, int]

    def school_visit_limit(self, school: str) -> int:
        """Return the visits ``school`` can host in a term: its own limit, or the default."""
        return self.school_visits_per_term.get(school_key(school), self.default_visits_per_term)


def school_key(name: str) -> str:
    """Return ``name`` in the form used to compare school names.

    Case, spaces, full stops and apostrophes are ignored, "&" counts as "and",
    and a last word "school" or "academy" is dropped, so "St Anne's C.E.
    Primary School" and "st annes ce primary" give the same key.
    """
    text = name.casefold().replace("&", " and ")
    text = re.sub(r"[.'\u2018\u2019]", "", text)
    words = _WORD.findall(text)
    if len(words) > 1 and words[-1] in SCHOOL_NAME_SUFFIXES:
        words = words[:-1]
    return " ".join(words)


def load_matching_rules(folder: Path) -> MatchingRules:
    """Read matching.toml and schools.toml in ``folder``.

    Raise RulesError naming the file and the key at fault for invalid TOML,
    a missing or unknown key, a weight or limit that is not a whole number,
    an unknown phase, and a phrase listed under two names.
    """
    matching_path = folder / MATCHING_FILE
    data = read_toml(matching_path, "matching rules file", RulesError)
    check_keys(data, required=set(MATCHING_TABLES), optional=set(), where=str(matching_path))

    weights = _read_weights(matching_path, data["weights"])
    phases = _read_topics(matching_path, "phases", data["phases"], allowed_names=PHASES, name_is_phrase=False)
    subjects = _read_topics(matching_path, "subjects", data["subjects"])
    expertise = _read_topics(matching_path, "expertise", data["expertise"])

    default_limit, school_limits = _read_schools(folder / SCHOOLS_FILE)
    return MatchingRules(weights, phases, subjects, expertise, default_limit, school_limits)


def _read_weights(path: Path, table: Any) -> Weights:
    if not isinstance(table, dict):
        raise RulesError(f"{path}: weights must be a [weights] table with {', '.join(WEIGHT_NAMES)}")
    check_keys(table, required=set(WEIGHT_NAMES), optional=set(), where=f"{path}: [weights]")
    values = {name: whole_number(table[name], 1, f"{path}: [weights] {name}") for name in WEIGHT_NAMES}
    return Weights(**values)


def _read_topics(
    path: Path,
    section: str,
    table: Any,
    allowed_names: Sequence[str] | None = None,
    name_is_phrase: bool = True,
) -> tuple[Topic, ...]:
    """Read the ``[section]`` table of names, each with a list of phrases."""
    if not isinstance(table, dict):
        raise RulesError(f'{path}: {section} must be a [{section}] table of lines such as maths = ["numeracy"]')

    topics = []
    owner_of_phrase: dict[tuple[str, ...], str] = {}
    for name, entries in table.items():
        where = f'{path}: [{section}] "{name}"'
        if allowed_names is not None and name not in allowed_names:
            raise RulesError(f"{where} is not a phase; the phases are {', '.join(allowed_names)}")
        if not isinstance(entries, list) or not all(isinstance(entry, str) for entry in entries):
            raise RulesError(f'{where} must be a list of words in quotes, such as ["word", "two words"]')

        texts = [name, *entries] if name_is_phrase else entries
        phrases: dict[tuple[str, ...], Phrase] = {}
        for text in texts:
            phrase = parse_phrase(text)
            if phrase is None:
                raise RulesError(f"{where}: {text!r} has no letters or digits to look for")
            owner = owner_of_phrase.setdefault(phrase.key, name)
            if owner != name:
                raise RulesError(f'{where}: "{text}" is also under "{owner}"; keep it under one of them')
            phrases.setdefault(phrase.key, phrase)
        topics.append(Topic(name, tuple(phrases.values())))
    return tuple(topics)


def _read_schools(path: Path) -> tuple[int, dict[str, int]]:
    data = read_toml(path, "schools rules file", RulesError)
    check_keys(data, required={"default_visits_per_term"}, optional={"visits_per_term"}, where=str(path))
    default_limit = whole_number(data["default_visits_per_term"], 1, f"{path}: default_visits_per_term")

    table = data.get("visits_per_term", {})
    if not isinstance(table, dict):
        raise RulesError(f'{path}: visits_per_term must be a [visits_per_term] table of lines such as "Hillcrest Primary School" = 2')

    limits: dict[str, int] = {}
    name_of_key: dict[str, str] = {}
    for name, value in table.items():
        where = f'{path}: [visits_per_term] "{name}"'
        key = school_key(name)
        if not key:
            raise RulesError(f"{where} is not a school name")
        if key in name_of_key:
            raise RulesError(f'{where} is the same school as "{name_of_key[key]}"; keep one line for it')
        name_of_key[key] = name
        limits[key] = whole_number(value, 0, where)
    return default_limit, limits






# Scoring, without a database


class Profile(Protocol):
    """The attributes of a PST that scoring reads, as a ``Pst`` row or a register record has them."""

    @property
    def phase(self) -> str: ...

    @property
    def subjects(self) -> Sequence[str]: ...

    @property
    def expertise(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class TopicMatch:
    """A subject or area of a PST's expertise that the request mentions.

    ``label`` is the PST's own wording from the register, and ``mentions``
    are the phrases found in the request, as the rules file writes them.
    """

    label: str
    mentions: tuple[str, ...]


@dataclass(frozen=True)
class Fit:
    """A PST's score for a request, with a reason for each part of it."""

    score: int
    reasons: tuple[str, ...]


def request_phases(request: RequestText, rules: MatchingRules) -> frozenset[str]:
    """Return the phases the request names, such as {"primary"}, or an empty set.

    When the school's name names a phase, only the name is read, because a
    word such as "primary" in "our primary aim" would mislead.
    """
    from_name = frozenset(
        topic.name for topic in rules.phases if any(request.school_name_contains(phrase) for phrase in topic.phrases)
    )
    if from_name:
        return from_name
    return frozenset(
        topic.name for topic in rules.phases if any(request.free_text_contains(phrase) for phrase in topic.phrases)
    )


def phase_reason(pst_phase: str, phases: frozenset[str]) -> str | None:
    """Return why a PST of ``pst_phase`` fits a request in ``phases``, or None when the phase does not fit."""
    if pst_phase in phases:
        return f"{pst_phase} phase"

    if pst_phase == ALL_THROUGH:
        covered = [phase for phase in ALL_THROUGH_PHASES if phase in phases]
        if covered:
            return f"all-through school, so covers the {' and '.join(covered)} phase"

    if ALL_THROUGH in phases and pst_phase in ALL_THROUGH_PHASES:
        return f"{pst_phase} phase, which the all-through requesting school teaches"
    return None


def mentioned_subjects(request: RequestText, rules: MatchingRules) -> dict[str, tuple[str, ...]]:
    """Return each subject in the rules that the request mentions, with the phrases found."""
    return {
        topic.name: mentions
        for topic in rules.subjects
        if (mentions := tuple(phrase.text for phrase in topic.phrases if request.mentions(phrase)))
    }


def matched_subjects(subjects: Iterable[str], request: RequestText, rules: MatchingRules) -> list[TopicMatch]:
    """Return the PST's subjects that the request mentions, each once."""
    return _matched_topics(subjects, rules.subjects, request)


def matched_expertise(expertise: Iterable[str], request: RequestText, rules: MatchingRules) -> list[TopicMatch]:
    """Return the areas of the PST's expertise that the request mentions, each area once.

    Expertise items in the same area of the rules, such as "questioning" and
    "cold calling", make one match, labelled with the first of them.
    """
    return _matched_topics(expertise, rules.expertise, request)


def _matched_topics(items: Iterable[str], topics: Sequence[Topic], request: RequestText) -> list[TopicMatch]:
    matches = []
    seen: set[tuple[str, ...]] = set()
    for item in items:
        phrase = parse_phrase(item)
        if phrase is None:
            continue

        # An item the rules do not list is a topic of its own, found only by its own words.
        topic = next((topic for topic in topics if topic.covers(phrase)), None)
        if topic is None:
            topic = Topic(phrase.text, (phrase,))
        # A topic's first phrase is its name, or the item itself, and no two topics share a phrase.
        identity = topic.phrases[0].key
        if identity in seen:
            continue
        seen.add(identity)

        found = [own for own in topic.phrases if request.mentions(own)]
        if found:
            matches.append(TopicMatch(phrase.text, tuple(own.text for own in _longest_phrases(found))))
    return matches


def _longest_phrases(phrases: list[Phrase]) -> list[Phrase]:
    """Drop each phrase that is part of a longer one in ``phrases``, such as "behaviour" beside "behaviour routines"."""
    return [
        phrase
        for phrase in phrases
        if not any(len(other.key) > len(phrase.key) and _contains(other.key, phrase.key) for other in phrases)
    ]


def score_fit(pst: Profile, request: RequestText, rules: MatchingRules) -> Fit:
    """Score how well ``pst`` fits the request and give a reason for each point scored."""
    score = 0
    reasons = []

    phase = phase_reason(pst.phase, request_phases(request, rules))
    if phase is not None:
        score += rules.weights.phase
        reasons.append(phase)

    for match in matched_subjects(pst.subjects or (), request, rules):
        score += rules.weights.subject
        reasons.append(_describe_match("teaches ", match))

    for match in matched_expertise(pst.expertise or (), request, rules):
        score += rules.weights.expertise
        reasons.append(_describe_match("expertise in ", match))

    return Fit(score, tuple(reasons))


def _describe_match(prefix: str, match: TopicMatch) -> str:
    """Return, for example, 'expertise in questioning (the request mentions "cold calling")'."""
    label_phrase = parse_phrase(match.label)
    only_label = (
        len(match.mentions) == 1
        and label_phrase is not None
        and (mention := parse_phrase(match.mentions[0])) is not None
        and mention.key == label_phrase.key
    )
    if only_label:
        return f"{prefix}{match.label}"
    return f"{prefix}{match.label} (the request mentions {_quoted_list(match.mentions)})"


def _quoted_list(texts: Sequence[str]) -> str:
    quoted = [f'"{text}"' for text in texts]
    if len(quoted) == 1:
        return quoted[0]
    return f"{', '.join(quoted[:-1])} and {quoted[-1]}"


# Visits in a term


def visits_in_term(session: Session, term: Term, *, ignore_case_id: int | None = None) -> dict[int, int]:
    """Count each PST's visits in ``term``, keyed by PST id; PSTs with none are absent.

    A visit counts when its date is in the term, its status is not
    "cancelled" and its case is not cancelled or declined. A case waiting
    for consent or a date, with no visit other than cancelled ones, counts
    as one visit in ``term``, which should be the current term, because it
    will use a visit but has no date yet. The case ``ignore_case_id``, the
    one being matched, is not counted that way.
    """
    dated = (
        select(Case.pst_id, func.count(Visit.id))
        .join(Visit, Visit.case_id == Case.id)
        .where(
            Case.pst_id.is_not(None),
            Case.state.not_in(ENDED_CASE_STATES),
            Visit.status != CANCELLED_VISIT,
            Visit.date >= term.first_day,
            Visit.date <= term.last_day,
        )
        .group_by(Case.pst_id)
    )

    has_live_visit = select(Visit.id).where(Visit.case_id == Case.id, Visit.status != CANCELLED_VISIT).exists()
    planned = (
        select(Case.pst_id, func.count(Case.id))
        .where(Case.pst_id.is_not(None), Case.state.in_(PLANNED_CASE_STATES), ~has_live_visit)
        .group_by(Case.pst_id)
    )
    if ignore_case_id is not None:
        planned = planned.where(Case.id != ignore_case_id)

    counts: Counter[int] = Counter()
    for statement in (dated, planned):
        for pst_id, count in session.execute(statement):
            counts[pst_id] += count
    return dict(counts)


# The shortlist


@dataclass(frozen=True)
class Candidate:
    """A PST on the shortlist, with the reasons they fit, for a strategic lead to read."""

    pst_email: str
    pst_name: str
    school: str
    score: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class Exclusion:
    """A PST left off the shortlist, and the reason, for the email to staff."""

    pst_email: str
    pst_name: str
    reason: str


@dataclass(frozen=True)
class _Capacity:
    """A PST's visits this term, and their school's."""

    visits: int
    limit: int
    school_visits: int
    school_limit: int


def shortlist(
    session: Session,
    case: Case,
    today: date,
    calendar: SchoolCalendar,
    timings: Timings,
    rules: MatchingRules,
    size: int = SHORTLIST_SIZE,
) -> list[Candidate]:
    """Return up to ``size`` PSTs for ``case``, best first; see ``shortlist_with_exclusions``."""
    candidates, _ = shortlist_with_exclusions(session, case, today, calendar, timings, rules, size)
    return candidates


def shortlist_with_exclusions(
    session: Session,
    case: Case,
    today: date,
    calendar: SchoolCalendar,
    timings: Timings,
    rules: MatchingRules,
    size: int = SHORTLIST_SIZE,
) -> tuple[list[Candidate], list[Exclusion]]:
    """Return up to ``size`` PSTs for ``case``, best first, and the PSTs left out with the reason.

    Candidates are ordered by score, highest first, then by fewer visits in
    the term of ``today``, then by name and email, so equal PSTs always come
    in the same order. Exclusions are ordered by name. Nothing is written to
    the session.
    """
    if size < 1:
        raise ValueError(f"a shortlist must have room for at least 1 PST, not {size}")

    term = calendar.term_of(today)
    request = RequestText.of_case(case)
    psts = list(session.scalars(select(Pst).order_by(Pst.id)))

    pst_visits = visits_in_term(session, term, ignore_case_id=case.id)
    school_visits: Counter[str] = Counter()
    for pst in psts:
        school_visits[school_key(pst.school)] += pst_visits.get(pst.id, 0)

    excluded_emails = {address.strip().casefold() for address in case.excluded_pst_emails or ()}
    requesting_school = school_key(case.school or "")

    ranked: list[tuple[Candidate, int]] = []
    exclusions: list[Exclusion] = []
    for pst in psts:
        capacity = _Capacity(
            visits=pst_visits.get(pst.id, 0),
            limit=pst.max_visits_per_term,
            school_visits=school_visits[school_key(pst.school)],
            school_limit=rules.school_visit_limit(pst.school),
        )
        reason = _exclusion_reason(pst, capacity, excluded_emails, requesting_school, today, timings)
        fit = score_fit(pst, request, rules)
        if reason is None and fit.score <= 0:
            reason = NO_FIT_REASON

        if reason is not None:
            exclusions.append(Exclusion(pst.email, pst.name, reason))
            continue

        reasons = fit.reasons + _capacity_reasons(pst, capacity) + _designation_reasons(pst, today, timings)
        ranked.append((Candidate(pst.email, pst.name, pst.school, fit.score, reasons), capacity.visits))

    ranked.sort(key=lambda entry: (-entry[0].score, entry[1], entry[0].pst_name.casefold(), entry[0].pst_email))
    exclusions.sort(key=lambda exclusion: (exclusion.pst_name.casefold(), exclusion.pst_email))
    return [candidate for candidate, _ in ranked[:size]], exclusions


def _exclusion_reason(
    pst: Pst,
    capacity: _Capacity,
    excluded_emails: set[str],
    requesting_school: str,
    today: date,
    timings: Timings,
) -> str | None:
    """Return why ``pst`` cannot be offered, or None when they can. The first reason that applies is given."""
    if pst.email.casefold() in excluded_emails:
        return "excluded from this case"
    if requesting_school and school_key(pst.school) == requesting_school:
        return "works at the requesting school"
    if designation_status(pst, today, timings) == LAPSED:
        return f"designation lapsed on {expiry_date(pst, timings):{DATE_FORMAT}}"
    if capacity.visits >= capacity.limit:
        return f"already has {capacity.visits} of {capacity.limit} visits this term"
    if capacity.school_visits >= capacity.school_limit:
        return (
            f"{pst.school} already has {capacity.school_visits} of the "
            f"{capacity.school_limit} visits it can host this term"
        )
    return None


def _capacity_reasons(pst: Pst, capacity: _Capacity) -> tuple[str, ...]:
    left = capacity.limit - capacity.visits
    reasons = [f"{left} of {capacity.limit} visits left this term"]

    # The school's limit is mentioned only when it is the tighter one.
    school_left = capacity.school_limit - capacity.school_visits
    if school_left < left:
        visits = "visit" if school_left == 1 else "visits"
        reasons.append(f"{pst.school} can host {school_left} more {visits} this term")
    return tuple(reasons)


def _designation_reasons(pst: Pst, today: date, timings: Timings) -> tuple[str, ...]:
    if designation_status(pst, today, timings) == EXPIRING:
        return (f"designation ends on {expiry_date(pst, timings):{DATE_FORMAT}}",)
    return ()
