"""The `planner` command: thin commands over the library; the only module that prints.

Exit codes: 0 ok, 2 input or scenario errors (listed; nothing written), 1 unexpected,
130 interrupted (Ctrl-C; nothing written).
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from planner.domain import InputError
from planner.io.atomic import OutputError, close_outputs, committed_outputs
from planner.scenario import Scenario, ScenarioError, load_scenario, parse_levels
from planner.segments import derived_segments

log = logging.getLogger(__name__)

EXIT_OK, EXIT_UNEXPECTED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141
INTERRUPTED = "interrupted: nothing was written; the previous plan is unchanged"
T = TypeVar("T")
REFERENCE_SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "reference.toml"


def build_parser() -> argparse.ArgumentParser:
    """All subcommands; each sets ``func(args) -> exit code``."""
    parser = argparse.ArgumentParser(
        prog="planner",
        description="Plan a Customer Success realignment: who takes over each account, "
        "and when.",
    )
    parser.add_argument("-v", "--verbose", action="count", default=0,
                        help="more log output (-v info, -vv debug)")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    commands.required = True

    validate = commands.add_parser(
        "validate", help="read and check a scenario's exports; print the segment report",
        description="Read the accounts and people of SCENARIO, check every row, and print "
        "accounts per segment, people per role and team, and all warnings and errors. "
        "Exit 0 when the inputs are usable, 2 when they are not.",
    )
    validate.add_argument("scenario", type=Path, help="scenario TOML file")
    validate.set_defaults(func=cmd_validate)

    segments = commands.add_parser(
        "segments", help="print the first-principles segment table",
        description="Segments from a span of control: an organization with L levels has at "
        "most (span^L - 1)/(span - 1) employees.",
    )
    segments.add_argument("--span", type=int, default=7,
                          help="reports per manager (default 7)")
    segments.add_argument("--levels", default="3-6",
                          help="fewest-most reporting levels, e.g. 3-6 (default)")
    segments.set_defaults(func=cmd_segments)

    plan = commands.add_parser(
        "plan", help="plan the realignment: owners, handoff weeks, workbook and CRM CSV",
        description="Read and validate the inputs, place accounts in segments, choose the "
        "new owners, schedule every handoff, check the plan without the solver, and write "
        "the workbook and the CRM update CSV.",
    )
    plan.add_argument("scenario", type=Path, help="scenario TOML file")
    _add_plan_options(plan)
    plan.set_defaults(func=cmd_plan)

    demo = commands.add_parser(
        "demo", help="plan the bundled reference scenario",
        description=f"Run `planner plan` on the bundled {REFERENCE_SCENARIO.name}.",
    )
    demo.add_argument("--scenario", type=Path, default=REFERENCE_SCENARIO,
                      help="scenario to use instead of the bundled reference")
    _add_plan_options(demo)
    demo.set_defaults(func=cmd_demo)

    importer = commands.add_parser(
        "import", help="turn a public CRM sample into planner inputs and a scenario",
        description="Write accounts.csv, people.csv and a scenario TOML from a public "
        "data set, and print the rules used to derive what the source lacks.",
    )
    importer.add_argument("source", choices=["maven-crm", "uk-employers"],
                          help="which data set")
    importer.add_argument("source_dir", type=Path,
                          help="folder holding the data set (maven-crm) or the employers CSV "
                          "(uk-employers)")
    importer.add_argument("--out", type=Path, required=True, help="folder to write into")
    importer.set_defaults(func=cmd_import)
    return parser


def _add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="workbook to write (default: out/<scenario name>.xlsx); the "
                        "CRM CSV goes beside it")
    parser.add_argument("--previous", type=Path, default=None,
                        help="an earlier plan workbook, maybe edited: rows with Locked = Y "
                        "keep their owner and week")
    parser.add_argument("--force-locks", action="store_true",
                        help="drop locked rows that break a hard rule instead of stopping")
    parser.add_argument("--quiet", action="store_true",
                        help="no progress lines (for scripts); the summary and the paths of "
                        "the files written still go to stdout")


def segments_table(span: int, fewest: int, most: int) -> str:
    """The first-principles table as text: persona, levels, min, max."""
    rows = [("persona", "levels", "min employees", "max employees")]
    for segment in derived_segments(span, fewest, most):
        top = "none" if segment.max_employees is None else str(segment.max_employees)
        rows.append((segment.name, segment.levels, str(segment.min_employees), top))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [f"Segments from first principles: span {span}, levels {fewest}-{most}"]
    for row in rows:
        lines.append("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                               for i, cell in enumerate(row)).rstrip())
    return "\n".join(lines)


def cmd_segments(args: argparse.Namespace) -> int:
    if args.span < 2:
        print(f"error: --span {args.span}: expected an integer of at least 2", file=sys.stderr)
        return EXIT_INPUT
    try:
        fewest, most = parse_levels(args.levels)
    except ScenarioError as exc:
        print(f"error: --{exc}", file=sys.stderr)
        return EXIT_INPUT
    print(segments_table(args.span, fewest, most))
    return EXIT_OK


def cmd_validate(args: argparse.Namespace) -> int:
    from planner.io.readers import read_inputs
    from planner.validate import validation_report

    scenario = load_scenario(args.scenario)
    try:
        inputs = read_inputs(scenario)
    except InputError:
        print("\n".join(what_was_read(scenario)), file=sys.stderr)
        raise  # listed by main() as errors then warnings, exit 2
    print(validation_report(scenario, inputs))
    return EXIT_OK


def what_was_read(scenario: Scenario) -> list[str]:
    """Files, rows and encodings read, for a validation that found errors (the counts a
    successful one prints are not available then)."""
    from planner.io.readers import read_input_table

    settings = scenario.inputs
    lines = [f"Scenario: {scenario.name} ({scenario.path.name})"]
    files = ["Accounts"] + (["People"] if settings.people is not None else [])
    for label in files:
        table = read_input_table(scenario, label.lower())  # as read_inputs reads it
        if not table.headers:
            lines.append(f"{label} read:".ljust(15) + f"nothing from {table.file}")
            continue
        how = table.encoding or f"XLSX, sheet '{table.sheet}'"
        rows = f"{len(table.rows):,} row{'' if len(table.rows) == 1 else 's'}"
        lines.append(f"{label} read:".ljust(15) + f"{rows} from {table.file} ({how})")
    return lines + [""]


def cmd_demo(args: argparse.Namespace) -> int:
    return cmd_plan(args)


def cmd_plan(args: argparse.Namespace) -> int:
    from planner.run import default_output, run_plan

    scenario = load_scenario(args.scenario)
    out = args.out or default_output(scenario)
    say = (lambda _text: None) if args.quiet else _progress_line
    outcome = _interruptible(lambda: run_plan(
        scenario, out, previous=args.previous, force_locks=args.force_locks, progress=say))
    _clear_progress(args.quiet)
    for warning in outcome.warnings:
        print(f"Warning: {warning}", file=sys.stderr)
    if outcome.lock_problems and outcome.workbook is None:
        print("Locked rows of the previous plan cannot be kept as locked (nothing was "
              "written; fix these rows, unlock them, or run with --force-locks to drop "
              "these locks):", file=sys.stderr)
        print("\n".join(f"  - {p}" for p in outcome.lock_problems), file=sys.stderr)
        return EXIT_INPUT
    print(outcome.summary)  # --quiet silences progress only: scripts read this
    return EXIT_OK


#: What each importer reads: files in a folder (maven-crm), columns of a file (uk-employers).
MAVEN_FILES = ("accounts.csv", "sales_teams.csv", "sales_pipeline.csv")
UK_COLUMNS = ("EmployerId", "EmployerName", "EmployerSize", "DateSubmitted", "PostCode")


def cmd_import(args: argparse.Namespace) -> int:
    from planner.importers.maven import import_maven_crm
    from planner.importers.uk import generate_uk_scenario

    if not args.source_dir.exists():
        print(f"error: {args.source_dir}: not found", file=sys.stderr)
        return EXIT_INPUT
    try:
        if args.source == "maven-crm":
            problem = _missing_files(args.source_dir, MAVEN_FILES)
            summary = None if problem else import_maven_crm(args.source_dir, args.out)
        else:
            source = args.source_dir
            if source.is_dir():
                source = source / "employers_2021_22.csv"
            problem = _missing_columns(source, UK_COLUMNS)
            summary = None if problem else generate_uk_scenario(source, args.out)
    except (KeyError, ValueError, FileNotFoundError, UnicodeDecodeError) as exc:
        problem = f"{args.source_dir}: not the {args.source} data set ({_describe(exc)})"
    if summary is None:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    print("\n".join(summary.lines()))
    print()
    print(summary.rules)
    return EXIT_OK


def _missing_files(folder: Path, names: Sequence[str]) -> str:
    """"" when ``folder`` holds every file of ``names``, else what is missing."""
    if not folder.is_dir():
        return (f"{folder}: expected the folder of the Maven CRM data set, holding "
                f"{', '.join(names)}")
    missing = [n for n in names if not (folder / n).is_file()]
    if not missing:
        return ""
    return (f"{folder}: {', '.join(missing)} not found; the Maven CRM data set's folder "
            f"holds {', '.join(names)}")


def _missing_columns(path: Path, columns: Sequence[str]) -> str:
    """"" when the CSV at ``path`` has every header of ``columns``, else what is missing."""
    import csv

    if not path.is_file():
        return f"{path}: not found; expected the UK employers CSV (employers_2021_22.csv)"
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            header = next(csv.reader(handle), [])
    except (OSError, UnicodeDecodeError) as exc:
        return f"{path}: cannot be read as a UTF-8 CSV ({_describe(exc)})"
    missing = [c for c in columns if c not in header]
    if not missing:
        return ""
    found = ", ".join(header[:12]) + (", ..." if len(header) > 12 else "")
    return (f"{path}: column(s) {', '.join(missing)} not found; the UK employers CSV has "
            f"{', '.join(columns)} (headers found: {found or 'none'})")


def _describe(exc: BaseException) -> str:
    if isinstance(exc, KeyError):
        return f"column {exc.args[0]!r} missing"
    if isinstance(exc, FileNotFoundError):
        return f"{exc.filename} not found"
    return str(exc)


def _progress_line(text: str) -> None:
    """One updating line on a terminal; plain lines when output is redirected."""
    if sys.stderr.isatty():
        print(f"\r\033[K{text}", end="", file=sys.stderr, flush=True)
    else:
        print(text, file=sys.stderr)


def _clear_progress(quiet: bool) -> None:
    if not quiet and sys.stderr.isatty():
        print("\r\033[K", end="", file=sys.stderr, flush=True)


def print_input_error(error: InputError) -> None:
    """Errors first, then warnings, as readable lists on stderr."""
    from planner.validate import format_problems

    errors = [p for p in error.problems if p.severity == "error"]
    warnings = [p for p in error.problems if p.severity != "error"]
    print(f"Errors: {len(errors)} (nothing was written; fix these and run again)",
          file=sys.stderr)
    print("\n".join(format_problems(errors, per_group=20)), file=sys.stderr)
    if warnings:
        print(f"\nWarnings: {len(warnings)}", file=sys.stderr)
        print("\n".join(format_problems(warnings)), file=sys.stderr)


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(level=level, format="%(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr, force=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `planner` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    _configure_logging(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    try:
        code = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except KeyboardInterrupt:  # Ctrl-C before the run started, or outside `plan`
        _clear_progress(False)
        print(INTERRUPTED if args.command in ("plan", "demo") else "interrupted",
              file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _pipe_closed()
    except ScenarioError as exc:
        print(f"Scenario error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except InputError as exc:
        print_input_error(exc)
        return EXIT_INPUT
    except OutputError as exc:
        print(f"Output error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except Exception:  # noqa: BLE001 - the last line of defence reports and exits 1
        log.exception("unexpected error")
        print("Unexpected error (see the log above); please report it.", file=sys.stderr)
        return EXIT_UNEXPECTED


def _pipe_closed() -> int:
    """The reader of our output went away (``planner validate ... | head``): stop quietly.

    Output still buffered would fail again when Python exits, so stdout is pointed at
    /dev/null. The exit code is the shell's for a process stopped by a closed pipe."""
    with open(os.devnull, "w", encoding="utf-8") as devnull:
        os.dup2(devnull.fileno(), sys.stdout.fileno())
    return EXIT_PIPE_CLOSED


def _interruptible(job: Callable[[], T]) -> T:
    """Run ``job`` in a worker thread so that Ctrl-C is honoured at once, whatever it does.

    Python runs signal handlers in the main thread only, between bytecodes: a CP-SAT solve
    or a thread-pool join in the main thread holds a Ctrl-C back until it ends (and an
    interrupted join can hang the exit for good). Here the main thread only waits; on
    Ctrl-C it closes the outputs (no rename may follow, temporary files are removed) and
    ends the process with its solver threads: exit 130, the previous plan untouched.
    """
    if threading.current_thread() is not threading.main_thread():
        return job()  # signals reach the main thread only; nothing to guard here
    outcome: dict[str, Any] = {}

    def work() -> None:
        try:
            outcome["value"] = job()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the main thread below
            outcome["error"] = exc

    worker = threading.Thread(target=work, name="planner-run", daemon=True)
    before = len(committed_outputs())
    try:
        worker.start()
        while worker.is_alive():
            worker.join(0.1)
    except KeyboardInterrupt:
        _stop_now(close_outputs()[before:])
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


def _stop_now(written: Sequence[Path]) -> None:
    """Say what Ctrl-C left behind and end the process at once (solver threads included:
    waiting for them is what made the interrupt hang)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not cut this short
    _clear_progress(False)
    if written:  # the renames had already happened: say so rather than claim otherwise
        print("interrupted after the plan was written: "
              + ", ".join(str(p) for p in written), file=sys.stderr)
    else:
        print(INTERRUPTED, file=sys.stderr)
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except OSError:
            pass
    logging.shutdown()
    os._exit(EXIT_INTERRUPTED)


if __name__ == "__main__":
    sys.exit(main())
