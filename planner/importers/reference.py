"""The bundled reference organization: a SaaS company re-segmenting in one year.

``generate_reference(out_dir, seed=7)`` writes ``accounts.csv`` and ``people.csv``
(headers in :mod:`planner.importers.common`). Everything is drawn from one
``random.Random(seed)``, and dates come from :data:`PLAN_START`, never from today,
so the same seed always gives the same bytes.

The story the data tells:

* 1,500 customers of a fictitious SaaS company (Orbit Cloud). Sizes are drawn from a
  log-normal distribution truncated to each segment, with fixed segment quotas so
  the workload is the same for every seed: 910 Mercury (10-99 employees), 420 Mars
  (100-399), 138 Venus (400-2999), 24 Jupiter (3000+), 6 below 10 employees and
  2 without a size. ARR grows with size (about 1,150 x employees^0.7, +/- noise).
* Renewals are contract anniversaries: the first anniversary of Customer Since on
  or after the plan start, so they spread over the year after 2027-01-04, with a
  bump at quarter ends (contracts are signed at quarter end).
* About 15% of accounts are onboarding (Onboarding = Y, go-live in weeks 2-13 of
  the plan, customer for 1-5 months); a tenth more became customers in the last
  year (Mars first-year accounts need a HYBRID owner under the default coverage).
* 12 parent accounts with 36 children (mostly in the parent's segment), 12
  strategic accounts, about 10% low health (below 50), 7% with an owner change
  in the last six months, 4 locked accounts, about 8% whose CRM segment (sized on
  last year's head count) differs from the new one.
* The organization before the change is generalist: CSMs in regional pods own
  mixed books over all segments; an onboarding team of PMs and SAs works every
  onboarding account; four HYBRIDs piloted the one-owner model on some new Mars
  customers. 10 accounts have no CSM yet.
* The roster: 6 managers, 3 horizontal people (Support, CS Ops), 28 CSMs (one
  leaves on 2027-03-12 and may hand over 10 accounts a week, one new hire starts
  2027-01-11 with an empty book),
  5 PMs and 5 SAs (part-time on accounts: 0.5-0.8 FTE, they also deliver
  services), 4 HYBRIDs. Most people already have a New Team (the segment that
  keeps most of their book, within each team's workload); 3 CSMs, 1 PM and 1 SA
  are blank for the planner to propose. Five people have weeks off.
* With the default points (planner.scenario.DEFAULT_POINTS) and 100 points per
  FTE, the CSM teams are loaded at about 90% and the Mars HYBRID team is slightly
  short (about 50 points, half a person), so the plan shows one exception.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from planner.importers.common import (
    ACCOUNT_HEADER,
    PEOPLE_HEADER,
    add_months,
    anniversary_on_or_after,
    email_of,
    flag,
    iso,
    segment_of,
    write_csv,
)
from planner.scenario import DEFAULT_POINTS, DEFAULT_SEGMENTS

PLAN_START = date(2027, 1, 4)
PLAN_WEEKS = 26
DOMAIN = "orbitcloud.example"
LEAVER_LAST_DAY = date(2027, 3, 12)
NEW_HIRE_START = date(2027, 1, 11)
LEAVER_MAX_OUT = 10  # handoffs out per week for the leaver (roster column Max Out Per Week)

#: Accounts per new segment ("" = below 10 employees, None = no size at all).
SEGMENT_QUOTAS: dict[str | None, int] = {
    "Mercury": 910, "Mars": 420, "Venus": 138, "Jupiter": 24, "": 6, None: 2,
}
#: Share of onboarding accounts per segment (about 15% overall).
ONBOARDING_SHARE = {"Mercury": 0.14, "Mars": 0.15, "Venus": 0.25, "Jupiter": 0.25}
#: Extra share of non-onboarding accounts that became customers in the last year.
FIRST_YEAR_SHARE = 0.11
REGIONS: tuple[tuple[str, float], ...] = (("AMER", 0.60), ("EMEA", 0.28), ("APAC", 0.12))
#: Utilization the leader aims for when fixing team sizes.
TARGET_UTILIZATION = 0.92

_PREFIXES = (
    "Acorn", "Alder", "Amber", "Apex", "Arbor", "Aster", "Atlas", "Aurora", "Beacon", "Birch",
    "Blue Fjord", "Bramble", "Bright", "Cedar", "Cinder", "Cobalt", "Coral", "Crescent",
    "Crown", "Delta", "Drift", "Ember", "Evergreen", "Falcon", "Fern", "Flint", "Gale",
    "Garnet", "Granite", "Harbor", "Hazel", "Helix", "Horizon", "Indigo", "Iron", "Juniper",
    "Kestrel", "Lark", "Linden", "Lumen", "Maple", "Marble", "Meadow", "Meridian", "Nimbus",
    "North", "Oak", "Onyx", "Orchid", "Pine", "Polar", "Prairie", "Quartz", "Raven", "Ridge",
    "River", "Saffron", "Sierra", "Silver", "Slate", "Spruce", "Summit", "Tidal", "Timber",
    "Topaz", "Vale", "Willow", "Zephyr", "Müller", "Sørensen",
)
_CORES = (
    "Analytics", "Bank", "Bio", "Builders", "Capital", "Care", "Clinics", "Cloud", "Consulting",
    "Dental", "Dynamics", "Energy", "Engineering", "Farms", "Foods", "Freight", "Games",
    "Health", "Hotels", "Insurance", "Labs", "Legal", "Logistik", "Media", "Metals",
    "Mobility", "Motors", "Networks", "Partners", "Pharma", "Retail", "Robotics", "Security",
    "Software", "Studios", "Systems", "Telecom", "Textiles", "Travel", "Ventures",
)
_SUFFIXES = ("", "", "", " Inc.", " Ltd", " GmbH", " LLC", " SA", " Pty Ltd", " KK", ", Co.")
_FIRST = (
    "Ada", "Alan", "Amara", "Ana", "Arjun", "Ben", "Bianca", "Carlos", "Chen", "Chloe", "Dana",
    "David", "Elena", "Emeka", "Eva", "Farah", "Felix", "Grace", "Hana", "Hugo", "Ines", "Ivan",
    "Jada", "Jonas", "Kai", "Kenji", "Lara", "Leo", "Lucia", "Maya", "Mateo", "Mei", "Nadia",
    "Noah", "Olga", "Omar", "Priya", "Rafael", "Rosa", "Sam", "Sara", "Tariq", "Tessa", "Tom",
    "Uma", "Victor", "Wen", "Yara", "Yusuf", "Zoe",
)
_LAST = (
    "Abbott", "Alvarez", "Baker", "Berg", "Brooks", "Castro", "Choi", "Dubois", "Evans",
    "Fischer", "Garcia", "Haddad", "Hansen", "Ito", "Jensen", "Kim", "Kowalski", "Lopez",
    "Martin", "Mensah", "Moreau", "Nakamura", "Novak", "Okafor", "Olsen", "Patel", "Perez",
    "Quinn", "Rossi", "Sato", "Schmidt", "Silva", "Singh", "Tanaka", "Torres", "Varga",
    "Walsh", "Weber", "Yilmaz", "Zhang",
)


@dataclass
class _Account:
    """One generated account, mutable while the generator fills it in."""

    id: str
    name: str
    segment: str | None  # new segment; None below 10 or without a size
    employees: int | None
    region: str
    arr: int = 0
    customer_since: date = PLAN_START
    go_live: date | None = None
    onboarding: bool = False
    renewal: date | None = None
    health: int | None = None
    parent: str = ""
    current_segment: str = ""
    strategic: bool = False
    locked: bool = False
    last_owner_change: date | None = None
    owners: dict[str, str] = field(default_factory=dict)


@dataclass
class _Person:
    """One generated roster row."""

    email: str
    name: str
    role: str
    manager: str
    current_team: str
    region: str
    capacity: float = 1.0
    new_team: str = ""
    start_date: date | None = None
    last_day: date | None = None
    weeks_off: tuple[date, ...] = ()
    max_out: int | None = None
    max_in: int | None = None


def generate_reference(out_dir: str | Path, seed: int = 7) -> None:
    """Write the reference organization's ``accounts.csv`` and ``people.csv`` to ``out_dir``."""
    out = Path(out_dir)
    rng = random.Random(seed)
    accounts = _build_accounts(rng)
    people = _build_roster(rng)
    _assign_current_owners(rng, accounts, people)
    _assign_new_teams(accounts, people)
    _mark_locked(rng, accounts, people)
    write_csv(out / "accounts.csv", ACCOUNT_HEADER, (_account_row(a) for a in accounts))
    write_csv(out / "people.csv", PEOPLE_HEADER, (_person_row(p) for p in people))


# --- accounts -------------------------------------------------------------------------


def _build_accounts(rng: random.Random) -> list[_Account]:
    """All accounts with sizes, money, dates, health and families (owners come later)."""
    labels: list[str | None] = [s for s, n in SEGMENT_QUOTAS.items() for _ in range(n)]
    rng.shuffle(labels)
    names = _company_names(rng, len(labels))
    accounts = []
    for i, (label, name) in enumerate(zip(labels, names, strict=True), start=1):
        employees = _employees(rng, label)
        account = _Account(
            id=f"ACC-{i:05d}", name=name, segment=label or None, employees=employees,
            region=_pick_weighted(rng, REGIONS),
        )
        _fill_money_and_dates(rng, account)
        accounts.append(account)
    _make_families(rng, accounts)
    _mark_strategic(rng, accounts)
    return accounts


def _company_names(rng: random.Random, count: int) -> list[str]:
    """``count`` distinct fictitious company names."""
    combos = [f"{p} {c}" for p in _PREFIXES for c in _CORES]
    chosen = rng.sample(combos, count)
    return [name + rng.choice(_SUFFIXES) for name in chosen]


def _employees(rng: random.Random, label: str | None) -> int | None:
    """A log-normal head count truncated to the segment (``""`` = below 10, None = blank)."""
    if label is None:
        return None
    if label == "":
        return rng.randint(2, 9)
    segment = next(s for s in DEFAULT_SEGMENTS if s.name == label)
    high = segment.max_employees or 120_000
    while True:
        value = int(round(math.exp(rng.gauss(math.log(60), 1.6))))
        if segment.min_employees <= value <= high:
            return value


def _fill_money_and_dates(rng: random.Random, account: _Account) -> None:
    """ARR, customer since, onboarding and go-live, renewal, health, CRM segment, moves."""
    size = account.employees if account.employees is not None else 40
    account.arr = int(round(1150 * size**0.7 * math.exp(rng.gauss(0, 0.3)), -2))
    share = ONBOARDING_SHARE.get(account.segment or "Mercury", 0.14)
    roll = rng.random()
    if roll < share:
        account.onboarding = True
        account.customer_since = PLAN_START - timedelta(days=rng.randint(30, 150))
        account.go_live = PLAN_START + timedelta(weeks=rng.randint(1, 12), days=rng.randint(0, 4))
    else:
        if roll < share + FIRST_YEAR_SHARE:
            account.customer_since = PLAN_START - timedelta(days=rng.randint(151, 360))
        else:
            account.customer_since = _established_since(rng)
        account.go_live = account.customer_since + timedelta(days=rng.randint(45, 120))
    account.renewal = anniversary_on_or_after(account.customer_since, PLAN_START)
    account.health = None if rng.random() < 0.01 else _health(rng)
    account.current_segment = _crm_segment(rng, account)
    account.last_owner_change = _last_owner_change(rng, account)


def _established_since(rng: random.Random) -> date:
    """Customer-since date of an established customer: 2018 to 2025, quarter ends favoured."""
    year = rng.choice((2018, 2019, 2020, 2021, 2021, 2022, 2022, 2023, 2023, 2024, 2024, 2025))
    month = rng.choice((3, 6, 9, 12)) if rng.random() < 0.3 else rng.randint(1, 12)
    day = rng.randint(20, 28) if month % 3 == 0 and rng.random() < 0.5 else rng.randint(1, 28)
    return date(year, month, day)


def _health(rng: random.Random) -> int:
    """Health 0-100, mostly healthy, about one in ten below 50."""
    return max(5, min(100, int(round(rng.gauss(73, 17)))))


def _crm_segment(rng: random.Random, account: _Account) -> str:
    """The segment the CRM holds, sized on last year's head count (some have grown)."""
    if account.employees is None:
        return "Mercury" if account.id.endswith(("1", "3", "5", "7", "9")) else ""
    roll = rng.random()
    if roll < 0.10:
        previous = int(account.employees / rng.uniform(1.2, 1.9))
    elif roll < 0.13:
        previous = int(account.employees / rng.uniform(0.55, 0.85))
    else:
        previous = account.employees
    return segment_of(previous)


def _last_owner_change(rng: random.Random, account: _Account) -> date | None:
    """7% changed owner in the last six months, 45% earlier, the rest never recorded."""
    roll = rng.random()
    if roll < 0.07:
        return PLAN_START - timedelta(days=rng.randint(14, 175))
    if roll < 0.52:
        span = (PLAN_START - timedelta(days=200) - account.customer_since).days
        if span > 0:
            return account.customer_since + timedelta(days=rng.randint(0, span))
    return None


def _make_families(rng: random.Random, accounts: list[_Account]) -> None:
    """12 parents (Venus/Jupiter) with 36 children, mostly in the parent's segment."""
    big = [a for a in accounts if a.segment in ("Venus", "Jupiter")]
    parents = rng.sample(big, 12)
    taken = {a.id for a in parents}
    sizes = [6, 5, 4, 4, 3, 3, 3, 2, 2, 2, 1, 1]
    for parent, n_children in zip(parents, sizes, strict=True):
        same = [a for a in accounts if a.segment == parent.segment and a.id not in taken]
        lower = [a for a in accounts if a.segment in ("Mars", "Venus") and a.id not in taken
                 and a.segment != parent.segment]
        for k in range(n_children):
            pool = lower if (k % 4 == 3 and lower) or not same else same
            child = rng.choice(pool)
            pool.remove(child)
            taken.add(child.id)
            child.parent = parent.id
            child.region = parent.region if rng.random() < 0.8 else child.region


def _mark_strategic(rng: random.Random, accounts: list[_Account]) -> None:
    """12 strategic accounts: 8 of the largest-ARR Jupiters and 4 Venus accounts."""
    jupiter = sorted((a for a in accounts if a.segment == "Jupiter"), key=lambda a: -a.arr)
    venus = sorted((a for a in accounts if a.segment == "Venus"), key=lambda a: -a.arr)
    for account in rng.sample(jupiter[:12], 8) + rng.sample(venus[:30], 4):
        account.strategic = True


def _pick_weighted(rng: random.Random, options: tuple[tuple[str, float], ...]) -> str:
    """One label from (label, weight) pairs."""
    labels, weights = zip(*options, strict=True)
    return rng.choices(labels, weights=weights)[0]


# --- roster ---------------------------------------------------------------------------


def _build_roster(rng: random.Random) -> list[_Person]:
    """Managers, horizontal people, CSMs, PMs, SAs and HYBRIDs with distinct names."""
    names = iter(rng.sample([f"{f} {last}" for f in _FIRST for last in _LAST], 60))
    people: list[_Person] = []

    def add(role: str, manager: str, team: str, region: str, capacity: float = 1.0) -> _Person:
        name = next(names)
        person = _Person(email_of(name, DOMAIN), name, role, manager, team, region, capacity)
        person.start_date = date(rng.randint(2018, 2025), rng.randint(1, 12), rng.randint(1, 28))
        people.append(person)
        return person

    vp = add("Manager", "", "CS Leadership", "AMER")
    pods = {
        "AMER CS East": ("AMER", 9), "AMER CS West": ("AMER", 8),
        "EMEA CS": ("EMEA", 8), "APAC CS": ("APAC", 3),
    }
    managers = {team: add("Manager", vp.email, team, region) for team, (region, _) in pods.items()}
    onboarding = add("Manager", vp.email, "Onboarding", "AMER")
    add("Support", vp.email, "Support", "AMER")
    add("Support", vp.email, "Support", "EMEA")
    add("CS Ops", vp.email, "CS Operations", "AMER")
    for team, (region, size) in pods.items():
        for _ in range(size):
            add("CSM", managers[team].email, team, region)
    for role in ("PM", "SA"):
        for region, capacity in (("AMER", 0.8), ("AMER", 0.6), ("EMEA", 0.6), ("EMEA", 0.5),
                                 ("APAC", 0.5)):
            add(role, onboarding.email, "Onboarding", region, capacity)
    for region, capacity in (("AMER", 1.0), ("AMER", 1.0), ("EMEA", 1.0), ("APAC", 0.8)):
        add("HYBRID", managers["AMER CS East" if region == "AMER" else f"{region} CS"].email,
            "Hybrid Pilot", region, capacity)
    _special_people(rng, people, managers["AMER CS West"])
    return people


def _special_people(rng: random.Random, people: list[_Person], manager: _Person) -> None:
    """Part-timers, the new hire, weeks off (the leaver is chosen once books exist)."""
    csms = [p for p in people if p.role == "CSM"]
    for person in (csms[3], csms[19]):
        person.capacity = 0.8
        person.max_out = person.max_in = 4
    hire_name = "Nora Lindqvist"
    hire = _Person(email_of(hire_name, DOMAIN), hire_name, "CSM", manager.email, "", "AMER")
    hire.start_date = NEW_HIRE_START
    people.append(hire)
    off = [p for p in people if p.role in ("CSM", "PM", "SA", "HYBRID") and p is not hire]
    for person, weeks in zip(rng.sample(off, 5), (1, 2, 1, 1, 2), strict=True):
        first = PLAN_START + timedelta(weeks=rng.randint(3, 20))
        person.weeks_off = tuple(
            first + timedelta(weeks=k, days=rng.randint(0, 4)) for k in range(weeks)
        )


# --- current owners -------------------------------------------------------------------


def _needs(account: _Account) -> dict[str, float]:
    """Role -> points the account needs after the change (default coverage and points)."""
    if account.segment is None:
        return {}
    points = DEFAULT_POINTS[account.segment]
    first_year = add_months(account.customer_since, 12) > PLAN_START
    going_live = account.go_live is not None and account.go_live > PLAN_START
    onboarding = account.onboarding or going_live
    if account.segment == "Mars":
        role = "HYBRID" if first_year else "CSM"
        return {role: points[role]}
    needs = {"CSM": points["CSM"]}
    if account.segment in ("Venus", "Jupiter") and onboarding:
        needs.update(PM=points["PM"], SA=points["SA"])
    return needs


def _assign_current_owners(
    rng: random.Random, accounts: list[_Account], people: list[_Person]
) -> None:
    """The generalist organization: regional CSM books over all segments, PM/SA on onboarding."""
    by_role_region: dict[tuple[str, str], list[_Person]] = defaultdict(list)
    for p in people:
        if p.start_date is None or p.start_date <= PLAN_START:
            by_role_region[(p.role, p.region)].append(p)
    unowned = set(a.id for a in rng.sample(accounts, 10))
    for account in accounts:
        pilot = by_role_region[("HYBRID", account.region)]
        if "HYBRID" in _needs(account) and pilot and rng.random() < 0.4:
            account.owners["HYBRID"] = rng.choice(pilot).email
            continue
        if account.id not in unowned:
            region = account.region if rng.random() < 0.95 else _pick_weighted(rng, REGIONS)
            account.owners["CSM"] = rng.choice(by_role_region[("CSM", region)]).email
        if account.onboarding or rng.random() < 0.02:
            for role in ("PM", "SA"):
                pool = by_role_region[(role, account.region)] or by_role_region[(role, "AMER")]
                account.owners[role] = rng.choice(pool).email
        if account.id in unowned:
            account.last_owner_change = None


# --- new teams ------------------------------------------------------------------------


def _assign_new_teams(accounts: list[_Account], people: list[_Person]) -> None:
    """The leader's decisions: most people get the segment that keeps most of their book.

    Team capacity is filled up to the workload at TARGET_UTILIZATION; the three CSMs,
    the PM and the SA with the weakest preference stay blank for the planner to propose.
    The CSM with the largest book is the leaver.
    """
    demand: dict[tuple[str, str], float] = defaultdict(float)
    books: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for account in accounts:
        needs = _needs(account)
        for role, points in needs.items():
            demand[(account.segment or "", role)] += points
        for role, owner in account.owners.items():
            if account.segment:
                default = DEFAULT_POINTS[account.segment][role]
                books[owner][account.segment] += needs.get(role, default)
    csms = [p for p in people if p.role == "CSM" and p.start_date != NEW_HIRE_START]
    leaver = max(csms, key=lambda p: (sum(books[p.email].values()), p.email))
    leaver.last_day = LEAVER_LAST_DAY
    leaver.weeks_off = tuple(d for d in leaver.weeks_off if d <= LEAVER_LAST_DAY)
    # The leader lets the leaver introduce more successors a week than the default cap
    # of 6, so that the whole book can move before the last day.
    leaver.max_out = LEAVER_MAX_OUT
    hire = next(p for p in people if p.start_date == NEW_HIRE_START)
    hire.new_team = "Mercury"
    for role, blanks in (("CSM", 3), ("PM", 1), ("SA", 1), ("HYBRID", 0)):
        members = [p for p in people if p.role == role and p is not hire]
        _fill_teams(role, members, books, demand, blanks, hire if role == "CSM" else None)
    leaver.new_team = leaver.new_team or max(books[leaver.email], key=books[leaver.email].get)


def _fill_teams(
    role: str,
    members: list[_Person],
    books: dict[str, dict[str, float]],
    demand: dict[tuple[str, str], float],
    blanks: int,
    hire: _Person | None,
) -> None:
    """Give ``members`` a New Team within each team's room; leave ``blanks`` of them blank.

    Teams are filled from the heaviest accounts down (Jupiter first): each team takes
    the people with the most points of their current book in that segment, until its
    room (workload / TARGET_UTILIZATION) is used. The people with the smallest books
    stay blank for the planner to propose.
    """
    segments = [s.name for s in DEFAULT_SEGMENTS if demand.get((s.name, role), 0) > 0]
    room = {s: demand[(s, role)] / 100 / TARGET_UTILIZATION for s in segments}
    if hire is not None:
        room[hire.new_team] -= hire.capacity
    staying = [p for p in members if p.last_day is None]
    by_book = sorted(staying, key=lambda p: (sum(books[p.email].values()), p.email))
    free = [p for p in staying if p not in by_book[:blanks]]
    for segment in reversed(segments):
        free.sort(key=lambda p: (-books[p.email].get(segment, 0.0), p.email))
        while free and room[segment] >= free[0].capacity * 0.5:
            person = free.pop(0)
            person.new_team = segment
            room[segment] -= person.capacity
    for person in free:  # more people than room: the team with most room left
        choice = max(segments, key=lambda s: (room[s], s))
        person.new_team = choice
        room[choice] -= person.capacity


def _mark_locked(rng: random.Random, accounts: list[_Account], people: list[_Person]) -> None:
    """Four locked accounts whose CSM stays and already sits in the account's new segment."""
    team = {p.email: p.new_team for p in people if p.last_day is None}
    candidates = [
        a for a in accounts
        if a.segment in ("Venus", "Jupiter") and team.get(a.owners.get("CSM", "")) == a.segment
        and not a.onboarding
    ]
    for account in rng.sample(candidates, min(4, len(candidates))):
        account.locked = True


# --- rows -----------------------------------------------------------------------------


def _account_row(a: _Account) -> dict[str, object]:
    """One accounts.csv row."""
    return {
        "Account ID": a.id, "Account Name": a.name,
        "Employees": "" if a.employees is None else a.employees, "ARR": a.arr,
        "Renewal Date": iso(a.renewal), "Customer Since": iso(a.customer_since),
        "Go-Live Date": iso(a.go_live), "Onboarding": flag(a.onboarding),
        "Health": "" if a.health is None else a.health, "Region": a.region,
        "Parent Account": a.parent, "Current Segment": a.current_segment,
        "Strategic": flag(a.strategic), "Locked": flag(a.locked),
        "Last Owner Change": iso(a.last_owner_change),
        **{role: a.owners.get(role, "") for role in ("CSM", "PM", "SA", "HYBRID")},
    }


def _person_row(p: _Person) -> dict[str, object]:
    """One people.csv row."""
    return {
        "Email": p.email, "Name": p.name, "Role": p.role, "Manager": p.manager,
        "Current Team": p.current_team, "New Team": p.new_team,
        "Capacity": f"{p.capacity:.1f}" if p.role in ("CSM", "PM", "SA", "HYBRID") else "",
        "Region": p.region, "Start Date": iso(p.start_date), "Last Day": iso(p.last_day),
        "Weeks Off": ";".join(iso(d) for d in p.weeks_off),
        "Max Out Per Week": "" if p.max_out is None else p.max_out,
        "Max In Per Week": "" if p.max_in is None else p.max_in,
    }
