"""Realistic inbound mail for the benchmarks.

Most messages are the corpus's own (tests/corpus/): request forms, replies
with quoted history from many mail programs, staff commands, automatic
replies and bounces, each rewritten for one clone of the corpus's cases
(bench/world.py) and given a Message-ID of its own. The rest are written
here. A PST's reply with a session plan of 50 to 500 KB attached makes up
the backlog's share of large messages, and the memory benchmark uses the
same reply with a 25 MB plan. The latency benchmark uses a host
headteacher's YES.
"""

from __future__ import annotations

import random
import re
import tomllib
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from pathlib import Path

from bench.world import CORPUS_TOKENS, CorpusInstance

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "corpus"
BOT = "STAR Teaching School Alliance <pst@star-tsa.example>"

# Shares of the backlog, in percent. "plan" is the PST's reply with a 50-500 KB file.
BACKLOG_SHARES = (("reply", 35), ("form", 15), ("automatic", 15), ("bounce", 15), ("staff", 10), ("plan", 10))
PLAN_SIZE_RANGE_BYTES = (50_000, 500_000)
# Clones share their PSTs through this many pools, so the register has 40 PSTs, as a real alliance's might.
PST_SLOTS = 20
HEADER_END = re.compile(rb"\r?\n\r?\n")
MESSAGE_ID_HEADER = re.compile(rb"^Message-ID:[ \t]*[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class CorpusTemplate:
    path: Path
    raw: bytes
    # "processed" or "attention": where the corpus expects the message to end up.
    expected: str


@dataclass(frozen=True)
class BenchMessage:
    raw: bytes
    category: str
    expected: str
    source: str


def corpus_templates() -> dict[str, list[CorpusTemplate]]:
    """Return the corpus's messages grouped into the backlog's categories (every category but "plan")."""
    groups: dict[str, list[CorpusTemplate]] = {"reply": [], "form": [], "automatic": [], "bounce": [], "staff": []}
    for path in sorted(CORPUS.glob("*/*.eml")):
        expectation = tomllib.loads(path.with_suffix(".toml").read_text(encoding="utf-8"))
        groups[_category(path)].append(CorpusTemplate(path, path.read_bytes(), expectation["outcome"]))
    return groups


def _category(path: Path) -> str:
    folder, name = path.parent.name, path.stem
    if name.startswith(("staff_", "staff-")):
        return "staff"
    return {"forms": "form", "automatic": "automatic", "bounces": "bounce"}.get(folder, "reply")


def backlog_messages(count: int, seed: int = 2027) -> list[BenchMessage]:
    """Return ``count`` messages in the backlog's mix, in a shuffled order; message ``i`` uses corpus clone ``i``.

    Callers build at least ``count`` clones (bench/world.py) with PST_SLOTS pools.
    """
    rng = random.Random(seed)
    templates = corpus_templates()
    categories = _category_sequence(count, rng)
    position = {category: 0 for category in templates}
    messages = []
    for index, category in enumerate(categories):
        instance = instance_for(index)
        if category == "plan":
            size = rng.randint(*PLAN_SIZE_RANGE_BYTES)
            messages.append(BenchMessage(plan_reply(instance, size, rng), "plan", "processed", f"generated plan, {size} bytes"))
            continue
        group = templates[category]
        template = group[position[category] % len(group)]
        position[category] += 1
        raw = with_message_id(instance.localize(template.raw), f"<bench-{index}.{template.path.stem}@mail.school-i{index}.example>")
        messages.append(BenchMessage(raw, category, template.expected, str(template.path.relative_to(CORPUS))))
    return messages


def _category_sequence(count: int, rng: random.Random) -> list[str]:
    """Return ``count`` category names in the backlog's shares, shuffled; every share is rounded down, replies take the rest."""
    sequence = [category for category, share in BACKLOG_SHARES for _ in range(count * share // 100)]
    sequence += ["reply"] * (count - len(sequence))
    rng.shuffle(sequence)
    return sequence


def instance_for(index: int) -> CorpusInstance:
    """Return clone ``index`` of the corpus's cases; its PSTs come from one of PST_SLOTS shared pools."""
    return CorpusInstance(index, index % PST_SLOTS)


def with_message_id(raw: bytes, message_id: str) -> bytes:
    """Replace the Message-ID in the header of ``raw`` (or add one), leaving the body and any quoted message alone."""
    match = HEADER_END.search(raw)
    header_end = match.start() if match else len(raw)
    header, body = raw[:header_end], raw[header_end:]
    line = b"Message-ID: " + message_id.encode()
    if MESSAGE_ID_HEADER.search(header):
        header = MESSAGE_ID_HEADER.sub(lambda _: line, header, count=1)
    else:
        header = header + b"\r\n" + line
    return header + body


def plan_reply(instance: CorpusInstance, size_bytes: int, rng: random.Random, *, filename: str | None = None) -> bytes:
    """Return the PST's reply to the session plan request of the clone's scheduled case, with a plan of ``size_bytes`` attached.

    The file is a PDF header followed by random bytes, so it does not
    compress, as a scanned plan does not.
    """
    reference = instance.reference(2)
    request_id = f"<{reference}.{instance.token(CORPUS_TOKENS[4])}@star-tsa.example>"
    subject = f"[{reference}] Session plan needed by 14/01/2027 for the visit on 18/01/2027"
    message = EmailMessage(policy=SMTP)
    message["From"] = f"Tom Reid <{instance.address('t.reid@willowbank-primary.example')}>"
    message["To"] = BOT
    message["Subject"] = f"RE: {subject}"
    message["Date"] = "Mon, 11 Jan 2027 08:41:12 +0000"
    message["Message-ID"] = f"<plan-{instance.index}-{size_bytes}@exch01.willowbank-primary-p{instance.slot}.example>"
    message["In-Reply-To"] = request_id
    message["References"] = request_id
    message.set_content(
        "Hi both,\n\nPlease find my session plan for the visit attached. Rory, do bring a copy of your "
        "class's last two maths books if you can.\n\nBest wishes,\nTom\n\n"
        "Tom Reid | Peer Support Teacher | Willowbank Primary School\n\n"
        "________________________________\n"
        f"From: {BOT}\nSent: 07 January 2027 08:00\nTo: Tom Reid\nSubject: {subject}\n\n"
        "Dear Tom,\n\nPlease reply to this email with the session plan for the visit on Monday 18/01/2027 (morning) "
        "attached, by Thursday 14/01/2027.\n\nSTAR Teaching School Alliance\n"
    )
    data = b"%PDF-1.7\n" + rng.randbytes(max(size_bytes - 9, 0))
    message.add_attachment(data, maintype="application", subtype="pdf", filename=filename or f"Session plan {reference}.pdf")
    return message.as_bytes()


def consent_reply(instance: CorpusInstance, sequence: int) -> bytes:
    """Return the host headteacher's YES to the consent request of the clone's case awaiting consent, as Outlook writes it."""
    reference = instance.reference(1)
    request_id = f"<{reference}.{instance.token(CORPUS_TOKENS[2])}@star-tsa.example>"
    subject = f"[{reference}] Please consent to a PST visit to Priya Anand"
    lines = [
        f"From: Luke Barnes <{instance.address('head@northgate-high.example')}>",
        f"To: {BOT}",
        f"Subject: RE: {subject}",
        "Date: Mon, 11 Jan 2027 09:12:40 +0000",
        f"Message-ID: <consent-{sequence}-{instance.index}@mail.northgate-high-p{instance.slot}.example>",
        f"In-Reply-To: {request_id}",
        f"References: {request_id}",
        "MIME-Version: 1.0",
        "Content-Type: text/plain; charset=utf-8",
        "",
        "Yes, happy for Priya to host the visit.",
        "",
        "Luke",
        "",
        "________________________________",
        f"From: {BOT}",
        "Sent: 08 January 2027 08:00",
        "To: Luke Barnes",
        f"Subject: {subject}",
        "",
        "Dear Mr Barnes,",
        "",
        "Fernhill Community School has asked for a visit from Priya Anand. Please reply to this email with YES "
        "to consent to the visit, or NO if it cannot go ahead.",
        "",
    ]
    return "\r\n".join(lines).encode()
