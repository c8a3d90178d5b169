"""Tests for reading the PST request form out of an email's text parts."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import mailparser
import pytest

from form_samples import EXPECTED_FIELDS, FIELD_KEYS

from mailbot.form import (
    FormReading,
    FormRules,
    extract_answers,
    html_to_text,
    load_form_rules,
    looks_like_form,
    read_form,
)

FORMS = Path(__file__).parent / "data" / "forms"
RULES_PATH = Path(__file__).parents[1] / "rules" / "form.toml"

ALL_FIXTURES = (
    *EXPECTED_FIELDS,
    "missing-email.eml",
    "invalid-email.eml",
    "not-a-form.eml",
)


@pytest.fixture(scope="module")
def rules() -> FormRules:
    return load_form_rules(RULES_PATH)


def read_parts_with_email_package(name: str) -> tuple[str | None, str | None, str | None]:
    """Return the subject, plain-text part and HTML part of a fixture, read with the stdlib."""
    message = message_from_bytes((FORMS / name).read_bytes(), policy=policy.default)
    assert isinstance(message, EmailMessage)

    plain_part = message.get_body(preferencelist=("plain",))
    html_part = message.get_body(preferencelist=("html",))
    plain = plain_part.get_content() if plain_part is not None else None
    html = html_part.get_content() if html_part is not None else None
    return message["Subject"], plain, html


def read_parts_with_mailparser(name: str) -> tuple[str | None, str | None, str | None]:
    """Return the subject, plain-text parts and HTML parts of a fixture, read with mail-parser."""
    parsed = mailparser.parse_from_bytes((FORMS / name).read_bytes())
    plain = "\n".join(parsed.text_plain) or None
    html = "\n".join(parsed.text_html) or None
    return parsed.subject, plain, html


def read_fixture(name: str, rules: FormRules) -> FormReading | None:
    subject, plain, html = read_parts_with_email_package(name)
    return read_form(subject, plain, html, rules)


def read_text(text: str, rules: FormRules, subject: str | None = "PST Request Form") -> FormReading:
    reading = read_form(subject, text, None, rules)
    assert reading is not None
    return reading


# Complete forms


@pytest.mark.parametrize("key", FIELD_KEYS)
@pytest.mark.parametrize("name", EXPECTED_FIELDS)
def test_complete_form_field(name: str, key: str, rules: FormRules) -> None:
    reading = read_fixture(name, rules)

    assert reading is not None
    assert reading.fields[key] == EXPECTED_FIELDS[name][key]


@pytest.mark.parametrize("name", EXPECTED_FIELDS)
def test_complete_form_has_no_problems(name: str, rules: FormRules) -> None:
    reading = read_fixture(name, rules)

    assert reading is not None
    assert tuple(reading.fields) == FIELD_KEYS
    assert reading.missing == ()
    assert reading.invalid == ()
    assert reading.is_complete


@pytest.mark.parametrize("name", ALL_FIXTURES)
def test_mailparser_parts_read_the_same(name: str, rules: FormRules) -> None:
    subject, plain, html = read_parts_with_mailparser(name)

    assert read_form(subject, plain, html, rules) == read_fixture(name, rules)


def test_html_part_alone_reads_the_same(rules: FormRules) -> None:
    subject, plain, html = read_parts_with_email_package("html-table.eml")
    assert plain is not None
    assert html is not None

    from_html = read_form(subject, None, html, rules)
    from_plain = read_form(subject, plain, None, rules)

    assert from_html is not None
    assert from_html.fields == EXPECTED_FIELDS["html-table.eml"]
    assert from_plain is not None
    assert from_plain.fields == EXPECTED_FIELDS["html-table.eml"]


# Incomplete forms and other messages


def test_missing_email_is_reported(rules: FormRules) -> None:
    reading = read_fixture("missing-email.eml", rules)

    assert reading is not None
    assert reading.fields["requester_name"] == "Bethan Lloyd-Ellis"
    assert reading.fields["requester_email"] == ""
    assert reading.fields["school"] == "Greystone Academy"
    assert reading.fields["visiting_teacher_email"] == ""
    assert reading.fields["objectives"] == "Observe a Year 10 history lesson that builds up to an essay."
    assert reading.missing == ("Your Email",)
    assert reading.invalid == ()
    assert not reading.is_complete


def test_invalid_emails_are_reported(rules: FormRules) -> None:
    reading = read_fixture("invalid-email.eml", rules)

    assert reading is not None
    assert reading.fields["requester_email"] == "jo.bright at brookside.test"
    assert reading.fields["visiting_teacher_email"] == "p.singh@brookside"
    assert reading.missing == ()
    assert reading.invalid == (
        'Your Email "jo.bright at brookside.test" is not a valid email address',
        'Headteacher Name (if different from above) "jo.bright@brookside.test" '
        "is an email address, not a name",
        'Email of teacher who will make the visit (so lesson plan can be shared in advance) '
        '"p.singh@brookside" is not a valid email address',
    )
    assert not reading.is_complete


def test_ordinary_email_is_not_form(rules: FormRules) -> None:
    assert read_fixture("not-a-form.eml", rules) is None


def test_changed_subject_with_labels_is_form(rules: FormRules) -> None:
    _, plain, html = read_parts_with_email_package("html-table.eml")

    reading = read_form("Visit request for Rory", plain, html, rules)

    assert reading is not None
    assert reading.fields == EXPECTED_FIELDS["html-table.eml"]


def test_missing_subject_with_labels_is_form(rules: FormRules) -> None:
    _, plain, _ = read_parts_with_email_package("plain-cf7.eml")

    reading = read_form(None, plain, None, rules)

    assert reading is not None
    assert reading.fields == EXPECTED_FIELDS["plain-cf7.eml"]


def test_label_count_threshold(rules: FormRules) -> None:
    labels = [
        "Your Name: Sam",
        "Your Email: sam@oak.test",
        "Your School Name: Oak School",
        "School Context: Small",
        "Name of teacher who will make the visit: Sam",
        "Headteacher Name: Ash",
    ]
    five_labels = "\n".join(labels[:5])
    six_labels = "\n".join(labels)

    assert not looks_like_form("A question", five_labels, rules)
    assert looks_like_form("A question", six_labels, rules)
    assert read_form("A question", five_labels, None, rules) is None
    assert read_form("A question", six_labels, None, rules) is not None


@pytest.mark.parametrize("subject", ["RE: PST Request Form", "Re: visit", "FW: PST Request Form", "Fwd: form"])
def test_reply_quoting_form_is_not_form(subject: str, rules: FormRules) -> None:
    _, plain, _ = read_parts_with_email_package("plain-cf7.eml")
    assert plain is not None
    reply = (
        "I am happy to endorse Marcus's request.\n\n"
        "From: STAR TSA Website <wordpress@star-tsa.example>\n"
        "Sent: 14 October 2026 15:22\n"
        "Subject: PST Request Form\n\n" + plain
    )

    assert read_form(subject, reply, None, rules) is None


def test_subject_only_is_form_missing_everything(rules: FormRules) -> None:
    reading = read_form("pst request form", "Sent from my iPhone\n", None, rules)

    assert reading is not None
    assert reading.fields == dict.fromkeys(FIELD_KEYS, "")
    assert reading.missing == ("Your Name", "Your Email", "Your School Name")
    assert reading.invalid == ()
    assert not reading.is_complete


def test_subject_with_no_body_is_form(rules: FormRules) -> None:
    reading = read_form("PST Support Request Form", None, None, rules)

    assert reading is not None
    assert reading.missing == ("Your Name", "Your Email", "Your School Name")


@pytest.mark.parametrize(
    ("subject", "is_form"),
    [
        ("PST Request Form", True),
        ("  pst support request form  ", True),
        ("PST  Request\tForm", True),
        ("PST Request Form - Oakfield", False),
        ("Request Form", False),
        ("", False),
    ],
)
def test_subject_matching(subject: str, is_form: bool, rules: FormRules) -> None:
    assert looks_like_form(subject, "no labels here", rules) is is_form


# Label matching


@pytest.mark.parametrize(
    "text",
    [
        "Email of teacher who will make the visit (so lesson plan can be shared in advance): al@oak.test",
        "Email of teacher who will make the visit (so lesson plan can be shared in advance):\nal@oak.test",
        "Email of teacher who will make the visit (so lesson plan can be shared in advance)\nal@oak.test",
        "Email of teacher who will make the visit: al@oak.test",
        "Email of teacher who will make the visit\nal@oak.test",
        "Email of teacher who will make the visit (so lesson plan\ncan be shared in advance)\nal@oak.test",
        "Email of teacher who will make the visit (so lesson plan\ncan be shared in advance): al@oak.test",
        "Email of teacher who will make the visit (required) *:\n\nal@oak.test",
        "Email of teacher who will make the visit *\nal@oak.test",
        "  EMAIL OF TEACHER   WHO WILL MAKE THE VISIT :   al@oak.test  ",
        "Email of visiting teacher: al@oak.test",
        "Email of teacher who will\nmake the visit: al@oak.test",
    ],
)
def test_label_variants_match(text: str, rules: FormRules) -> None:
    answers = extract_answers("Preamble line\n" + text + "\nSchool Context: rural", rules)

    assert answers == {"visiting_teacher_email": "al@oak.test", "context": "rural"}


def test_label_with_curly_apostrophe_matches_alias(rules: FormRules) -> None:
    answers = extract_answers("Headteacher\u2019s Name: Dr Ash Patel", rules)

    assert answers == {"headteacher_name": "Dr Ash Patel"}


def test_label_in_fullwidth_letters_matches(rules: FormRules) -> None:
    answers = extract_answers("\uff39\uff4f\uff55\uff52 \uff2e\uff41\uff4d\uff45: Sam Oak", rules)

    assert answers == {"requester_name": "Sam Oak"}


def test_wrapped_long_label_matches(rules: FormRules) -> None:
    text = (
        "Was this visit initiated by Headteacher suggestion, visiting teacher\n"
        "request, or a joint idea? Please specify: Joint idea\n"
    )

    assert extract_answers(text, rules) == {"initiated_by": "Joint idea"}


def test_answer_starting_with_label_words(rules: FormRules) -> None:
    text = (
        "School Context\n"
        "Small school\n"
        "School context is rural (two villages)\n"
        "School Contexts vary\n"
        "Your School Name\n"
        "Oak School\n"
    )

    answers = extract_answers(text, rules)

    assert answers["context"] == "Small school\nSchool context is rural (two villages)\nSchool Contexts vary"
    assert answers["school"] == "Oak School"


def test_repeated_label_stays_in_answer(rules: FormRules) -> None:
    text = "Your Name: Sam Oak\nSchool Context: rural\nYour Name: appears on the register\n"

    answers = extract_answers(text, rules)

    assert answers["requester_name"] == "Sam Oak"
    assert answers["context"] == "rural\nYour Name: appears on the register"


def test_longest_label_wins(rules: FormRules) -> None:
    text = "Your School Name: Oak School\nSchool Name: Elm School\n"

    answers = extract_answers(text, rules)

    assert answers == {"school": "Oak School\nSchool Name: Elm School"}


def test_text_before_first_label_is_ignored(rules: FormRules) -> None:
    text = "Subject: PST Request Form\nPlease find my request below.\n\nYour Name: Sam Oak\n"

    assert extract_answers(text, rules) == {"requester_name": "Sam Oak"}


def test_signature_footer_is_not_answer(rules: FormRules) -> None:
    text = (
        "What are the specific objectives of the visit, please state here: Observe\n"
        "  questioning\n"
        "\n"
        "-- \n"
        "This e-mail was sent from a contact form\n"
    )

    assert extract_answers(text, rules) == {"objectives": "Observe\n  questioning"}


def test_multiline_answer_layout(rules: FormRules) -> None:
    text = "School Context:\n\n    First line   \n\n      indented line\n    last line\t\n\n\nYour Name: Sam\n"

    answers = extract_answers(text, rules)

    assert answers["context"] == "First line\n\n  indented line\nlast line"


def test_name_answer_is_joined_onto_one_line(rules: FormRules) -> None:
    reading = read_text("Your Name:\nDr Ada\n   Lovelace\n", rules)

    assert reading.fields["requester_name"] == "Dr Ada Lovelace"


@pytest.mark.parametrize("placeholder", ["(empty)", "(Empty)", "N/A", "n/a", "-", "none", "None", "\u2014", "  na  "])
@pytest.mark.parametrize("layout", ["{label}: {answer}", "{label}\n{answer}"])
def test_placeholder_answer_is_empty(placeholder: str, layout: str, rules: FormRules) -> None:
    text = layout.format(label="Headteacher Name (if different from above)", answer=placeholder)
    text += "\n" + layout.format(label="Headteacher Email", answer=placeholder)

    reading = read_text(text, rules)

    assert reading.fields["headteacher_name"] == ""
    assert reading.fields["headteacher_email"] == ""
    assert reading.invalid == ()


def test_placeholder_word_inside_answer_is_kept(rules: FormRules) -> None:
    reading = read_text("Headteacher Name: Nonesuch\nSchool Context: none of the above\n", rules)

    assert reading.fields["headteacher_name"] == "Nonesuch"
    assert reading.fields["context"] == "none of the above"


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ("<al@oak.test>", "al@oak.test"),
        ("mailto:al@oak.test", "al@oak.test"),
        ("<mailto:Al.Oak@Oak-School.test>", "Al.Oak@Oak-School.test"),
        ("  al@oak.test  ", "al@oak.test"),
    ],
)
def test_email_answer_is_stripped(answer: str, expected: str, rules: FormRules) -> None:
    reading = read_text(f"Your Email: {answer}\n", rules)

    assert reading.fields["requester_email"] == expected
    assert reading.invalid == ()


@pytest.mark.parametrize(
    "answer",
    ["sam at oak.test", "sam@oak", "sam@@oak.test", "sam oak@oak.test", "@oak.test", "sam@.test", "sam@oak.t"],
)
def test_invalid_email_answer(answer: str, rules: FormRules) -> None:
    reading = read_text(f"Your Email: {answer}\n", rules)

    assert reading.invalid == (f'Your Email "{answer}" is not a valid email address',)
    assert "Your Email" not in reading.missing


def test_email_split_over_lines_is_invalid(rules: FormRules) -> None:
    reading = read_text("Your Email:\nsam@oak.test\nand ash@oak.test\n", rules)

    assert reading.invalid == ('Your Email "sam@oak.test and ash@oak.test" is not a valid email address',)


# Choosing the part to read


def test_plain_part_is_preferred(rules: FormRules) -> None:
    plain = "Your Name: Sam from plain\nYour Email: sam@oak.test\n"
    html = "<table><tr><td>Your Name</td><td>Sam from HTML</td></tr><tr><td>Your Email</td><td>sam@oak.test</td></tr></table>"

    reading = read_form("PST Request Form", plain, html, rules)

    assert reading is not None
    assert reading.fields["requester_name"] == "Sam from plain"


def test_html_part_used_when_plain_lacks_labels(rules: FormRules) -> None:
    plain = "This message is best viewed in an HTML email client.\n"
    html = "<table><tr><td>Your Name</td><td>Sam from HTML</td></tr></table>"

    reading = read_form("PST Request Form", plain, html, rules)

    assert reading is not None
    assert reading.fields["requester_name"] == "Sam from HTML"


def test_html_footer_is_not_answer(rules: FormRules) -> None:
    html = (
        "<html><body><p>New submission</p><table>"
        "<tr><td>What are the specific objectives of the visit, please state here</td>"
        "<td>Observe questioning</td></tr></table>"
        "<p>Sent by the website</p></body></html>"
    )

    reading = read_form("PST Request Form", None, html, rules)

    assert reading is not None
    assert reading.fields["objectives"] == "Observe questioning"


def test_html_without_table_is_read(rules: FormRules) -> None:
    html = "<div><p><b>Your Name:</b> Sam Oak</p><p><b>Your School Name:</b><br>Oak School</p></div>"

    reading = read_form("PST Request Form", None, html, rules)

    assert reading is not None
    assert reading.fields["requester_name"] == "Sam Oak"
    assert reading.fields["school"] == "Oak School"


# HTML to text


def test_html_to_text_cells_rows_and_breaks() -> None:
    html = (
        "<table><tr><th>Your Name</th><td>Sam\n   Oak</td></tr>"
        "<tr><td>Objectives</td><td>One<br>Two<br/>Three</td></tr></table>"
    )

    assert html_to_text(html) == "Your Name\nSam Oak\nObjectives\nOne\nTwo\nThree"


def test_html_to_text_paragraphs() -> None:
    html = "<p>First   paragraph</p><p>Second</p>\n\n<div>Third</div>"

    assert html_to_text(html) == "First paragraph\n\nSecond\n\nThird"


def test_html_to_text_decodes_entities() -> None:
    html = "<p>Years 7&ndash;11 &amp; sixth form, Aisha&#8217;s &ldquo;class&rdquo;,&nbsp;&lt;ok&gt;</p>"

    assert html_to_text(html) == "Years 7\u201311 & sixth form, Aisha\u2019s \u201cclass\u201d, <ok>"


def test_html_to_text_skips_head_and_scripts() -> None:
    html = (
        "<html><head><title>Form</title><style>td { color: red; }</style></head>"
        "<body><script>var x = 1;</script><p>Visible</p><!-- a comment --></body></html>"
    )

    assert html_to_text(html) == "Visible"


def test_html_to_text_unclosed_head() -> None:
    html = "<html><head><title>Form</title><body><p>Visible</p></body></html>"

    assert html_to_text(html) == "Visible"


# Loading the rules


def test_rules_file_fields_in_form_order(rules: FormRules) -> None:
    assert tuple(field.key for field in rules.fields) == FIELD_KEYS
    assert [field.key for field in rules.fields if field.required] == [
        "requester_name",
        "requester_email",
        "school",
    ]
    assert [field.key for field in rules.fields if field.kind == "email"] == [
        "requester_email",
        "headteacher_email",
        "visiting_teacher_email",
    ]
    assert rules.fields[6].label == (
        "Email of teacher who will make the visit (so lesson plan can be shared in advance)"
    )
    assert "PST Support Request Form" in rules.subjects
    assert "(empty)" in rules.empty_placeholders


VALID_RULES = """
subjects = ["PST Request Form"]
empty_placeholders = ["(empty)"]

[[fields]]
key = "requester_name"
label = "Your Name"
aliases = []
required = true
kind = "name"

[[fields]]
key = "school"
label = "Your School Name"
required = true
kind = "text"
"""


def test_minimal_rules_load(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text(VALID_RULES, encoding="utf-8")

    rules = load_form_rules(path)

    assert rules.subjects == ("PST Request Form",)
    assert rules.fields[1].aliases == ()


def test_half_of_labels_is_not_form(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text(VALID_RULES, encoding="utf-8")
    two_field_rules = load_form_rules(path)

    assert not looks_like_form("A question", "Your Name: Sam", two_field_rules)
    assert looks_like_form("A question", "Your Name: Sam\nYour School Name: Oak", two_field_rules)


@pytest.mark.parametrize(
    ("old", "new", "message_part"),
    [
        ('kind = "name"', 'kind = "phone"', "'kind' must be one of text, email, name, not 'phone'"),
        ("required = true\nkind = \"name\"", 'required = "yes"\nkind = "name"', "'required' must be true or false"),
        ('aliases = []', 'requred = true', "[[fields]] table 1: unknown key 'requred'"),
        ('key = "school"', 'key = "requester_name"', "field key 'requester_name' is used by more than one"),
        ('key = "school"', 'key = "School Name"', "[[fields]] table 2: 'key' must be lower-case"),
        ('label = "Your School Name"', 'label = "(required)"', "field 'school': 'label' must be"),
        ('label = "Your School Name"', 'label = "Your Name (if different)"', "matches the same text as field"),
        ("aliases = []", 'aliases = "Name"', "field 'requester_name': 'aliases' must be a list"),
        ('subjects = ["PST Request Form"]', "subjects = []", "'subjects' must not be empty"),
        ('subjects = ["PST Request Form"]', "", "'subjects' is missing"),
        ('empty_placeholders = ["(empty)"]', "empty_placeholders = [1]", "'empty_placeholders' must be a list"),
        ("[[fields]]", "[[field]]", "unknown key 'field'"),
        ('label = "Your Name"', 'label = "Your Name', "not valid TOML"),
    ],
)
def test_malformed_rules_rejected(tmp_path: Path, old: str, new: str, message_part: str) -> None:
    path = tmp_path / "form.toml"
    assert old in VALID_RULES
    path.write_text(VALID_RULES.replace(old, new, 1), encoding="utf-8")

    with pytest.raises(ValueError) as error:
        load_form_rules(path)

    assert str(path) in str(error.value)
    assert message_part in str(error.value)


def test_rules_without_fields_rejected(tmp_path: Path) -> None:
    path = tmp_path / "form.toml"
    path.write_text('subjects = ["PST Request Form"]\nempty_placeholders = []\n', encoding="utf-8")

    with pytest.raises(ValueError, match="'fields' is missing"):
        load_form_rules(path)
