"""Load the workflow rules a business manager may edit: form labels and case states."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from mailbot.errors import RulesError
from mailbot.form import FormRules, load_form_rules
from mailbot.matching import MatchingRules, load_matching_rules
from mailbot.rates import RATES_FILE, Rates, load_rates
from mailbot.schooldays import CALENDAR_FILE, SchoolCalendar, load_calendar
from mailbot.timings import TIMINGS_FILE, Timings, load_timings
from mailbot.visit_shape import VisitSession, load_visit_sessions
from mailbot.tomlfile import read_toml

FORM_RULES_FILE = "form.toml"
STATES_FILE = "states.toml"

# The code moves cases between these states, so the rules file may relabel them but not drop one.
REQUIRED_STATES = (
    "awaiting_endorsement",
    "awaiting_match",
    "awaiting_consent",
    "awaiting_date",
    "scheduled",
    "visited",
    "closed",
    "declined",
    "cancelled",
    "on_hold",
)


@dataclass(frozen=True)
class Rules:
    form: FormRules
    state_labels: dict[str, str]
    timings: Timings
    calendar: SchoolCalendar
    matching: MatchingRules
    visit_sessions: dict[str, VisitSession]
    rates: Rates

    def state_label(self, state: str) -> str:
        return self.state_labels.get(state, state)


def load_rules(folder: Path) -> Rules:
    """Read every rules file in ``folder``; raise RulesError naming the file and key at fault."""
    try:
        form = load_form_rules(folder / FORM_RULES_FILE)
    except (OSError, ValueError) as exc:
        raise RulesError(str(exc)) from exc
    return Rules(
        form=form,
        state_labels=_load_state_labels(folder / STATES_FILE),
        timings=load_timings(folder / TIMINGS_FILE),
        calendar=load_calendar(folder / CALENDAR_FILE),
        matching=load_matching_rules(folder),
        visit_sessions=load_visit_sessions(folder),
        rates=load_rates(folder / RATES_FILE),
    )


def _load_state_labels(path: Path) -> dict[str, str]:
    data = read_toml(path, "rules file", RulesError)

    states = data.get("states")
    if not isinstance(states, dict):
        raise RulesError(f"{path} has no [states.<name>] tables")

    labels = {}
    for name in REQUIRED_STATES:
        entry = states.get(name)
        if not isinstance(entry, dict) or not isinstance(entry.get("label"), str):
            raise RulesError(f"{path}: [states.{name}] needs a label = \"...\" line")
        labels[name] = entry["label"]

    unknown = sorted(set(states) - set(REQUIRED_STATES))
    if unknown:
        raise RulesError(f"{path}: unknown state(s) {', '.join(unknown)}; known states are {', '.join(REQUIRED_STATES)}")
    return labels
