"""The PST shortlist: reading a request's words, scoring PSTs, and the PSTs left out, on SQLite and PostgreSQL."""

from __future__ import annotations

import itertools
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from mailbot.errors import RulesError
from mailbot.matching import (
    MATCHING_FILE,
    SCHOOLS_FILE,
    Candidate,
    Exclusion,
    MatchingRules,
    RequestText,
    TopicMatch,
    load_matching_rules,
    matched_expertise,
    matched_subjects,
    mentioned_subjects,
    phase_reason,
    request_phases,
    school_key,
    score_fit,
    shortlist,
    shortlist_with_exclusions,
)
from mailbot.register import read_register_csv
from mailbot.resources import shipped_folder
from mailbot.schooldays import SchoolCalendar, load_calendar
from mailbot.store.database import create_database_engine, session_factory, upgrade_schema
from mailbot.store.models import Case, Pst, Visit
from mailbot.timings import Timings, load_timings

RULES = shipped_folder("rules")
REGISTER = Path(__file__).parent / "data" / "pst-register.csv"

# A day in the spring term of 2027, which runs from 1 January to Easter Sunday, 28 March.
TODAY = date(2027, 1, 20)
THIS_TERM_DAY = date(2027, 2, 3)
LAST_TERM_DAY = date(2026, 11, 18)
NEXT_TERM_DAY = date(2027, 4, 21)

# The shipped timings.toml designates PSTs for two years and sends the first notice 90 days before the end.
ACTIVE_SINCE = date(2025, 9, 14)
EXPIRING_SINCE = date(2025, 3, 1)
LAPSED_SINCE = date(2024, 12, 5)

NOW = datetime(2027, 1, 20, 9, 0, tzinfo=timezone.utc)

PRIMARY_MATHS_REQUEST = RequestText(
    school="Oakfield Primary School",
    context="Two-form entry primary in a market town; a third of pupils are eligible for pupil premium.",
    reason=(
        "Our Year 4 teacher is new to the school and would like to see how an experienced "
        "colleague uses questioning in maths lessons."
    ),
    objectives="See questioning and talk partners used to check understanding, and take back ideas for her class.",
)

SECONDARY_SCIENCE_REQUEST = RequestText(
    school="Castle Hill Academy",
    context="11-16 comprehensive with 900 pupils on roll.",
    reason="Low-level disruption is eroding learning time in Year 9 science, especially during practicals.",
    objectives="Observe behaviour routines at the start of lessons and how practical work is set up safely.",
)


@pytest.fixture(scope="module")
def rules() -> MatchingRules:
    return load_matching_rules(RULES)


@pytest.fixture(scope="module")
def timings() -> Timings:
    return load_timings(RULES / "timings.toml")


@pytest.fixture(scope="module")
def calendar() -> SchoolCalendar:
    return load_calendar(RULES / "calendar.toml")


def ranked_names(request: RequestText, rules: MatchingRules) -> list[str]:
    """Return the names of the PSTs in tests/data/pst-register.csv, best fit first."""
    records = read_register_csv(REGISTER, today=TODAY)
    scored = sorted(records, key=lambda record: (-score_fit(record, request, rules).score, record.name))
    return [record.name for record in scored]


# The phase of a request


@pytest.mark.parametrize(
    ("school", "context", "expected"),
    [
        ("Hillcrest Primary School", "", {"primary"}),
        ("St Anne's CE Infant School", "", {"primary"}),
        ("Northgate High School", "", {"secondary"}),
        ("Westbrook Academy", "We are an 11-18 school with a large sixth form.", {"secondary"}),
        ("Westbrook Academy", "Mixed-age classes across KS1 and KS2.", {"primary"}),
        ("Brook Academy", "We are a special school for pupils aged 4 to 19.", {"special"}),
        ("Elmwood All-Through School", "", {"all-through"}),
        ("Castle Hill Academy", "Transition from Year 6 to Year 7.", {"primary", "secondary"}),
        ("Castle Hill Academy", "Our Year 10 and Year 11 classes.", {"secondary"}),
        ("Castle Hill Academy", "We will send our newest teacher.", set()),
        ("Castle Hill Academy", "", set()),
    ],
)
def test_request_phase_from_words(school: str, context: str, expected: set[str], rules: MatchingRules) -> None:
    assert request_phases(RequestText(school=school, context=context), rules) == expected


def test_school_name_phase_wins(rules: MatchingRules) -> None:
    request = RequestText(school="Hillcrest Primary School", reason="Our secondary aim is better questioning.")
    assert request_phases(request, rules) == {"primary"}


@pytest.mark.parametrize(
    ("pst_phase", "phases", "expected"),
    [
        ("primary", {"primary"}, "primary phase"),
        ("secondary", {"primary", "secondary"}, "secondary phase"),
        ("primary", {"secondary"}, None),
        ("primary", set(), None),
        ("all-through", {"secondary"}, "all-through school, so covers the secondary phase"),
        ("secondary", {"all-through"}, "secondary phase, which the all-through requesting school teaches"),
        ("special", {"all-through"}, None),
    ],
)
def test_phase_reason(pst_phase: str, phases: set[str], expected: str | None) -> None:
    assert phase_reason(pst_phase, frozenset(phases)) == expected


# Subjects and expertise


def test_subjects_from_synonyms(rules: MatchingRules) -> None:
    request = RequestText(reason="Numeracy in Year 3, and reading for pleasure; the PE department is keen too.")
    assert mentioned_subjects(request, rules) == {
        "maths": ("numeracy",),
        "english": ("reading",),
        "physical education": ("PE",),
    }


def test_capitals_only_phrase_needs_capitals(rules: MatchingRules) -> None:
    request = RequestText(reason="We re-teach fractions after assessments.")
    assert mentioned_subjects(request, rules) == {}
    assert mentioned_subjects(RequestText(reason="Our RE lessons."), rules) == {"religious education": ("RE",)}


def test_whole_words_only(rules: MatchingRules) -> None:
    request = RequestText(reason="Our art department uses starters; maths is a strength.")
    assert mentioned_subjects(request, rules) == {"art and design": ("art",), "maths": ("maths",)}
    assert mentioned_subjects(RequestText(reason="A state-of-the-artwork display."), rules) == {}


def test_pst_subject_by_synonym(rules: MatchingRules) -> None:
    request = RequestText(reason="Improving mathematics in Year 5.")
    assert matched_subjects(["Mathematics"], request, rules) == [TopicMatch("Mathematics", ("mathematics",))]
    assert matched_subjects(["maths"], request, rules) == [TopicMatch("maths", ("mathematics",))]


def test_expertise_through_synonym(rules: MatchingRules) -> None:
    request = RequestText(reason="Staff want to see questioning that includes every pupil.")
    assert matched_expertise(["cold calling", "practical work"], request, rules) == [
        TopicMatch("cold calling", ("questioning",))
    ]


def test_expertise_area_counts_once(rules: MatchingRules) -> None:
    request = RequestText(objectives="Questioning, cold calling and talk partners.")
    matches = matched_expertise(["questioning", "talk partners"], request, rules)
    assert matches == [TopicMatch("questioning", ("questioning", "cold calling", "talk partners"))]


def test_expertise_drops_shorter_mentions(rules: MatchingRules) -> None:
    request = RequestText(objectives="Behaviour routines, and what to do about low level disruption.")
    matches = matched_expertise(["behaviour routines"], request, rules)
    assert matches == [TopicMatch("behaviour routines", ("behaviour routines", "low-level disruption"))]


def test_unlisted_expertise_by_own_words(rules: MatchingRules) -> None:
    assert matched_expertise(["forest school"], RequestText(reason="Starting Forest School in reception."), rules) == [
        TopicMatch("forest school", ("forest school",))
    ]
    assert matched_expertise(["forest school"], RequestText(reason="Outdoor learning in the forest."), rules) == []


def test_send_expertise_needs_capitals(rules: MatchingRules) -> None:
    assert matched_expertise(["SEND inclusion"], RequestText(reason="Pupils with SEND in Year 8."), rules) == [
        TopicMatch("SEND inclusion", ("SEND",))
    ]
    assert matched_expertise(["SEND inclusion"], RequestText(reason="We will send two teachers."), rules) == []


# Scores and ranking without a database


@dataclass(frozen=True)
class Profile:
    phase: str
    subjects: tuple[str, ...]
    expertise: tuple[str, ...]


def test_primary_maths_questioning_ranking(rules: MatchingRules) -> None:
    names = ranked_names(PRIMARY_MATHS_REQUEST, rules)
    assert names[:2] == ["Amira Haddad", "Helena Nowak"]


def test_secondary_science_behaviour_ranking(rules: MatchingRules) -> None:
    names = ranked_names(SECONDARY_SCIENCE_REQUEST, rules)
    assert names[0] == "Kwame Boateng"


def test_score_and_reasons(rules: MatchingRules) -> None:
    pst = Profile("primary", ("maths",), ("questioning", "mastery maths", "assessment for learning"))
    fit = score_fit(pst, PRIMARY_MATHS_REQUEST, rules)

    weights = rules.weights
    assert fit.score == weights.phase + weights.subject + weights.expertise
    assert fit.reasons == (
        "primary phase",
        "teaches maths",
        'expertise in questioning (the request mentions "questioning" and "talk partners")',
    )


def test_behaviour_reasons(rules: MatchingRules) -> None:
    pst = Profile("secondary", ("science",), ("behaviour routines", "practical work", "ECT support"))
    fit = score_fit(pst, SECONDARY_SCIENCE_REQUEST, rules)
    assert fit.reasons == (
        "secondary phase",
        "teaches science",
        'expertise in behaviour routines (the request mentions "behaviour routines" and "low-level disruption")',
        'expertise in practical work (the request mentions "practical work" and "practicals")',
    )


def test_no_fit_scores_zero(rules: MatchingRules) -> None:
    pst = Profile("secondary", ("english", "drama"), ("oracy",))
    assert score_fit(pst, PRIMARY_MATHS_REQUEST, rules).score == 0


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Hillcrest Primary School", "hillcrest primary"),
        ("St Anne's C.E. Primary School", "St Annes CE  Primary"),
        ("St Mary & St John Primary", "St Mary and St John Primary School"),
        ("Oakfield School", "Oakfield Academy"),
    ],
)
def test_school_key_same(first: str, second: str) -> None:
    assert school_key(first) == school_key(second)


def test_school_key_different() -> None:
    assert school_key("Northgate High School") != school_key("Northgate Primary School")
    assert school_key("Academy") == "academy"


# Loading the rules files


def rules_folder(tmp_path: Path, schools: str | None = None, matching: str | None = None) -> Path:
    """Return a rules folder with the shipped files, with either file replaced by the given text."""
    folder = tmp_path / "rules"
    folder.mkdir(exist_ok=True)
    shutil.copy(RULES / MATCHING_FILE, folder / MATCHING_FILE)
    shutil.copy(RULES / SCHOOLS_FILE, folder / SCHOOLS_FILE)
    if schools is not None:
        (folder / SCHOOLS_FILE).write_text(schools, encoding="utf-8")
    if matching is not None:
        (folder / MATCHING_FILE).write_text(matching, encoding="utf-8")
    return folder


def test_shipped_rules_load(rules: MatchingRules) -> None:
    assert {topic.name for topic in rules.phases} == {"primary", "secondary", "special", "all-through"}
    assert rules.school_visit_limit("Example Primary") == 2
    assert rules.school_visit_limit("Somewhere Else School") == rules.default_visits_per_term


MINIMAL_MATCHING = """
[weights]
phase = 3
subject = 2
expertise = 3

[phases]
primary = ["primary"]

[subjects]
maths = ["numeracy"]

[expertise]
questioning = ["cold calling"]
"""


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        ("phase = 3", "phase = 0", "[weights] phase must be a whole number of at least 1, not 0"),
        ("phase = 3", 'phase = "3"', "[weights] phase must be a whole number of at least 1, not '3'"),
        ("expertise = 3\n", "", "[weights]: missing expertise"),
        ('primary = ["primary"]', 'nursery = ["nursery"]', '[phases] "nursery" is not a phase'),
        ('maths = ["numeracy"]', 'maths = ["numeracy"]\nnumeracy = []', '[subjects] "numeracy": "numeracy" is also under "maths"'),
        ('maths = ["numeracy"]', 'maths = "numeracy"', '[subjects] "maths" must be a list of words in quotes'),
        ('maths = ["numeracy"]', 'maths = ["--"]', "[subjects] \"maths\": '--' has no letters or digits"),
        ("[expertise]", "[skills]", "unknown key(s) skills"),
    ],
)
def test_matching_file_errors(tmp_path: Path, old: str, new: str, expected: str) -> None:
    assert old in MINIMAL_MATCHING
    folder = rules_folder(tmp_path, matching=MINIMAL_MATCHING.replace(old, new))

    with pytest.raises(RulesError) as error:
        load_matching_rules(folder)
    assert expected in str(error.value)
    assert str(folder / MATCHING_FILE) in str(error.value)


def test_minimal_matching_file_loads(tmp_path: Path) -> None:
    rules = load_matching_rules(rules_folder(tmp_path, matching=MINIMAL_MATCHING))
    assert [topic.name for topic in rules.phases] == ["primary"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("[visits_per_term]\n", "missing default_visits_per_term"),
        ("default_visits_per_term = 0\n", "default_visits_per_term must be a whole number of at least 1, not 0"),
        ('default_visits_per_term = 4\n[visits_per_term]\n"Oak School" = -1\n', '"Oak School" must be a whole number of at least 0'),
        ('default_visits_per_term = 4\n[visits_per_term]\n"Oak School" = 2\n"oak academy" = 3\n', '"oak academy" is the same school as "Oak School"'),
        ('default_visits_per_term = 4\nvisits_per_term = 3\n', "visits_per_term must be a [visits_per_term] table"),
        ('default_visits_per_term = 4\nschools = {}\n', "unknown key(s) schools"),
        ("default_visits_per_term = \n", "is not valid TOML"),
    ],
)
def test_schools_file_errors(tmp_path: Path, text: str, expected: str) -> None:
    folder = rules_folder(tmp_path, schools=text)

    with pytest.raises(RulesError) as error:
        load_matching_rules(folder)
    assert expected in str(error.value)
    assert str(folder / SCHOOLS_FILE) in str(error.value)


def test_missing_schools_file(tmp_path: Path) -> None:
    folder = rules_folder(tmp_path)
    (folder / SCHOOLS_FILE).unlink()
    with pytest.raises(RulesError, match="schools rules file not found"):
        load_matching_rules(folder)


def test_school_limit_ignores_suffix(tmp_path: Path) -> None:
    folder = rules_folder(tmp_path, schools='default_visits_per_term = 5\n[visits_per_term]\n"brookfield primary" = 0\n')
    rules = load_matching_rules(folder)
    assert rules.school_visit_limit("Brookfield Primary School") == 0
    assert rules.school_visit_limit("Riverside High School") == 5


# The shortlist, over a database


@dataclass
class Store:
    """A test database, with helpers that add PSTs, cases and visits."""

    sessions: sessionmaker[Session]

    def __post_init__(self) -> None:
        self._numbers = itertools.count(1)

    def add_pst(
        self,
        name: str,
        school: str = "Brookfield Primary School",
        phase: str = "primary",
        subjects: tuple[str, ...] = ("maths",),
        expertise: tuple[str, ...] = ("questioning",),
        designated_on: date = ACTIVE_SINCE,
        max_visits: int = 3,
    ) -> str:
        """Add a PST and return their email address, made from their name."""
        email = f"{name.lower().replace(' ', '.')}@pst.example"
        with self.sessions.begin() as session:
            session.add(
                Pst(
                    name=name,
                    email=email,
                    school=school,
                    headteacher_name="Head Teacher",
                    headteacher_email=f"head@{school_key(school).replace(' ', '-')}.example",
                    phase=phase,
                    subjects=list(subjects),
                    expertise=list(expertise),
                    designated_on=designated_on,
                    max_visits_per_term=max_visits,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        return email

    def add_case(
        self,
        school: str = "Oakfield Primary School",
        state: str = "awaiting_match",
        pst_email: str | None = None,
        excluded: tuple[str, ...] = (),
        visits: tuple[tuple[date, str], ...] = (),
    ) -> int:
        """Add a case asking for primary maths questioning, with the given visits, and return its id."""
        number = next(self._numbers)
        with self.sessions.begin() as session:
            pst_id = None
            if pst_email is not None:
                pst_id = session.scalars(select(Pst.id).where(Pst.email == pst_email)).one()
            case = Case(
                reference=f"PST-2027-{number:04d}",
                state=state,
                school=school,
                requester_name="Requester",
                requester_email=f"requester{number}@school.example",
                headteacher_email=f"head{number}@school.example",
                context=PRIMARY_MATHS_REQUEST.context,
                reason=PRIMARY_MATHS_REQUEST.reason,
                objectives=PRIMARY_MATHS_REQUEST.objectives,
                created_at=NOW,
                updated_at=NOW,
                pst_id=pst_id,
                excluded_pst_emails=list(excluded),
            )
            for index, (day, status) in enumerate(visits):
                case.visits.append(
                    Visit(
                        date=day,
                        session="am",
                        status=status,
                        calendar_uid=f"visit-{number}-{index}@mailbot.example",
                        created_at=NOW,
                        updated_at=NOW,
                    )
                )
            session.add(case)
            session.flush()
            return case.id

    def shortlist(
        self,
        case_id: int,
        calendar: SchoolCalendar,
        timings: Timings,
        rules: MatchingRules,
        size: int = 3,
    ) -> tuple[list[Candidate], list[Exclusion]]:
        with self.sessions() as session:
            case = session.get(Case, case_id)
            assert case is not None
            return shortlist_with_exclusions(session, case, TODAY, calendar, timings, rules, size)


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = create_database_engine(database_url)
    upgrade_schema(engine)
    yield Store(session_factory(engine))
    engine.dispose()


def exclusion_reasons(exclusions: list[Exclusion]) -> dict[str, str]:
    return {exclusion.pst_name: exclusion.reason for exclusion in exclusions}


def test_best_first_with_reasons(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    store.add_pst("Ciaran Doyle", subjects=("english",), expertise=("early reading",))
    store.add_pst("Amira Haddad", expertise=("questioning", "mastery maths"), max_visits=2)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Amira Haddad", "Ciaran Doyle"]
    assert candidates[0].reasons == (
        "primary phase",
        "teaches maths",
        'expertise in questioning (the request mentions "questioning" and "talk partners")',
        "2 of 2 visits left this term",
    )
    assert candidates[0].school == "Brookfield Primary School"
    assert candidates[0].pst_email == "amira.haddad@pst.example"
    assert exclusions == []


def test_shortlist_matches_full_result(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    store.add_pst("Amira Haddad")
    case_id = store.add_case()

    with store.sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None
        candidates = shortlist(session, case, TODAY, calendar, timings, rules)
        full, _ = shortlist_with_exclusions(session, case, TODAY, calendar, timings, rules)
    assert candidates == full


def test_lapsed_designation_excluded(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    store.add_pst("Kwame Boateng", designated_on=LAPSED_SINCE)
    store.add_pst("Helena Nowak", designated_on=EXPIRING_SINCE)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Helena Nowak"]
    assert candidates[0].reasons[-1] == "designation ends on 01/03/2027"
    assert exclusion_reasons(exclusions) == {"Kwame Boateng": "designation lapsed on 05/12/2026"}


def test_pst_at_limit_excluded(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    busy = store.add_pst("Isla Robertson", max_visits=2)
    store.add_pst("Amira Haddad", max_visits=2)
    store.add_case(state="scheduled", pst_email=busy, visits=((THIS_TERM_DAY, "scheduled"),))
    # Waiting for a date, so it will use a visit this term.
    store.add_case(state="awaiting_date", pst_email=busy)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Amira Haddad"]
    assert exclusion_reasons(exclusions) == {"Isla Robertson": "already has 2 of 2 visits this term"}


@pytest.mark.parametrize(
    ("state", "visits"),
    [
        pytest.param("visited", ((LAST_TERM_DAY, "held"),), id="previous-term"),
        pytest.param("scheduled", ((NEXT_TERM_DAY, "scheduled"),), id="next-term"),
        pytest.param("scheduled", ((THIS_TERM_DAY, "cancelled"), (NEXT_TERM_DAY, "scheduled")), id="cancelled-visit"),
        pytest.param("declined", ((THIS_TERM_DAY, "scheduled"),), id="declined-case"),
        pytest.param("cancelled", (), id="cancelled-case-without-visit"),
    ],
)
def test_visits_that_do_not_count(
    store: Store,
    calendar: SchoolCalendar,
    timings: Timings,
    rules: MatchingRules,
    state: str,
    visits: tuple[tuple[date, str], ...],
) -> None:
    email = store.add_pst("Amira Haddad", max_visits=1)
    store.add_case(state=state, pst_email=email, visits=visits)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert exclusions == []
    assert candidates[0].reasons[-1] == "1 of 1 visits left this term"


def test_case_with_cancelled_visit_counts(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    email = store.add_pst("Amira Haddad", max_visits=1)
    # Its only visit was cancelled and a new date is awaited, so it will still use a visit.
    store.add_case(state="awaiting_date", pst_email=email, visits=((THIS_TERM_DAY, "cancelled"),))
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert candidates == []
    assert exclusion_reasons(exclusions) == {"Amira Haddad": "already has 1 of 1 visits this term"}


def test_matched_case_not_counted(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    email = store.add_pst("Amira Haddad", max_visits=1)
    case_id = store.add_case(state="awaiting_consent", pst_email=email)

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert exclusions == []
    assert [candidate.pst_name for candidate in candidates] == ["Amira Haddad"]


def test_school_at_limit_excluded(tmp_path: Path, store: Store, calendar: SchoolCalendar, timings: Timings) -> None:
    rules = load_matching_rules(
        rules_folder(tmp_path, schools='default_visits_per_term = 6\n[visits_per_term]\n"Brookfield Primary" = 2\n')
    )
    first = store.add_pst("Amira Haddad", school="Brookfield Primary School")
    second = store.add_pst("Ciaran Doyle", school="Brookfield Primary School")
    store.add_pst("Helena Nowak", school="St Bede's RC Primary")
    store.add_case(state="scheduled", pst_email=first, visits=((THIS_TERM_DAY, "scheduled"),))
    store.add_case(state="awaiting_consent", pst_email=second)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Helena Nowak"]
    full = "Brookfield Primary School already has 2 of the 2 visits it can host this term"
    assert exclusion_reasons(exclusions) == {"Amira Haddad": full, "Ciaran Doyle": full}


def test_school_limit_tighter_reason(tmp_path: Path, store: Store, calendar: SchoolCalendar, timings: Timings) -> None:
    rules = load_matching_rules(
        rules_folder(tmp_path, schools='default_visits_per_term = 6\n[visits_per_term]\n"Brookfield Primary" = 2\n')
    )
    first = store.add_pst("Amira Haddad")
    store.add_pst("Ciaran Doyle")
    store.add_case(state="scheduled", pst_email=first, visits=((THIS_TERM_DAY, "scheduled"),))
    case_id = store.add_case()

    candidates, _ = store.shortlist(case_id, calendar, timings, rules)

    ciaran = next(candidate for candidate in candidates if candidate.pst_name == "Ciaran Doyle")
    assert ciaran.reasons[-2:] == ("3 of 3 visits left this term", "Brookfield Primary School can host 1 more visit this term")


def test_same_school_excluded(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    store.add_pst("Amira Haddad", school="St Mary and St John CE  Primary")
    store.add_pst("Helena Nowak", school="St Bede's RC Primary")
    case_id = store.add_case(school="St Mary & St John CE Primary School")

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Helena Nowak"]
    assert exclusion_reasons(exclusions) == {"Amira Haddad": "works at the requesting school"}


def test_excluded_email_excluded(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    email = store.add_pst("Amira Haddad")
    store.add_pst("Helena Nowak")
    case_id = store.add_case(excluded=(email.upper(),))

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert [candidate.pst_name for candidate in candidates] == ["Helena Nowak"]
    assert exclusion_reasons(exclusions) == {"Amira Haddad": "excluded from this case"}


def test_no_fit_excluded(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    store.add_pst(
        "Isla Robertson", school="Riverside High School", phase="secondary", subjects=("english", "drama"), expertise=("oracy",)
    )
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)

    assert candidates == []
    assert exclusion_reasons(exclusions) == {
        "Isla Robertson": "nothing in the request fits their phase, subjects or expertise"
    }


def test_size_limit(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    for name in ("Ann Ash", "Ben Birch", "Cal Cedar", "Dee Elm", "Eve Fir"):
        store.add_pst(name)
    case_id = store.add_case()

    candidates, exclusions = store.shortlist(case_id, calendar, timings, rules)
    assert len(candidates) == 3
    assert exclusions == []

    top_candidate, _ = store.shortlist(case_id, calendar, timings, rules, size=1)
    assert [candidate.pst_name for candidate in top_candidate] == ["Ann Ash"]

    with pytest.raises(ValueError, match="at least 1 PST"):
        store.shortlist(case_id, calendar, timings, rules, size=0)


def test_ties_in_stable_order(store: Store, calendar: SchoolCalendar, timings: Timings, rules: MatchingRules) -> None:
    busy = store.add_pst("Abel Ash")
    store.add_pst("Zara Yew")
    store.add_pst("Mo Oak")
    store.add_case(state="scheduled", pst_email=busy, visits=((THIS_TERM_DAY, "scheduled"),))
    case_id = store.add_case()

    first, _ = store.shortlist(case_id, calendar, timings, rules)
    second, _ = store.shortlist(case_id, calendar, timings, rules)

    assert len({candidate.score for candidate in first}) == 1
    # Fewer visits this term first, then by name.
    assert [candidate.pst_name for candidate in first] == ["Mo Oak", "Zara Yew", "Abel Ash"]
    assert second == first
