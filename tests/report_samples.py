"""A realistic small PlanReport built by hand, with hostile and awkward input text.

Used by the writer and reader tests; ``sample_report()`` is the single source of it.
"""

from __future__ import annotations

from datetime import date, timedelta

from planner.domain import InputProblem
from planner.report import PlanReport, ReportMeta, frame, notes_frame

START = date(2027, 1, 4)
WEEKS = 12
MONDAYS = tuple(START + timedelta(weeks=i) for i in range(WEEKS))

# c08: text that looks like a formula; c10: labels that cannot be sheet names as they are.
HOSTILE = (
    '=HYPERLINK("http://evil.example","open")',
    "+SUM(1;2)",
    "@Team Lead Co",
    "-2+3",
    "\tTabbed Industries",
    "#N/A",
)
AWKWARD_SEGMENTS = (
    "Enterprise: EMEA/APAC",
    "Mid-Market [2025]",
    "Strategic Accounts – North America East",
    "History",
    "smb",
    "SMB",
)
PEOPLE = {
    "ana.ruiz@example.com": ("Ana Ruiz", "Enterprise: EMEA/APAC CSM"),
    "ben.okafor@example.com": ("Ben Okafor", "Enterprise: EMEA/APAC CSM"),
    "chloe.martin@example.com": ("Chloé Martin", "Mid-Market [2025] HYBRID"),
    "dev.patel@example.com": ("Dev Patel", "Strategic Accounts – North America East CSM"),
    "eva.novak@example.com": ("=Eva Novak", "History CSM"),
    "fay.wong@example.com": ("Fay Wong", "smb CSM"),
    "gus.berg@example.com": ("Gus Berg", "SMB CSM"),
}


def _name(person_id: str | None) -> str | None:
    return PEOPLE[person_id][0] if person_id else None


def _handoff_rows() -> list[dict]:
    """(account name, segment, role, from, to, start week, overlap weeks, wave, renewal)"""
    spec = [
        (HOSTILE[0], 0, "CSM", "ana.ruiz@example.com", "ben.okafor@example.com", 0, 2, 1, 6),
        (HOSTILE[1], 0, "CSM", "ana.ruiz@example.com", "ben.okafor@example.com", 0, 2, 1, None),
        (HOSTILE[2], 1, "HYBRID", "ana.ruiz@example.com", "chloe.martin@example.com", 1, 2, 1,
         11),
        (HOSTILE[3], 1, "HYBRID", "ben.okafor@example.com", "chloe.martin@example.com", 2, 2,
         2, None),
        (HOSTILE[4], 2, "CSM", "ben.okafor@example.com", "dev.patel@example.com", 2, 2, 2,
         None),
        (HOSTILE[5], 2, "PM", None, "dev.patel@example.com", 3, 1, 2, None),
        ("Northwind Traders", 3, "CSM", "dev.patel@example.com", "eva.novak@example.com", 5, 2,
         3, 9),
        ("Contoso Ltd", 4, "CSM", "eva.novak@example.com", "fay.wong@example.com", 6, 2, 3,
         None),
        ("Fabrikam, Inc.", 5, "CSM", "fay.wong@example.com", "gus.berg@example.com", 6, 2, 3,
         None),
        ("Tailspin Toys", 5, "CSM", "fay.wong@example.com", None, 7, 1, 4, None),
        ("Ünïcödé GmbH", 0, "SA", "ana.ruiz@example.com", "ben.okafor@example.com", 8, 1, 4,
         None),
        ("A" * 60 + " Holdings", 1, "HYBRID", "chloe.martin@example.com",
         "ana.ruiz@example.com", 9, 2, 4, None),
    ]
    rows = []
    for i, (name, seg, role, src, dst, week, overlap, wave, renewal_week) in enumerate(
        spec, start=1
    ):
        start = MONDAYS[week]
        rows.append({
            "Handoff ID": f"H-{i:04d}",
            "Account ID": f"001A0000{i:02d}ABCDEFGHIJ"[:18],
            "Account": name,
            "Segment": AWKWARD_SEGMENTS[seg],
            "Role": role,
            "From": _name(src),
            "To": _name(dst),
            "Start": start,
            "End": start + timedelta(weeks=overlap, days=-1),
            "Wave": wave,
            "Reason": "segment changed Mars -> Venus" if i % 2 else "owner leaves",
            "Locked": "Y" if i == 3 else "",
            "From ID": src,
            "To ID": dst,
            "Team": f"{AWKWARD_SEGMENTS[seg]} {role}",
            "Forced": i % 3 != 0,
            "Bound by": "renewal freeze" if renewal_week else "weekly cap",
            "Renewal": MONDAYS[renewal_week] + timedelta(days=2) if renewal_week else None,
            "ARR": -2500.0 if i == 4 else 10000.0 * i,
        })
    return rows


def sample_report() -> PlanReport:
    handoff_rows = _handoff_rows()
    meta = ReportMeta(
        scenario="Enterprise: EMEA/APAC – FY27 realignment",
        start=START,
        weeks=WEEKS,
        run_seconds=12.34,
        blackout_weeks=(4,),
        versions={"planner": "0.1.0", "ortools": "9.10", "python": "3.11.7"},
        fingerprints={"accounts.csv": "ab" * 32, "people.csv": "cd" * 32},
        key_figures={
            "Accounts keeping every owner": 188,
            "ARR keeping every owner": (4_250_000.0, "#,##0"),
            "Forced moves": 8,
            "Optional moves": 4,
            "Unassigned": 1,
            "Load spread before": (0.42, "0%"),
            "Load spread after": (0.11, "0%"),
            "Peak weekly handoffs": 3,
            "Handoffs kept clear of renewals": 12,
            "Exceptions": 2,
        },
        status="optimal",
    )
    accounts = frame("accounts", [
        {"Account ID": r["Account ID"], "Account": r["Account"], "ARR": r["ARR"],
         "Segment before": "Mars", "Segment after": r["Segment"],
         "CSM before": r["From"], "CSM after": r["To"],
         "Changed": True, "Unassigned": r["To"] is None}
        for r in handoff_rows
    ])
    load = frame("load", [
        {"Person ID": pid, "Name": name, "Team": team, "Capacity": 100.0,
         "Load before": 60.0 + 5 * i, "Load after": 80.0 - 3 * i,
         "Peak during transition": 90.0 - i, "Utilization after": (80.0 - 3 * i) / 100}
        for i, (pid, (name, team)) in enumerate(PEOPLE.items())
    ])
    weekly_rows: dict[tuple[str, date], int] = {}
    for r in handoff_rows:
        key = (r["Team"], r["Start"])
        weekly_rows[key] = weekly_rows.get(key, 0) + 1
    weekly = frame("weekly", [
        {"Team": team, "Week": week, "Handoffs": n} for (team, week), n in weekly_rows.items()
    ])
    segments = frame("segments", [
        {"Segment": name, "Levels": str(3 + i) if i < 3 else "6+",
         "Min employees": [10, 100, 400, 3000, 5000, 9000][i],
         "Max employees": [99, 399, 2999, 4999, 8999, None][i],
         "Accounts before": 10 + i, "Accounts after": 12 + i,
         "ARR before": 1e5 * (i + 1), "ARR after": 1.1e5 * (i + 1)}
        for i, name in enumerate(AWKWARD_SEGMENTS)
    ])
    stages = frame("stages", [
        {"Stage": "assign", "Part": "Enterprise: EMEA/APAC CSM", "Status": "OPTIMAL",
         "Objective": 1234.0, "Bound": 1234.0, "Gap": 0.0, "Seconds": 1.2},
        {"Stage": "schedule", "Part": "component 1", "Status": "FEASIBLE",
         "Objective": 560.0, "Bound": 540.0, "Gap": 20 / 560, "Seconds": 10.0},
    ])
    exceptions = frame("exceptions", [
        {"What": "Tailspin Toys (CSM)", "Reason": "smb CSM team is full",
         "Suggested fix": "smb CSM team is 70 points short, about 1.7 people"},
        {"What": "@Team Lead Co", "Reason": "=1+1", "Suggested fix": "-add capacity"},
    ])
    notes = notes_frame([
        InputProblem("warning", "accounts.csv", 7, "Employees", "51-200",
                     "a number; band read as 51"),
        InputProblem("warning", "people.csv", 3, "Name", "=Eva Novak",
                     "a name; kept as text"),
    ])
    crm = frame("crm", [
        {"Account ID": r["Account ID"], "Owner field": f"{r['Role']}_Owner__c",
         "New owner ID": r["To ID"], "Effective date": r["Start"], "Account": r["Account"],
         "ARR": r["ARR"]}
        for r in handoff_rows
    ])
    handoffs = frame("handoffs", handoff_rows)
    return PlanReport(meta=meta, handoffs=handoffs, accounts=accounts, load=load, weekly=weekly,
                      segments=segments, stages=stages, exceptions=exceptions, notes=notes,
                      crm=crm)
