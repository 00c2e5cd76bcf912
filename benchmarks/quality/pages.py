"""News pages: outlets with their boilerplate (menus, Most Popular, comments, footers) and a page
builder that records the character span of every article paragraph it places."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

Span = tuple[int, int]

FIRST_NAMES = ("Anna", "Marek", "Sofia", "James", "Leila", "Tomas", "Grace", "Ivan", "Nadia", "Omar",
               "Elena", "Daniel", "Priya", "Lukas", "Maria", "Kwame", "Hannah", "Yusuf", "Chloe", "Pavel")
LAST_NAMES = ("Novak", "Okafor", "Lindqvist", "Moreau", "Haddad", "Kowalski", "Brennan", "Sato", "Ferreira",
              "Petrov", "Adeyemi", "Schulz", "Rossi", "Nakamura", "Costa", "Ibrahim", "Walsh", "Dubois")
ROLES = ("a spokesperson for", "a senior analyst at", "the director of", "a researcher at", "a lawyer for",
         "an adviser to", "the chair of", "who heads", "a board member of", "an economist with", "a press officer at",
         "the deputy head of", "a founding member of", "an auditor working for")
ORGS = ("the Ministry of Finance", "the City Council", "the Open Data Institute", "the Harbour Authority",
        "the National Rail Union", "the Regional Health Board", "the Consumer Rights League",
        "the Federal Audit Office", "the Institute for Public Policy", "the Software Freedom Trust",
        "Greenway Logistics", "the Coastal Fisheries Council", "Northbridge University", "the Tenants’ Association",
        "the Airport Operators Group", "Helix Pharmaceuticals", "the Water Board", "the Teachers’ Federation",
        "Bright Energy", "the Museum of Modern Design", "the Farmers’ Cooperative", "the Chamber of Commerce")
CITIES = ("BRUSSELS", "NAIROBI", "LISBON", "TORONTO", "WARSAW", "OSAKA", "DUBLIN", "LAGOS", "MELBOURNE",
          "ZURICH", "CHICAGO", "MUMBAI")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
COOKIE_NOTICES = (
    "Our partners and we store and access information on your device, such as cookies, to measure "
    "audiences and personalise content. You can change your choices at any time.",
    "Cookies help us deliver our services. By using our services, you agree to our use of cookies "
    "as described in our cookie policy.",
    "We use cookies to improve your experience on our site and to show you relevant advertising. "
    "By continuing to browse, you agree to our use of cookies.",
    "This website uses cookies to ensure you get the best experience. Read our privacy policy to learn "
    "more about how we handle your data.",
)
WIRE_NOTICE = ("Copyright {year} The Associated Wire. All rights reserved. This material may not be "
               "published, broadcast, rewritten or redistributed.")


TAGLINES = (
    "{name} is a reader-funded newsroom. Support our work and help keep our reporting free for everyone.",
    "Independent since 1921, {name} answers to its readers alone; become a member from three pounds a month.",
    "Got a tip? Contact our investigations desk securely; we protect our sources and never share your details.",
    "{name} is part of the Horizon Media Group, which publishes forty regional titles across the country.",
    "Our journalists follow the editors’ code of practice; complaints go to the independent standards board.",
)
NEWSLETTERS = (
    "Sign up for the {name} newsletter to get the day’s top stories delivered to your inbox every morning.",
    "Get our free briefing: the five things you need to know, every weekday at seven.",
    "Want more stories like this one? Follow us on social media and never miss an update.",
    "Download the app for breaking news alerts, offline reading and the daily crossword.",
)
SHARES = ("Share this article: Facebook · X · Email · Print", "Share", "Copy link | Email | WhatsApp",
          "Tweet this story or send it to a friend", "Save for later")


@dataclass(frozen=True)
class Outlet:
    name: str
    menu: tuple[str, ...]
    tagline: str
    newsletter: str
    cookie: str
    share: str

    def header(self) -> str:
        return self.name + "\n" + " | ".join(self.menu)

    def footer(self, year: int) -> list[str]:
        return [self.newsletter, self.tagline, self.cookie,
                f"© {year} {self.name}. All rights reserved. | Privacy | Terms | Contact"]


def make_outlets(rng: random.Random) -> list[Outlet]:
    names = ("The Daily Ledger", "Northern Courier", "Metro Dispatch", "The Civic Herald", "Riverside Post",
             "Global Bulletin", "The Evening Mirror", "Coastal Times", "Capital Observer", "The Plain Report")
    sections = ("Home", "World", "Politics", "Business", "Tech", "Science", "Sport", "Culture", "Opinion",
                "Video", "Podcasts", "Weather")
    outlets = []
    for i, name in enumerate(names):
        menu = tuple(rng.sample(sections, rng.randint(5, 9)))
        tagline = TAGLINES[i % len(TAGLINES)].format(name=name)
        newsletter = NEWSLETTERS[i % len(NEWSLETTERS)].format(name=name)
        share = SHARES[i % len(SHARES)]
        outlets.append(Outlet(name, menu, tagline, newsletter, COOKIE_NOTICES[i % len(COOKIE_NOTICES)], share))
    return outlets


def person(rng: random.Random) -> tuple[str, str]:
    """A name and its role, e.g. ``("Anna Novak", "a spokesperson for the City Council")``."""
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}", f"{rng.choice(ROLES)} {rng.choice(ORGS)}"


def date(rng: random.Random) -> str:
    return f"{rng.choice(MONTHS)} {rng.randint(1, 28)}, {rng.randint(2016, 2024)}"


def headline(sentence: str, rng: random.Random) -> str:
    """A headline from a sentence: its first 6 to 10 words in title case, no full stop."""
    words = sentence.rstrip(".").split()[: rng.randint(6, 10)]
    small = {"a", "an", "the", "of", "in", "on", "to", "and", "or", "for", "is", "at", "by"}
    titled = [w if (w.lower() in small and k) else w[:1].upper() + w[1:] for k, w in enumerate(words)]
    return " ".join(titled).rstrip(",;:")


@dataclass
class Page:
    """Text assembled block by block; blocks given ``keys`` have their spans recorded."""

    parts: list[str] = field(default_factory=list)
    length: int = 0
    spans: list[tuple[tuple[int, ...], Span]] = field(default_factory=list)

    def add(self, text: str, keys: tuple[int, ...] = (), sep: str = "\n\n") -> Span:
        if self.parts:
            self.parts.append(sep)
            self.length += len(sep)
        start = self.length
        self.parts.append(text)
        self.length += len(text)
        if keys:
            self.spans.append((keys, (start, self.length)))
        return start, self.length

    def text(self) -> str:
        return "".join(self.parts) + "\n"

    def span_of(self, key: int) -> list[Span]:
        return [span for keys, span in self.spans if key in keys]


def most_popular(page: Page, headlines: list[str], rng: random.Random) -> None:
    picks = rng.sample(headlines, min(5, len(headlines)))
    if rng.random() < 0.5:
        page.add("Most Popular\n" + "\n".join(f"{k}. {h}" for k, h in enumerate(picks, 1)))
    else:
        page.add("Most Popular")
        for h in picks:
            page.add(h)


def comments(page: Page, texts: list[str], rng: random.Random) -> None:
    page.add(f"Comments ({len(texts)})")
    for text in texts:
        user = f"{rng.choice(FIRST_NAMES).lower()}{rng.randint(10, 999)}"
        page.add(f"{user} · {rng.randint(1, 23)} hours ago\n{text}\nReply · Like ({rng.randint(0, 40)})")
