"""The `planner` command: thin commands over the library; the only module that prints.

Exit codes: 0 ok, 2 input or scenario errors (listed; nothing written), 1 unexpected,
130 interrupted (Ctrl-C; nothing written).
"""

from __future__ import annotations

# Ctrl-C first: these lines run before anything slow is imported (the package imports its
# names lazily), so that the command never shows a KeyboardInterrupt traceback.
import os
import signal
import sys

EXIT_OK, EXIT_UNEXPECTED, EXIT_INPUT, EXIT_INTERRUPTED, EXIT_PIPE_CLOSED = 0, 1, 2, 130, 141
INTERRUPTED = "interrupted: nothing was written; the previous plan is unchanged"
PLAN_COMMANDS = ("plan", "demo")


def interrupted_text(command: str | None) -> str:
    """What Ctrl-C prints: `plan` and `demo` say that the previous plan is unchanged."""
    return INTERRUPTED if command in PLAN_COMMANDS else "interrupted"


def _interrupted_before_writing(_signum: int, _frame: object) -> None:
    """Ctrl-C while nothing can have been written yet (Python importing pandas and
    OR-Tools, the arguments read, the inputs checked): say so and stop at once, exit 130.

    Stopping here, rather than raising KeyboardInterrupt, is what keeps the promise: an
    exception raised in the middle of a library's import can end as a traceback, or be
    swallowed by the library and let the run go on."""
    command = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    try:
        sys.stderr.write(interrupted_text(command) + "\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_INTERRUPTED)


def _started_as_the_command() -> bool:
    """True when this import starts the `planner` command (its console script, or
    ``python -m planner.cli``); False when a test, a notebook or another program imports
    the module: their Ctrl-C is theirs."""
    if __name__ == "__main__":
        return True
    main_file = getattr(sys.modules.get("__main__"), "__file__", None) or ""
    return os.path.splitext(os.path.basename(main_file))[0].lower() in ("planner",
                                                                        "planner-script")


def interrupts_as_exceptions() -> None:
    """From here on Ctrl-C raises KeyboardInterrupt (Python's way), for code that must clean
    up its temporary files before it stops: called just before a command starts writing."""
    if signal.getsignal(signal.SIGINT) is _interrupted_before_writing:
        signal.signal(signal.SIGINT, signal.default_int_handler)


if _started_as_the_command():
    signal.signal(signal.SIGINT, _interrupted_before_writing)

import argparse  # noqa: E402 - after the Ctrl-C handler, on purpose
import logging  # noqa: E402
import threading  # noqa: E402
from collections.abc import Callable, Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any, TypeVar  # noqa: E402

from planner.domain import InputError  # noqa: E402
from planner.io.atomic import (  # noqa: E402
    OutputError,
    close_outputs,
    committed_outputs,
    ensure_writable,
)
from planner.scenario import (  # noqa: E402
    Scenario,
    ScenarioError,
    load_scenario,
    parse_levels,
)
from planner.segments import derived_segments  # noqa: E402

log = logging.getLogger(__name__)
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
        description="Write accounts.csv, people.csv and a scenario TOML (maven-crm.toml or "
        "uk-employers.toml) from a public data set, and print the rules used to derive what "
        "the source lacks (also written as comments at the top of the scenario). Files "
        "already in the --out folder are never replaced without --force.",
    )
    importer.add_argument("source", choices=["maven-crm", "uk-employers"],
                          help="which data set")
    importer.add_argument("source_dir", type=Path,
                          help="folder holding the data set (maven-crm) or the employers CSV "
                          "(uk-employers)")
    importer.add_argument("--out", type=Path, required=True,
                          help="folder to write into (created when missing)")
    importer.add_argument("--force", action="store_true",
                          help="replace accounts.csv, people.csv and the scenario when the "
                          "--out folder already holds them (without it the import stops, "
                          "exit 2, and writes nothing)")
    importer.set_defaults(func=cmd_import)
    return parser


def _add_plan_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, default=None,
                        help="workbook to write (default: out/<scenario name>.xlsx); the "
                        "CRM CSV goes beside it. Never the --previous workbook: the run "
                        "stops rather than write over the manager's edits")
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


def scenario_from(path: Path) -> Scenario:
    """``load_scenario`` with a clear word for a folder given where a .toml file belongs."""
    if path.resolve().is_dir():  # resolved as load_scenario does ("a/file/.." too)
        found = sorted(p.name for p in path.resolve().glob("*.toml"))
        hint = (f" (this folder holds {', '.join(found[:5])}{', ...' if len(found) > 5 else ''})"
                if found else "")
        raise ScenarioError(f"{path}: is a folder; expected a scenario .toml file{hint}")
    return load_scenario(path)


def cmd_validate(args: argparse.Namespace) -> int:
    from planner.io.readers import read_inputs
    from planner.validate import validation_report

    scenario = scenario_from(args.scenario)
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

    scenario = scenario_from(args.scenario)
    out = args.out or default_output(scenario)
    if args.previous is not None and same_file(out, args.previous):
        raise OutputError(f"--out would replace the previous plan you are re-planning from "
                          f"({args.previous}); write the new plan to another file", out)
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


def same_file(first: Path, second: Path) -> bool:
    """True when the two paths name one file: the same resolved path, or (both existing) a
    link or another spelling of it on a case-insensitive disk."""
    if first.resolve() == second.resolve():
        return True
    try:
        return os.path.samefile(first, second)
    except OSError:  # one of them does not exist
        return False


#: What each importer reads: files in a folder (maven-crm), columns of a file (uk-employers).
MAVEN_FILES = ("accounts.csv", "sales_teams.csv", "sales_pipeline.csv")
UK_COLUMNS = ("EmployerId", "EmployerName", "EmployerSize", "DateSubmitted", "PostCode")


def cmd_import(args: argparse.Namespace) -> int:
    from planner.importers.common import output_files
    from planner.importers.maven import SCENARIO_FILE as MAVEN_SCENARIO
    from planner.importers.maven import import_maven_crm
    from planner.importers.uk import SCENARIO_FILE as UK_SCENARIO
    from planner.importers.uk import generate_uk_scenario

    if not args.source_dir.exists():
        print(f"error: {args.source_dir}: not found", file=sys.stderr)
        return EXIT_INPUT
    if args.source == "maven-crm":
        sources = [args.source_dir / name for name in MAVEN_FILES]
        problem = _missing_files(args.source_dir, MAVEN_FILES)
        outputs = output_files(args.out, MAVEN_SCENARIO)
    else:
        source = args.source_dir
        if source.is_dir():
            source = source / "employers_2021_22.csv"
        sources = [source]
        problem = _missing_columns(source, UK_COLUMNS)
        outputs = output_files(args.out, UK_SCENARIO)
    problem = problem or _would_overwrite(args.out, outputs, sources, args.force)
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return EXIT_INPUT
    ensure_writable(outputs[0])  # the folder, before the source is read (OutputError)
    interrupts_as_exceptions()  # Ctrl-C while writing: the temporary files are removed
    try:
        if args.source == "maven-crm":
            summary = import_maven_crm(args.source_dir, args.out)
        else:
            summary = generate_uk_scenario(sources[0], args.out)
    except (KeyError, ValueError, FileNotFoundError, UnicodeDecodeError) as exc:
        print(f"error: {args.source_dir}: not the {args.source} data set ({_describe(exc)})",
              file=sys.stderr)
        return EXIT_INPUT
    except OutputError as exc:  # the three files are written together: none was
        raise OutputError(f"{exc}; nothing was written", exc.path) from exc
    print("\n".join(summary.lines()))
    print()
    print(summary.rules)
    return EXIT_OK


def _would_overwrite(out: Path, files: Sequence[Path], sources: Sequence[Path],
                     force: bool) -> str:
    """"" when the import may write ``files`` into ``out``, else why not: ``out`` is a file;
    a file would replace one of the data set's own (even with ``force``); or ``out``
    already holds some of them and ``force`` is off (an import must not silently replace
    a CRM export or a scenario someone edited)."""
    if out.exists() and not out.is_dir():
        return f"--out {out}: is a file; expected the folder to write the inputs into"
    clash = [f for f in files for s in sources if same_file(f, s)]
    if clash:
        return (f"--out {out}: {', '.join(f.name for f in clash)} would replace the data "
                "set's own file; write the inputs to another folder")
    existing = [f for f in files if f.exists()]
    if not existing or force:
        return ""
    return (f"{out} already holds {', '.join(f.name for f in existing)}; the import would "
            "replace them (nothing was written). Give another --out folder, or add --force "
            "to replace them")


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


def print_input_error(error: InputError, writes: bool = True) -> None:
    """Errors first, then warnings, as readable lists on stderr. ``writes``: the command
    writes files (then the header says nothing was written)."""
    from planner.validate import format_problems

    errors = [p for p in error.problems if p.severity == "error"]
    warnings = [p for p in error.problems if p.severity != "error"]
    done = "nothing was written; " if writes else ""
    print(f"Errors: {len(errors)} ({done}fix these and run again)", file=sys.stderr)
    print("\n".join(format_problems(errors, per_group=20)), file=sys.stderr)
    if warnings:
        print(f"\nWarnings: {len(warnings)}", file=sys.stderr)
        print("\n".join(format_problems(warnings)), file=sys.stderr)


class _PlainWarnings(logging.Formatter):
    """Without -v, the planner's warnings read like the CLI's own lines ("Warning: ..."),
    not like a log ("WARNING planner.teams: ...")."""

    def format(self, record: logging.LogRecord) -> str:
        word = "Warning" if record.levelno < logging.ERROR else "Error"
        text = f"{word}: {record.getMessage()}"
        if record.exc_info:  # the last line of defence in main(): keep the traceback
            text += "\n" + self.formatException(record.exc_info)
        if sys.stderr.isatty():  # start a fresh line over a progress line
            text = "\r\033[K" + text
        return text


def _plain_console(record: logging.LogRecord) -> bool:
    """Without -v: the planner's warnings and errors; other libraries' errors only."""
    return record.levelno >= logging.ERROR or record.name.split(".")[0] == "planner"


def _configure_logging(verbosity: int) -> None:
    """Without -v only warnings reach the console, in plain words; -v adds the progress
    log (info), -vv everything (debug), in the log format that names the module."""
    handler = logging.StreamHandler(sys.stderr)
    if verbosity == 0:
        handler.setFormatter(_PlainWarnings())
        handler.addFilter(_plain_console)
    else:
        handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    level = (logging.WARNING, logging.INFO)[verbosity] if verbosity < 2 else logging.DEBUG
    logging.basicConfig(level=level, handlers=[handler], force=True)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `planner` command; returns the exit code."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (2)
        return int(exc.code or 0)
    _configure_logging(args.verbose)
    func: Callable[[argparse.Namespace], int] = args.func
    before = len(committed_outputs())
    try:
        code = func(args)
        sys.stdout.flush()  # a closed pipe shows here, not in the interpreter's last flush
        return code
    except KeyboardInterrupt:  # Ctrl-C in `import` (its files are removed by now), or in a
        # test or a program that called main(): nothing was written
        if _started_as_the_command():  # (a test's or a program's Ctrl-C stays theirs)
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second one must not cut this
        _clear_progress(False)
        written = committed_outputs()[before:]  # Ctrl-C while the summary was printed
        print(f"interrupted after the plan was written: {', '.join(map(str, written))}"
              if written else interrupted_text(args.command), file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        return _pipe_closed()
    except ScenarioError as exc:
        print(f"Scenario error: {exc}", file=sys.stderr)
        return EXIT_INPUT
    except InputError as exc:
        print_input_error(exc, writes=args.command in ("plan", "demo", "import"))
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
    interrupts_as_exceptions()  # the join below catches them, and closes the outputs
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
