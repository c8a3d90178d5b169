"""The amounts in rules/rates.toml: what a half-day session of a PST visit charges and reimburses."""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from mailbot.errors import RulesError
from mailbot.tomlfile import check_keys, read_toml

RATES_FILE = "rates.toml"

TABLE = "half_day"
AMOUNT_KEYS = ("charge", "reimbursement")
AMOUNT_EXAMPLE = '"150.00"'

# A sanity limit chosen for mailbot, not an alliance rule. It is far above any
# likely half-day rate, so it catches a misplaced point ("15000" for "150.00"),
# and ten half-days at this rate still fit the ledger's 32-bit pence columns.
MAX_AMOUNT_PENCE = 10_000_00

PENCE_PER_POUND = 100

# Digits with an optional point and pence. Decimal alone would also accept
# "1e2", "NaN" and "1_000", which a person would not mean as an amount.
_AMOUNT_TEXT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


@dataclass(frozen=True)
class Rates:
    """The amounts per half-day session, in whole pence."""

    charge_pence: int
    reimbursement_pence: int


def load_rates(path: Path) -> Rates:
    """Read and check rules/rates.toml. Raise RulesError naming the file and the key at fault."""
    data = read_toml(path, "rules file", RulesError)
    check_keys(data, required=set(), optional={TABLE}, where=str(path))

    table = data.get(TABLE)
    if not isinstance(table, dict):
        raise RulesError(f"{path}: the [{TABLE}] table is missing; add it with charge = {AMOUNT_EXAMPLE} and reimbursement = \"120.00\"")
    check_keys(table, required=set(), optional=set(AMOUNT_KEYS), where=f"{path}: [{TABLE}]")

    return Rates(
        charge_pence=_amount_pence(path, table, "charge"),
        reimbursement_pence=_amount_pence(path, table, "reimbursement"),
    )


def _amount_pence(path: Path, table: dict[str, Any], key: str) -> int:
    where = f"{path}: [{TABLE}] {key}"
    if key not in table:
        raise RulesError(f"{where} is missing; add a line such as {key} = {AMOUNT_EXAMPLE}")
    return parse_pounds(table[key], where)


def parse_pounds(value: Any, where: str) -> int:
    """Convert an amount in pounds written as text, such as "150.00" or "£150", to whole pence.

    Raise RulesError naming ``where`` for a value that is not text, not a
    number, negative, has more than two decimal places, or is above
    MAX_AMOUNT_PENCE.
    """
    # A TOML float such as 150.1 is binary, so it cannot always carry pence exactly.
    if not isinstance(value, str):
        raise RulesError(f"{where} must be an amount in pounds in quotes, such as {AMOUNT_EXAMPLE}, not {value!r}")

    text = value.strip().removeprefix("£").strip()
    if _AMOUNT_TEXT.fullmatch(text) is None:
        raise RulesError(f"{where}: {value!r} is not an amount in pounds; write digits with pence after a point, such as {AMOUNT_EXAMPLE}")

    pounds = Decimal(text)
    if pounds < 0:
        raise RulesError(f"{where} must not be negative, not {value!r}; write 0 for none, or an amount such as {AMOUNT_EXAMPLE}")

    exponent = pounds.as_tuple().exponent
    if isinstance(exponent, int) and exponent < -2:
        raise RulesError(f"{where}: {value!r} has more than two decimal places; write pounds and pence, such as {AMOUNT_EXAMPLE}")

    pence = int(pounds * PENCE_PER_POUND)
    if pence > MAX_AMOUNT_PENCE:
        raise RulesError(
            f"{where}: {value!r} is more than the maximum of £{format_pounds(MAX_AMOUNT_PENCE)} per half-day; "
            f"check the decimal point, such as {AMOUNT_EXAMPLE}"
        )
    return pence


def format_pounds(pence: int) -> str:
    """Format whole pence as pounds with two decimal places and no £ sign, such as "150.00"."""
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(pence), PENCE_PER_POUND)
    return f"{sign}{pounds}.{remainder:02d}"


def uk_money(pence: int, *, thousands: bool = False) -> str:
    """Format whole pence the way British people write money: £150.00, or -£20.00.

    With ``thousands``, commas separate the thousands, as in £1,234.50, which
    reads better in reports; columns that are aligned or parsed keep £1234.50.
    """
    sign = "-" if pence < 0 else ""
    pounds, remainder = divmod(abs(pence), PENCE_PER_POUND)
    pounds_text = f"{pounds:,}" if thousands else str(pounds)
    return f"{sign}£{pounds_text}.{remainder:02d}"
