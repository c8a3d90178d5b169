"""The expected reading of each complete form fixture in tests/data/forms."""

from __future__ import annotations

FIELD_KEYS = (
    "requester_name",
    "requester_email",
    "headteacher_name",
    "headteacher_email",
    "school",
    "visiting_teacher_name",
    "visiting_teacher_email",
    "initiated_by",
    "context",
    "reason",
    "objectives",
)

EXPECTED_FIELDS: dict[str, dict[str, str]] = {
    "plain-cf7.eml": {
        "requester_name": "Marcus Webb",
        "requester_email": "m.webb@hollybank-ce.example",
        "headteacher_name": "Mrs Zo\u00eb Lindqvist",
        "headteacher_email": "head@hollybank-ce.example",
        "school": "Hollybank Church of England Primary School",
        "visiting_teacher_name": "Marcus Webb",
        "visiting_teacher_email": "m.webb@hollybank-ce.example",
        "initiated_by": "Visiting teacher request, supported by\nour deputy head",
        "context": (
            "One-form entry village school, 196 pupils, mixed Year 5/6 class of 31.\n"
            "Many pupils joined mid-year and 22% are on the SEND register."
        ),
        "reason": (
            "I\u2019m in my\n"
            "third year of teaching and writing in my class is well below the school\u2019s target.\n"
            "\n"
            "I would like to see how a strong Year 6 teacher models writing live."
        ),
        "objectives": (
            "See shared writing modelled from plan to draft\n"
            'Learn how the PST uses "magpie" walls and success criteria\n'
            "Agree two strategies to trial with my class before half term"
        ),
    },
    "html-table.eml": {
        "requester_name": "Ms Grace Adeyemi-Hart",
        "requester_email": "head@fernhill-community.test",
        "headteacher_name": "",
        "headteacher_email": "",
        "school": "Fernhill Community School",
        "visiting_teacher_name": "Rory McAllister",
        "visiting_teacher_email": "r.mcallister@fernhill-community.test",
        "initiated_by": "Joint idea \u2013 Rory asked and I agreed it fits our improvement plan",
        "context": (
            "Years 7\u201311 comprehensive, 1,050 pupils.\n"
            "Maths department of nine, two of them in their first year."
        ),
        "reason": (
            "Our Year 9 sets rely on \u2018I do, we do, you do\u2019 "
            "but pupils rarely explain their thinking."
        ),
        "objectives": (
            "1. Watch \u201cthink\u2013pair\u2013share\u201d used in a Year 9 maths lesson\n"
            "2. Discuss how the PST plans hinge questions\n"
            "3. Agree a follow-up visit for Rory\u2019s department"
        ),
    },
    "html-only.eml": {
        "requester_name": "Priya Chaudhry",
        "requester_email": "p.chaudhry@moorside-juniors.example",
        "headteacher_name": "Mr Owen Pritchard",
        "headteacher_email": "o.pritchard@moorside-juniors.example",
        "school": "Moorside Junior School",
        "visiting_teacher_name": "Hannah Szabo",
        "visiting_teacher_email": "h.szabo@moorside-juniors.example",
        "initiated_by": "Headteacher suggestion",
        "context": "Four-form entry junior school in a market town.\n\nHannah teaches Year 3 & leads PE.",
        "reason": (
            "Year 3 pupils lose a lot of time moving between activities, "
            "and Hannah\u2019s new to the year group."
        ),
        "objectives": (
            "See a Year 3 class move between activities with little lost time\n"
            "Discuss routines for handing out equipment\n"
            'Plan a "quiet start" routine for after lunch'
        ),
    },
    "labels-without-required.eml": {
        "requester_name": "Kwame Mensah",
        "requester_email": "K.Mensah@st-aidans.test",
        "headteacher_name": "Mrs Si\u00e2n Roberts",
        "headteacher_email": "",
        "school": "St Aidan's RC Primary School",
        "visiting_teacher_name": "",
        "visiting_teacher_email": "",
        "initiated_by": (
            "Joint idea\n"
            "School context was discussed at my appraisal and we agreed the visit together."
        ),
        "context": "Small rural primary, 84 pupils in four mixed-age classes.",
        "reason": (
            "I teach Reception and Year 1 together and want to see phonics taught\n"
            "to two year groups at once."
        ),
        "objectives": (
            "- watch a phonics lesson in a mixed Reception/Year 1 class\n"
            "- discuss how the PST groups pupils and keeps the pace up\n"
            "    (especially for the youngest)"
        ),
    },
}
