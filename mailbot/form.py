"""Read the website's PST request form out of an email's text parts.

The website sends the form, so the sender address is the website's and the
requester's name and address are in the form's fields. Which subjects mark a
form, which answers mean "empty", and the wording of each field come from a
TOML rules file that the business manager may edit (see ``rules/form.toml``).
"""

from __future__ import annotations

import re
import textwrap
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from mailbot.tomlfile import read_toml

FIELD_KINDS = ("text", "email", "name")

# Labels that wrap, or whose bracketed note wraps, are matched across at most
# this many lines.
_MAX_LABEL_LINES = 5

_FIELD_KEY = re.compile(r"[a-z][a-z0-9_]*")
_TRAILING_NOTE = re.compile(r"\s*\([^()]*\)$")
_REPLY_PREFIX = re.compile(r"\s*(re|fw|fwd|aw|wg)\s*(\[\d+\])?\s*:", re.IGNORECASE)
_EMAIL_ADDRESS = re.compile(r"[^\s@<>()\[\],;:\"]+@(?:[\w-]+\.)+[^\W\d_]{2,}")
_CURLY_QUOTES = str.maketrans(
    {"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'",
     "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"'}
)


@dataclass(frozen=True)
class FieldRule:
    """One field of the request form, as configured in the rules file."""

    key: str
    label: str
    aliases: tuple[str, ...]
    required: bool
    kind: str


@dataclass(frozen=True)
class FormRules:
    """Subjects that mark a form, placeholder answers that mean empty, and the fields in form order."""

    subjects: tuple[str, ...]
    empty_placeholders: tuple[str, ...]
    fields: tuple[FieldRule, ...]


@dataclass(frozen=True)
class FormReading:
    """Answers read from one request form, and what is wrong with them.

    ``fields`` has every field key, with "" for an empty or placeholder answer.
    ``missing`` has the labels of required fields left empty, and ``invalid``
    has one plain-English sentence per answer that failed its check.
    """

    fields: dict[str, str]
    missing: tuple[str, ...]
    invalid: tuple[str, ...]

    @property
    def is_complete(self) -> bool:
        return not self.missing and not self.invalid


# Loading the rules


def load_form_rules(path: Path) -> FormRules:
    """Load and validate the form rules from a TOML file.

    Raises ValueError naming the file and the key when the file is not valid
    TOML, or a key is missing, unknown, duplicated or has a value of the wrong type.
    """
    data = read_toml(path, "form rules file")

    _reject_unknown_keys(path, data, "", {"subjects", "empty_placeholders", "fields"})
    subjects = _read_strings(path, data, "subjects", "", allow_empty=False)
    placeholders = _read_strings(path, data, "empty_placeholders", "", allow_empty=True)
    fields = _read_fields(path, data)
    return FormRules(subjects, placeholders, fields)


def _reject_unknown_keys(path: Path, table: dict[str, Any], where: str, allowed: set[str]) -> None:
    unknown = sorted(set(table) - allowed)
    if unknown:
        raise ValueError(
            f"{path}: {where}unknown key {unknown[0]!r}. The allowed keys are {', '.join(sorted(allowed))}"
        )


def _read_strings(
    path: Path, table: dict[str, Any], key: str, where: str, *, allow_empty: bool
) -> tuple[str, ...]:
    if key not in table:
        raise ValueError(f"{path}: {where}{key!r} is missing")

    value = table[key]
    if not isinstance(value, list) or not all(isinstance(item, str) and item.strip() for item in value):
        raise ValueError(f"{path}: {where}{key!r} must be a list of non-empty strings")
    if not value and not allow_empty:
        raise ValueError(f"{path}: {where}{key!r} must not be empty")

    return tuple(value)


def _read_fields(path: Path, data: dict[str, Any]) -> tuple[FieldRule, ...]:
    tables = data.get("fields")
    if not isinstance(tables, list) or not tables or not all(isinstance(t, dict) for t in tables):
        raise ValueError(f"{path}: 'fields' is missing or is not a list of [[fields]] tables")

    fields = tuple(_read_field(path, table, number) for number, table in enumerate(tables, start=1))

    # Two fields with the same key, or wordings that match the same text,
    # would make it ambiguous which field an answer belongs to.
    owners: dict[str, str] = {}
    for field in fields:
        if field.key in owners.values():
            raise ValueError(f"{path}: field key {field.key!r} is used by more than one [[fields]] table")
        for wording in (field.label, *field.aliases):
            core = _label_core(wording)
            if core in owners and owners[core] != field.key:
                raise ValueError(
                    f"{path}: the wording {wording!r} of field {field.key!r} "
                    f"matches the same text as field {owners[core]!r}"
                )
            owners[core] = field.key

    return fields


def _read_field(path: Path, table: dict[str, Any], number: int) -> FieldRule:
    where = f"[[fields]] table {number}: "
    _reject_unknown_keys(path, table, where, {"key", "label", "aliases", "required", "kind"})

    key = table.get("key")
    if not isinstance(key, str) or not _FIELD_KEY.fullmatch(key):
        raise ValueError(f"{path}: {where}'key' must be lower-case letters, digits and underscores, not {key!r}")

    where = f"field {key!r}: "
    label = table.get("label")
    if not isinstance(label, str) or not _label_core(label):
        raise ValueError(f"{path}: {where}'label' must be the field's wording on the form, not {label!r}")

    aliases: tuple[str, ...] = ()
    if "aliases" in table:
        aliases = _read_strings(path, table, "aliases", where, allow_empty=True)
    if not all(_label_core(alias) for alias in aliases):
        raise ValueError(f"{path}: {where}an entry of 'aliases' has no words outside brackets")

    required = table.get("required")
    if not isinstance(required, bool):
        raise ValueError(f"{path}: {where}'required' must be true or false, not {required!r}")

    kind = table.get("kind")
    if kind not in FIELD_KINDS:
        raise ValueError(f"{path}: {where}'kind' must be one of {', '.join(FIELD_KINDS)}, not {kind!r}")

    return FieldRule(key, label, aliases, required, kind)


# Recognising and reading a form


def looks_like_form(subject: str | None, text: str, rules: FormRules) -> bool:
    """Return whether a message with this subject and text part is a request form."""
    return _is_form(subject, len(extract_answers(text, rules)), rules)


def _is_form(subject: str | None, labels_found: int, rules: FormRules) -> bool:
    # A form is recognised by one of the form subjects, or, when someone changed
    # the subject, by the labels of more than half of the fields (6 of the 11 in
    # rules/form.toml). A reply or forward is never a form, because Outlook by
    # default puts the original message under a reply without quote marks.
    if subject is not None and _REPLY_PREFIX.match(subject):
        return False

    if is_form_subject(subject, rules):
        return True

    return labels_found * 2 > len(rules.fields)


def is_form_subject(subject: str | None, rules: FormRules) -> bool:
    """Return whether ``subject`` is one of the form subjects; a reply or forward prefix makes it not one."""
    if subject is None or _REPLY_PREFIX.match(subject):
        return False
    return _normalize(subject) in {_normalize(s) for s in rules.subjects}


def read_form(
    subject: str | None, text_plain: str | None, text_html: str | None, rules: FormRules
) -> FormReading | None:
    """Read the request form in a message, or return None if it is not a form.

    The plain-text part is read unless the HTML part contains more of the
    form's labels, because some sites send a plain part without the answers.
    """
    plain_answers = extract_answers(text_plain or "", rules)
    answers = plain_answers
    if text_html:
        html_answers = extract_answers(_html_form_text(text_html), rules)
        if len(html_answers) > len(plain_answers):
            answers = html_answers

    if not _is_form(subject, len(answers), rules):
        return None

    return _check_answers(answers, rules)


def _check_answers(answers: dict[str, str], rules: FormRules) -> FormReading:
    placeholders = {_normalize(placeholder) for placeholder in rules.empty_placeholders}
    fields: dict[str, str] = {}
    missing: list[str] = []
    invalid: list[str] = []

    for field in rules.fields:
        value = _clean_answer(answers.get(field.key, ""), field.kind, placeholders)
        fields[field.key] = value
        if not value:
            if field.required:
                missing.append(field.label)
            continue

        problem = _find_problem(field, value)
        if problem is not None:
            invalid.append(problem)

    return FormReading(fields, tuple(missing), tuple(invalid))


def _clean_answer(answer: str, kind: str, placeholders: set[str]) -> str:
    if _normalize(answer) in placeholders:
        return ""

    if kind == "name":
        return " ".join(answer.split())

    if kind == "email":
        address = answer.strip()
        if address.startswith("<") and address.endswith(">"):
            address = address[1:-1].strip()
        if address.casefold().startswith("mailto:"):
            address = address[len("mailto:"):].strip()
        return address

    return answer


def _find_problem(field: FieldRule, value: str) -> str | None:
    one_line_value = " ".join(value.split())
    if field.kind == "email" and not _EMAIL_ADDRESS.fullmatch(value):
        return f'{field.label} "{one_line_value}" is not a valid email address'

    if field.kind == "name" and _EMAIL_ADDRESS.fullmatch(value):
        return f'{field.label} "{one_line_value}" is an email address, not a name'

    return None


# Finding labels and answers in text


@dataclass(frozen=True)
class _Line:
    """One line of text with its normalised form for matching labels.

    ``offsets[i]`` is the index in ``text`` of the character that produced
    ``normalized[i]``.
    """

    text: str
    normalized: str
    offsets: tuple[int, ...]

    def text_column(self, position: int) -> int:
        if position < len(self.offsets):
            return self.offsets[position]
        return len(self.text)


@dataclass(frozen=True)
class _LabelMatch:
    key: str
    line: int
    answer_line: int
    answer_column: int


def extract_answers(text: str, rules: FormRules) -> dict[str, str]:
    """Return the answer after each form label found in text, keyed by field key.

    Fields whose label is not found are left out. Answers are as typed, with
    line breaks kept, trailing spaces and blank edge lines removed, and common
    indentation removed. Placeholders are not yet replaced by "".
    """
    lines = [_normalize_line(line) for line in text.splitlines()]
    matches = _find_labels(lines, rules)

    answers: dict[str, str] = {}
    for number, match in enumerate(matches):
        end = matches[number + 1].line if number + 1 < len(matches) else len(lines)
        answers[match.key] = _answer_text(lines, match, end)

    return answers


def _find_labels(lines: list[_Line], rules: FormRules) -> list[_LabelMatch]:
    wordings = sorted(
        ((_label_core(wording), field.key) for field in rules.fields for wording in (field.label, *field.aliases)),
        key=lambda pair: len(pair[0]),
        reverse=True,
    )
    matches: list[_LabelMatch] = []
    keys_found: set[str] = set()

    index = 0
    while index < len(lines):
        match = _match_label_at(lines, index, wordings, keys_found)
        if match is None:
            index += 1
            continue

        matches.append(match)
        keys_found.add(match.key)
        index = match.answer_line + 1

    return matches


def _match_label_at(
    lines: list[_Line], index: int, wordings: list[tuple[str, str]], keys_found: set[str]
) -> _LabelMatch | None:
    # Joining with "\n" keeps line breaks visible while the flat copy, of the
    # same length, lets a label that wraps onto the next line match.
    window = "\n".join(line.normalized for line in lines[index:index + _MAX_LABEL_LINES])
    flat_window = window.replace("\n", " ")

    for core, key in wordings:
        # A field that already has a label is not matched again, so an answer
        # line that repeats an earlier label stays part of the answer.
        if key in keys_found or not flat_window.startswith(core):
            continue

        answer_start = _find_answer_start(window, len(core))
        if answer_start is None:
            continue

        answer_line = index + window.count("\n", 0, answer_start)
        line_start = window.rfind("\n", 0, answer_start) + 1
        answer_column = lines[answer_line].text_column(answer_start - line_start)
        return _LabelMatch(key, index, answer_line, answer_column)

    return None


def _find_answer_start(window: str, position: int) -> int | None:
    """Return where the answer starts after a label ending at position, or None.

    A label may be followed by bracketed notes such as "(required)", which may
    wrap onto later lines, and by "*". Then either a colon ends the label or the
    line ends. Any other text means the line is an answer that only begins with
    the label's words, such as "School context is ...".
    """
    position = _skip_spaces(window, position)
    while window.startswith(("(", "*"), position):
        if window[position] == "*":
            position = _skip_spaces(window, position + 1)
            continue

        closing = window.find(")", position)
        if closing == -1:
            return None
        position = _skip_spaces(window, closing + 1)

    if window.startswith(":", position):
        return position + 1

    if position == len(window) or window[position] == "\n":
        return position

    return None


def _skip_spaces(text: str, position: int) -> int:
    while position < len(text) and text[position] == " ":
        position += 1
    return position


def _answer_text(lines: list[_Line], match: _LabelMatch, end: int) -> str:
    first_line = lines[match.answer_line].text[match.answer_column:].strip()
    answer_lines = [first_line]

    # A "--" line is the signature separator before a form plugin's footer,
    # so the answer stops there.
    for line in lines[match.answer_line + 1:end]:
        if line.text.rstrip() == "--":
            break
        answer_lines.append(line.text.rstrip())

    while answer_lines and not answer_lines[0]:
        answer_lines.pop(0)
    while answer_lines and not answer_lines[-1]:
        answer_lines.pop()

    return textwrap.dedent("\n".join(answer_lines))


# Normalising text for matching


def _normalize(text: str) -> str:
    return _normalize_line(text).normalized


def _normalize_line(text: str) -> _Line:
    """Apply NFKC, straighten curly quotes, casefold and collapse whitespace to single spaces."""
    characters: list[str] = []
    offsets: list[int] = []

    for start, cluster in _grapheme_clusters(text):
        for character in unicodedata.normalize("NFKC", cluster).translate(_CURLY_QUOTES).casefold():
            if character.isspace():
                if not characters or characters[-1] == " ":
                    continue
                character = " "
            characters.append(character)
            offsets.append(start)

    if characters and characters[-1] == " ":
        characters.pop()
        offsets.pop()

    return _Line(text, "".join(characters), tuple(offsets))


def _grapheme_clusters(text: str) -> Iterator[tuple[int, str]]:
    """Yield each base character with its combining marks, and its index in text.

    NFKC runs on these clusters rather than on single characters, so that a
    decomposed "e" + U+0301 still becomes the "é" of a label.
    """
    start = 0
    for index in range(1, len(text) + 1):
        if index == len(text) or not unicodedata.combining(text[index]):
            yield start, text[start:index]
            start = index


def _label_core(wording: str) -> str:
    """Return a label's normalised words without its trailing colon, "*" and bracketed note."""
    core = _normalize(wording).rstrip(" :*")
    return _TRAILING_NOTE.sub("", core).rstrip(" :*")


# Converting HTML to text


_BLOCK_TAGS = frozenset(
    {"address", "article", "aside", "dd", "div", "dl", "dt", "footer", "header", "hr",
     "li", "ol", "pre", "section", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "ul"}
)
_PARAGRAPH_TAGS = frozenset({"blockquote", "h1", "h2", "h3", "h4", "h5", "h6", "p"})
_SKIPPED_TAGS = frozenset({"head", "script", "style", "template", "title"})
_HTML_WHITESPACE = re.compile(r"[ \t\r\n\f]+")


class _HtmlTextParser(HTMLParser):
    """Collect an HTML document's text, with line breaks where a browser would show them.

    Each cell, row and block starts and ends a line, each paragraph is set off
    by a blank line, and each <br> adds a line break.
    """

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.has_table = False
        self._pieces: list[str] = []
        self._table_pieces: list[str] = []
        self._table_depth = 0
        self._skip_depth = 0
        self._trailing_newlines = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # An unclosed <head> ends where <body> starts.
        if tag == "body":
            self._skip_depth = 0
        if tag in _SKIPPED_TAGS:
            self._skip_depth += 1
            return

        if tag == "table":
            self.has_table = True
            self._table_depth += 1
        self._break_for(tag)

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIPPED_TAGS:
            self._skip_depth = max(0, self._skip_depth - 1)
            return

        if tag != "br":
            self._break_for(tag)
        if tag == "table":
            self._table_depth = max(0, self._table_depth - 1)

    def handle_data(self, data: str) -> None:
        if not self._skip_depth:
            self._write(_HTML_WHITESPACE.sub(" ", data.replace("\xa0", " ")))

    def text(self) -> str:
        return _tidy_lines("".join(self._pieces))

    def table_text(self) -> str:
        return _tidy_lines("".join(self._table_pieces))

    def _break_for(self, tag: str) -> None:
        if tag == "br":
            self._write("\n")
        elif tag in _PARAGRAPH_TAGS:
            self._end_lines(2)
        elif tag in _BLOCK_TAGS:
            self._end_lines(1)

    def _end_lines(self, count: int) -> None:
        while self._trailing_newlines < count:
            self._write("\n")

    def _write(self, text: str) -> None:
        self._pieces.append(text)
        if self._table_depth:
            self._table_pieces.append(text)

        # Spaces between tags do not end a line, so they leave the count alone.
        if text == "\n":
            self._trailing_newlines += 1
        elif text.strip(" "):
            self._trailing_newlines = 0


def html_to_text(html: str) -> str:
    """Convert HTML to plain text, with a line per table cell, row or block.

    Paragraphs are set off by blank lines and <br> becomes a line break.
    Entities are decoded, the text of <head>, <script> and <style> is dropped,
    each line is stripped and runs of blank lines are reduced to one.
    """
    parser = _HtmlTextParser()
    parser.feed(html)
    parser.close()
    return parser.text()


def _html_form_text(html: str) -> str:
    # Form plugins put the fields in a table and the site's footer after it, so
    # when there is a table only its text is read.
    parser = _HtmlTextParser()
    parser.feed(html)
    parser.close()
    return parser.table_text() if parser.has_table else parser.text()


def _tidy_lines(text: str) -> str:
    lines: list[str] = []
    for line in text.split("\n"):
        line = line.strip()
        if line or (lines and lines[-1]):
            lines.append(line)

    while lines and not lines[-1]:
        lines.pop()

    return "\n".join(lines)
