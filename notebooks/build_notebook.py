"""Write notebooks/walkthrough.ipynb from the cells below (the reviewable source).

Run ``python notebooks/build_notebook.py`` after editing a cell; the notebook is written
without outputs, as it is committed. tests/test_notebook.py checks that the two agree and
executes the notebook.

Each cell is (kind, tag, source): kind "md" or "code"; tag names the cell so the test can
find its output ("" for none).
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent
NOTEBOOK = HERE / "walkthrough.ipynb"

CELLS: list[tuple[str, str, str]] = [
    ("md", "", """\
# Realigning Customer Success: a walkthrough

This notebook follows one realignment from start to finish, the way a CS leader would
look at it: **which segments** we serve and why, **which accounts change segment**,
**who owns each account** after the change, **how full each person's book is**,
**when each handoff happens**, and **how much disruption buys how much balance**.

It uses the bundled reference organization, *Orbit Cloud*: about 1,500 accounts served
today by a generalist organization (regional CSM pods with mixed books), re-organized
into four segment teams. Everything here goes through the planner's Python API; the same
plan comes out of `planner plan scenarios/reference.toml` as a workbook.

Run the cells from top to bottom. The full plan takes well under a minute."""),
    ("code", "setup", """\
import dataclasses
import sys
import time
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.patches import Patch

# Find the repository (the folder holding pyproject.toml), wherever the notebook runs from,
# and use the planner in it.
ROOT = Path.cwd().resolve()
while not (ROOT / "pyproject.toml").is_file():
    if ROOT.parent == ROOT:
        raise RuntimeError("run this notebook inside the planner repository")
    ROOT = ROOT.parent
sys.path.insert(0, str(ROOT))

from planner import (  # noqa: E402
    build_report,
    derived_segments,
    key_figures,
    load_scenario,
    place_accounts,
    plan,
    read_inputs,
)
from planner.handoffs import derive_handoffs  # noqa: E402
from planner.optimize.assign import assign  # noqa: E402

pd.set_option("display.max_columns", 30)
pd.set_option("display.width", 160)
plt.rcParams["figure.dpi"] = 90
print("planner from", ROOT)"""),
    ("md", "", """\
## 1. Segments from first principles

Why 10, 100, 400 and 3,000 employees? A segment should group customers whose
organizations *work alike*, and the clearest proxy for that is **how many reporting
levels** the customer has: a 30-person company is the founders and their teams; a
2,000-person company has directors, managers and a procurement process.

With a span of control of 7 (each manager has about 7 direct reports), an organization
with *L* levels has at most 1 + 7 + 7² + … + 7^(L-1) people. So a customer with up to
57 employees fits in 3 levels, up to 400 in 4 levels, and so on. One segment per level
count, from 3 to 6 or more levels, gives exactly this table:"""),
    ("code", "segment-table", """\
derived = derived_segments(span=7, fewest=3, most=6)
first_principles = pd.DataFrame(
    [
        {
            "Reporting levels": s.levels,
            "From employees": s.min_employees,
            "To employees": s.max_employees if s.max_employees is not None else "and up",
        }
        for s in derived
    ]
)
print(first_principles.to_string(index=False))"""),
    ("md", "", """\
People remember round numbers better than 58 or 2,802, so the default segments keep the
same four level counts and round the boundaries. These are the segments of the reference
scenario (its `[[segments]]` table):"""),
    ("code", "rounded-table", """\
scenario = load_scenario(ROOT / "scenarios" / "reference.toml")
rounded = pd.DataFrame(
    [
        {
            "Segment": s.name,
            "Reporting levels": s.levels,
            "From employees": s.min_employees,
            "To employees": s.max_employees if s.max_employees is not None else "and up",
            "First-principles range": f"{d.min_employees:,}-{d.max_employees:,}"
            if d.max_employees is not None else f"{d.min_employees:,}+",
        }
        for s, d in zip(scenario.segments, derived, strict=True)
    ]
)
print(scenario.name)
print(rounded.to_string(index=False))"""),
    ("md", "", """\
## 2. Which accounts change segment

The CRM export says which segment each account sits in today (the `Current Segment`
column). The planner places every account by its employee count in the new segments.
Accounts below 10 employees, or without a usable size, are not forced into a segment:
they are listed as exceptions for a leader to decide (scenario setting
`below_smallest = "exception"`)."""),
    ("code", "segments-before-after", """\
inputs = read_inputs(scenario)
placements = place_accounts(inputs.accounts, scenario.segments,
                            scenario.segmentation.below_smallest)
NONE = "(none / exception)"
order = [*scenario.segment_names, NONE]
moves = pd.DataFrame(
    {
        "before": [a.previous_segment or NONE for a in inputs.accounts],
        "after": [placements[a.id].segment or NONE for a in inputs.accounts],
        "ARR": [a.arr or 0.0 for a in inputs.accounts],
    }
)
segment_counts = pd.DataFrame(
    {
        "Accounts before": moves["before"].value_counts(),
        "Accounts after": moves["after"].value_counts(),
        "ARR before (k)": moves.groupby("before")["ARR"].sum() / 1000,
        "ARR after (k)": moves.groupby("after")["ARR"].sum() / 1000,
    }
).reindex(order).fillna(0).round(0).astype(int)
print(f"{len(inputs.accounts):,} accounts, {len(inputs.people)} people on the roster")
print(segment_counts.to_string())
changed = moves[moves["before"] != moves["after"]]
print(f"\\n{len(changed)} accounts change segment. From (rows) -> to (columns):")
print(pd.crosstab(changed["before"], changed["after"]).to_string())"""),
    ("code", "segments-chart", """\
ax = segment_counts[["Accounts before", "Accounts after"]].plot.bar(
    figsize=(8, 3.5), color=["#b0b7c3", "#2f6db5"], rot=0
)
ax.set_title("Accounts per segment, before and after the realignment")
ax.set_xlabel("")
ax.set_ylabel("accounts")
for container in ax.containers:
    ax.bar_label(container, fontsize=8)
plt.tight_layout()
plt.show()"""),
    ("md", "", """\
Most accounts stay in the segment they are in: the segment *names* barely move.
What changes is **who owns them**: today a regional pod serves every size of customer;
after the change each segment has its own team, with the coverage the segment needs
(Jupiter and Venus get a CSM, plus a PM and an SA while onboarding; Mars customers get
one HYBRID contact in their first year and a CSM after; Mercury is served by a pooled
CSM team).

## 3. One full plan

`plan(scenario)` runs every stage: read and validate the exports, place the accounts,
**assign** an owner to every account and role (an optimization that balances load and
avoids needless moves), derive the **handoffs**, **schedule** each handoff in a week
that respects renewals, weeks off, blackout weeks and weekly caps, and finally
**re-check** every rule without the solver. `build_report` turns the result into the
tables of the workbook."""),
    ("code", "plan", """\
began = time.perf_counter()
result = plan(scenario, inputs)
report = build_report(result)
print(f"planned in {time.perf_counter() - began:.0f} s; {report.meta.status}")
figures = pd.DataFrame(
    [(name, f"{value:,.0f}" if isinstance(value, float) and abs(value) >= 1000
      else f"{value:,}" if isinstance(value, int | float) else str(value))
     for name, value in key_figures(result).items()],
    columns=["Key figure", "Value"],
)
print(figures.to_string(index=False))"""),
    ("md", "", """\
How to read these figures:

- **Handoffs** counts account-roles that change owner. Nearly every account changes
  owner, because the organization itself changes: the regional pods are dissolved.
  These are **forced moves**: the current owner is no longer on the team that serves
  the account.
- **Optional moves** are the ones the planner *chose* to balance load; they are the part
  of the disruption a leader can trade away (section 6).
- **Unassigned** account-roles have no owner because a team is short of capacity; the
  exceptions below say which team and by how much.
- The first line says whether each optimizer stage proved its plan optimal, or stopped
  at the scenario's time limit with the best plan found (and how far from proven it is).

Everything the plan could not decide, with the reason and a suggested fix:"""),
    ("code", "exceptions", """\
def kind(row):
    if "segment decision" in row["Reason"]:
        return "Account without a segment"
    if "points short" in row["Reason"]:
        return "Team short of capacity"
    if row["Reason"].startswith("unassigned"):
        return "Role left without an owner"
    if row["What"].endswith("handoff"):
        return "Handoff that fits no week"
    if row["What"] == "schedule":
        return "Note from the scheduler"
    return "Other"


exceptions = report.exceptions.copy()
exceptions["Kind"] = exceptions.apply(kind, axis=1)
print(exceptions["Kind"].value_counts().to_string(), end="\\n\\n")
with pd.option_context("display.max_colwidth", 90):
    print(exceptions.groupby("Kind", sort=False).head(2)[["What", "Reason"]]
          .to_string(index=False))"""),
    ("md", "", """\
## 4. Load per person, before and after

Each account weighs points by segment and role (a Jupiter CSM account weighs 10, a
Mercury one weighs 1); a full-time person carries about 100 points. Below, each bar is
one person, grouped by the team they join: grey is the book they carry today, blue the
book after the realignment, and the black tick their capacity (lower for part-timers).
People marked *(leaves)* leave during the plan and hand over their whole book; *(new)*
marks a new hire who starts during the plan."""),
    ("code", "load-chart", """\
load = report.load.copy()
load["Team"] = load["Team"].replace("", "(no team)")
load["Load before"] = load["Load before"].astype(float)
load["Load after"] = load["Load after"].astype(float)
load["Capacity"] = load["Capacity"].astype(float)
team_order = {f"{s} {r}": i for i, s in enumerate(scenario.segment_names)
              for r in ("CSM", "HYBRID", "PM", "SA")}
load["order"] = load["Team"].map(team_order).fillna(len(team_order))
load = load.sort_values(["order", "Team", "Name"]).reset_index(drop=True)
starts = {p.id: p.start_date for p in inputs.people}
leaving = load["Leaving"] == "Y"
new = load["Person ID"].map(lambda pid: bool(starts.get(pid) and starts[pid] > scenario.start))
load["Label"] = (load["Name"] + leaving.map({True: " (leaves)", False: ""})
                 + new.map({True: " (new)", False: ""}))

fig, ax = plt.subplots(figsize=(14, 5))
x = range(len(load))
ax.bar([i - 0.2 for i in x], load["Load before"], width=0.4, color="#b0b7c3", label="before")
ax.bar([i + 0.2 for i in x], load["Load after"], width=0.4, color="#2f6db5", label="after")
ax.scatter(load.index[~leaving], load.loc[~leaving, "Capacity"], marker="_", s=250,
           color="black", zorder=3, label="capacity")
ax.set_xticks(list(x))
ax.set_xticklabels(load["Label"], rotation=90, fontsize=7)
ax.set_ylabel("points")
# team separators and labels
edges = load.groupby("Team", sort=False).indices
for team, rows in edges.items():
    ax.axvline(min(rows) - 0.5, color="#dddddd", lw=0.8)
    ax.text((min(rows) + max(rows)) / 2, ax.get_ylim()[1] * 0.97, team, ha="center",
            va="top", fontsize=7, rotation=0 if len(rows) > 2 else 90)
ax.set_title("Load per person before and after, grouped by team after the realignment")
ax.legend(loc="upper left", fontsize=8, bbox_to_anchor=(1.0, 1.0))
plt.tight_layout()
plt.show()

staying = load[~leaving]  # a leaver's capacity does not count after the change
by_team = staying.groupby("Team", sort=False).agg(
    People=("Name", "size"), Capacity=("Capacity", "sum"),
    Load_after=("Load after", "sum"),
)
by_team.insert(2, "Load_before", load.groupby("Team", sort=False)["Load before"].sum())
by_team["Utilization after"] = (by_team["Load_after"] / by_team["Capacity"]).map("{:.0%}".format)
spread = pd.DataFrame({"Spread before": result.assignment.spread_before,
                       "Spread after": result.assignment.spread_after})
print(by_team.join(spread).round(1).to_string())"""),
    ("md", "", """\
*Spread* is the difference, inside one team, between the fullest and the emptiest
person's utilization (in points of percent): 0 means everybody on the team is equally
full. Three things to look for:

- **Today's books are uneven**: the regional pods grew their books by geography, not by
  workload, so people in the same future team carry very different loads.
- **PMs and SAs carry much more before than after.** Today they stay named on accounts
  of every size, including onboarding accounts that the new model gives to the Mars
  HYBRID contacts or the Mercury CSM pool; after the change they only cover onboarding
  in Venus and Jupiter.
- **A team at 100 % with unassigned accounts is short of people** (here Mars HYBRID, by
  design of the reference scenario): the exceptions above say by how much. Small teams
  of part-timers (Venus PM, Venus SA) cannot be perfectly even, because one account is
  a large share of a part-timer's capacity.

## 5. The transition: when each handoff happens

A handoff is not a switch: both owners stay engaged during an overlap (two weeks for a
CSM), no account changes hands in the weeks before its renewal, nobody hands over
during their weeks off, and the quarter-end week is a blackout. The first chart counts
the handoffs starting each week, by receiving team."""),
    ("code", "weekly-chart", """\
weekly = report.weekly.copy()
weekly["Week"] = pd.to_datetime(weekly["Week"])
weekly["Handoffs"] = weekly["Handoffs"].astype(int)
per_week = weekly.pivot_table(index="Week", columns="Team", values="Handoffs",
                              aggfunc="sum", fill_value=0)
all_weeks = pd.date_range(report.meta.start, periods=report.meta.weeks, freq="7D")
per_week = per_week.reindex(all_weeks, fill_value=0)

fig, ax = plt.subplots(figsize=(12, 4))
bottom = pd.Series(0, index=per_week.index)
colors = plt.get_cmap("tab10")
for i, team in enumerate(per_week.columns):
    ax.bar(per_week.index, per_week[team], bottom=bottom, width=5, label=team,
           color=colors(i % 10))
    bottom = bottom + per_week[team]
for w in report.meta.blackout_weeks:
    monday = report.meta.week_mondays[w]
    ax.axvspan(pd.Timestamp(monday) - pd.Timedelta(days=3),
               pd.Timestamp(monday) + pd.Timedelta(days=4), color="red", alpha=0.12)
    ax.text(pd.Timestamp(monday), bottom.max() * 0.95, "blackout", color="red",
            ha="center", fontsize=8)
ax.set_title("Handoffs starting each week, by receiving team")
ax.set_ylabel("handoffs")
if len(per_week.columns):
    ax.legend(fontsize=7, ncol=3)
plt.tight_layout()
plt.show()
totals = per_week.sum(axis=1)
if totals.sum() == 0:
    print("No handoff could be scheduled: the exceptions above say why.")
else:
    print(f"{int(totals.sum())} of {len(result.handoffs)} handoffs scheduled over "
          f"{int((totals > 0).sum())} weeks; busiest week: {totals.idxmax():%d %b %Y} "
          f"with {int(totals.max())}")"""),
    ("md", "", """\
The second chart is a Gantt of the largest customers (the Jupiter segment): one line per
account, one bar per role changing hands, from the first day of the handoff to the last
day of the overlap. The red diamond is the account's renewal date: no bar starts in the
weeks right before it."""),
    ("code", "gantt", """\
h = report.handoffs.copy()
h["Start"] = pd.to_datetime(h["Start"])
h["End"] = pd.to_datetime(h["End"])
h["Renewal"] = pd.to_datetime(h["Renewal"])
top = h[h["Segment"] == scenario.segment_names[-1]].sort_values(["Start", "Account"])
accounts_shown = list(dict.fromkeys(top["Account"]))
row_of = {name: i for i, name in enumerate(accounts_shown)}
role_colors = {"CSM": "#2f6db5", "PM": "#e08a1e", "SA": "#3c9a5f", "HYBRID": "#8e5fb5"}
offset = {"CSM": -0.25, "PM": 0.0, "SA": 0.25, "HYBRID": 0.0}

fig, ax = plt.subplots(figsize=(12, max(3, 0.35 * len(accounts_shown) + 1)))
for _, r in top.iterrows():
    y = row_of[r["Account"]] + offset.get(r["Role"], 0.0)
    ax.barh(y, (r["End"] - r["Start"]).days + 1, left=r["Start"], height=0.22,
            color=role_colors.get(r["Role"], "grey"))
renewals = top.drop_duplicates("Account")
plan_end = pd.Timestamp(report.meta.end)
for _, r in renewals.iterrows():
    if pd.notna(r["Renewal"]) and r["Renewal"] <= plan_end:
        ax.scatter(r["Renewal"], row_of[r["Account"]], marker="D", color="red", s=25, zorder=3)
for w in report.meta.blackout_weeks:
    monday = pd.Timestamp(report.meta.week_mondays[w])
    ax.axvspan(monday, monday + pd.Timedelta(days=7), color="red", alpha=0.12)
ax.set_yticks(range(len(accounts_shown)))
ax.set_yticklabels(accounts_shown, fontsize=7)
ax.invert_yaxis()
ax.set_xlim(pd.Timestamp(report.meta.start), plan_end)
handles = [Patch(color=c, label=r) for r, c in role_colors.items() if r in set(top["Role"])]
handles.append(plt.Line2D([], [], marker="D", color="red", ls="", label="renewal"))
ax.legend(handles=handles, fontsize=7, loc="lower right")
ax.set_title(f"Transition Gantt: {scenario.segment_names[-1]} accounts that change owner")
plt.tight_layout()
plt.show()
print(top[["Account", "Role", "From", "To", "Start", "End", "Reason", "Bound by"]]
      .head(12).to_string(index=False))"""),
    ("md", "", """\
## 6. Disruption against balance: choosing the trade-off

Every move costs something: the customer meets a new person, context gets lost. But
refusing every move leaves some people overloaded and others idle. The planner weighs
the two with the scenario's `[objective]` weights: `move` (cost of each owner change)
and `balance` (cost of each point a person's load is away from their target, the team's
average utilization times their capacity; points beyond 10% of their capacity cost eight
times more). The reference scenario uses `balance = 20`.

To see the trade-off, we re-run only the assignment stage (who owns what; seconds, not a
full plan) with the balance weight from 0 (never move an account just to balance) up to
80 (balance first), and count for each the **optional moves** (moves the planner chose;
the forced ones happen whatever the weights) and the **worst team spread** after the
change."""),
    ("code", "tradeoff", """\
fast = dataclasses.replace(scenario.solver, time_limit_s=3, workers=1)  # quick, reproducible
rows = []
for weight in (0, 1, 2, 5, 10, 20, 40, 80):
    variant = dataclasses.replace(
        scenario, objective=dataclasses.replace(scenario.objective, balance=weight),
        solver=fast,
    )
    assignment = assign(inputs, placements, variant)
    handoffs = derive_handoffs(inputs, placements, assignment, variant)
    rows.append({
        "Balance weight": weight,
        "Forced moves": sum(x.forced for x in handoffs),
        "Optional moves": sum(not x.forced for x in handoffs),
        "Worst team spread (pts)": max(assignment.spread_after.values(), default=0.0),
        "Average team spread (pts)": round(
            sum(assignment.spread_after.values()) / max(1, len(assignment.spread_after)), 1),
    })
tradeoff = pd.DataFrame(rows)
print(tradeoff.to_string(index=False))"""),
    ("code", "tradeoff-chart", """\
fig, ax = plt.subplots(figsize=(7, 4.5))
ax.plot(tradeoff["Optional moves"], tradeoff["Worst team spread (pts)"], "-o", color="#2f6db5")
labelled = set()
for weight, moved, worst in zip(tradeoff["Balance weight"], tradeoff["Optional moves"],
                                tradeoff["Worst team spread (pts)"], strict=True):
    point = (int(moved), float(worst))
    text = f"balance {int(weight)}"
    if point in labelled:
        continue  # several weights give the same plan: label the smallest weight only
    labelled.add(point)
    ax.annotate(text, point, textcoords="offset points", xytext=(6, 4), fontsize=8)
chosen = tradeoff[tradeoff["Balance weight"] == scenario.objective.balance]
ax.scatter(chosen["Optional moves"], chosen["Worst team spread (pts)"], s=160,
           facecolors="none", edgecolors="red", label="reference scenario")
ax.set_xlabel("optional moves (account-roles moved only to balance load)")
ax.set_ylabel("worst team spread after (pts of utilization)")
ax.set_title("Disruption against balance")
ax.legend(fontsize=8)
plt.tight_layout()
plt.show()"""),
    ("md", "", """\
How to read the curve: each point is a plan. Going right costs more optional moves;
going down buys a more even team. The first few optional moves buy most of the balance,
after which extra weight changes nothing: the plan is as even as whole accounts allow
(one Venus account is 5 points, so a Venus team cannot be more even than that).

In this reference organization the curve is short, and that is a finding in itself:
**almost all of the disruption is forced** by the new organization (well over a
thousand account-roles change owner because the pods are dissolved), and the optimizer
balances the teams while it places those forced moves. Only a handful of moves are
optional, so a leader can take the balanced end of the curve almost for free. In a
steady-state rebalancing, where nobody is forced to move, the same curve is long and the
choice of weight matters much more.

To pick a point, set `balance` (or `move`) in the scenario's `[objective]` table and run
`planner plan` again."""),
]


def build() -> nbformat.NotebookNode:
    """The notebook, without outputs."""
    cells = []
    for kind, tag, source in CELLS:
        cell = new_markdown_cell(source) if kind == "md" else new_code_cell(source)
        if tag:
            cell.metadata["tags"] = [tag]
        cells.append(cell)
    for i, cell in enumerate(cells):
        cell["id"] = f"cell-{i:02d}"
    nb = new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {
        "name": "python3", "display_name": "Python 3", "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    return nb


def main() -> None:
    nbformat.write(build(), NOTEBOOK)
    print(f"wrote {NOTEBOOK}")


if __name__ == "__main__":
    main()
