"""The words of the generated corpus: how people answer, what machines and carriers say."""

from __future__ import annotations

import random

NAMES = (
    "Maria",
    "Tom",
    "Sarah",
    "David",
    "Aisha",
    "Kevin",
    "Linda",
    "Jorge",
    "Emily",
    "Raj",
    "Claire",
    "Mohammed",
    "Anna",
    "Peter",
    "Grace",
    "Sam",
)

SHORT_HELLOS = (
    "Hello?",
    "Hello.",
    "Hi.",
    "Yeah?",
    "Yes?",
    "Hi there.",
    "Hello!",
    "Yello?",
    "Hey.",
    "Speaking.",
)
NAMED_HELLOS = (
    "Hi, this is {name}.",
    "Hello, {name} speaking.",
    "{name} here.",
    "Hello, this is {name}.",
    "Yes, {name}.",
    "Hey, it's {name}.",
)
QUESTION_HELLOS = (
    "Hello, who's calling?",
    "Yes, who is this?",
    "Hello? Who is it?",
    "Hi, can I help you?",
    "Hello, yes?",
    "Who's this?",
)
AGAIN = ("Hello?", "Hello? Anyone there?", "Hello?", "Yes?", "Hello, who is this?")

PERSONAL_GREETINGS = (
    (
        "Hi, you've reached the voicemail of {name}.",
        "I can't come to the phone right now.",
        "Please leave a message after the tone.",
    ),
    (
        "Hello, this is {name}.",
        "Sorry I missed your call.",
        "Leave your name and number and I'll get back to you as soon as I can.",
    ),
    (
        "Hi, it's {name}.",
        "I'm either away from my desk or on another call.",
        "Please leave a message and I will call you back.",
    ),
    (
        "You've reached {name} and family.",
        "We're not home right now, but your call is important to us.",
        "Leave a message at the beep.",
    ),
)
CARRIER_GREETINGS = (
    ("The person you are calling is not available.", "Please leave a message after the tone."),
    (
        "You have reached {digits}.",
        "Please leave your message after the beep.",
        "When you have finished recording, you may hang up.",
    ),
    (
        "The wireless customer you are calling is not available.",
        "At the tone, please record your message.",
    ),
    (
        "Your call has been forwarded to an automated voice messaging system.",
        "{digits} is not available.",
    ),
)
SHORT_GREETINGS = (
    ("Hey, it's {name}, leave a message.",),
    ("{name}. Leave a message.",),
    ("Hi, leave a message.",),
)
# A greeting that imitates a person: the classic way to fool answering-machine detection.
TRICK_GREETINGS = (("Hello?", "Ha, got you, I'm not here right now, leave a message."),)

ANNOUNCEMENTS = (
    "We're sorry, the number you have dialed is not in service. Please check the number and "
    "dial again.",
    "The number you have called has been disconnected or is no longer in service.",
    "All circuits are busy now. Please try your call again later.",
    "The subscriber you have dialed is not available. Please try again later.",
)


def _fill(rng: random.Random, template: str) -> str:
    digits = " ".join(str(rng.randint(0, 9)) for _ in range(7))
    return template.format(name=rng.choice(NAMES), digits=digits)


def human_line(rng: random.Random) -> tuple[str, str]:
    """How a person picks up: the category and the words."""
    roll = rng.random()
    if roll < 0.45:
        return "hello", rng.choice(SHORT_HELLOS)
    if roll < 0.75:
        return "named-hello", _fill(rng, rng.choice(NAMED_HELLOS))
    return "question-hello", rng.choice(QUESTION_HELLOS)


def again(rng: random.Random) -> str:
    return rng.choice(AGAIN)


def machine_greeting(rng: random.Random) -> tuple[str, tuple[str, ...]]:
    """A voicemail greeting as sentences (spoken with short pauses between them)."""
    roll = rng.random()
    lines: tuple[str, ...]
    if roll < 0.5:
        category, lines = "personal", rng.choice(PERSONAL_GREETINGS)
    elif roll < 0.85:
        category, lines = "carrier", rng.choice(CARRIER_GREETINGS)
    elif roll < 0.95:
        category, lines = "short", rng.choice(SHORT_GREETINGS)
    else:
        category, lines = "trick", rng.choice(TRICK_GREETINGS)
    return category, tuple(_fill(rng, line) for line in lines)


def announcement(rng: random.Random) -> str:
    return rng.choice(ANNOUNCEMENTS)
