"""The command line: ``python run.py [command] ...``. With no command it runs the default scenario.

parser.py holds every command's options, help and examples; each command is a short function in run.py,
studies.py, history.py, classroom.py or info.py that checks its arguments, calls the function in the layer
below that does the work (report, experiments, study, play) and prints. Every user mistake (bad scenario,
bad override, missing file, an extra not installed) is printed as one clear message naming the file, the
field and what is allowed, and the command exits with status 2; never a traceback.
"""

from __future__ import annotations

import sys

from wargame.cli.classroom import cmd_lab, cmd_play, cmd_serve
from wargame.cli.discover import cmd_discover
from wargame.cli.history import cmd_counterfactuals, cmd_validate_history
from wargame.cli.info import cmd_map, cmd_places, cmd_scenarios, cmd_validate
from wargame.cli.parser import build_parser
from wargame.cli.run import cmd_compare, cmd_report, cmd_run
from wargame.cli.studies import cmd_fans, cmd_study
from wargame.core.errors import WargameError

COMMANDS = {"run": cmd_run, "compare": cmd_compare, "report": cmd_report, "map": cmd_map,
            "scenarios": cmd_scenarios, "validate": cmd_validate, "validate-history": cmd_validate_history,
            "counterfactuals": cmd_counterfactuals, "places": cmd_places, "sweep": cmd_study,
            "sensitivity": cmd_study, "calibrate": cmd_study, "play": cmd_play, "lab": cmd_lab, "serve": cmd_serve}
COMMANDS["discover"] = cmd_discover
COMMANDS["fans"] = cmd_fans


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or (argv[0] not in COMMANDS and argv[0] not in ("-h", "--help")):
        argv = ["run", *argv]   # `python run.py [run options]` runs the default command
    args = parser.parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except WargameError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\ninterrupted: no result file was left half-written; ensembles and studies keep their finished "
              "runs (run the same command again to resume; a sweep, sensitivity or calibrate study with --resume)",
              file=sys.stderr)
        return 130
