"""`discover`: scenario discovery over a finished study (wargame.study.discover); this command checks the
extra it needs, prints the share, the feature scores and the boxes, and says where it wrote them."""

from __future__ import annotations

import shlex
import sys

from wargame.cli.support import require_extra


def cmd_discover(args) -> int:
    require_extra(("ema_workbench", "sklearn"), "analysis", "discover")
    from wargame.study.discover import discover
    from wargame.study.discover_report import summary_lines, write_discovery

    found = discover(args.directory, args.outcome, threshold=args.threshold, boxes=args.boxes, levers=args.lever,
                     uncertainties=args.uncertainty)
    from wargame.cli.studies import typed_again

    # quoted as a shell needs it ("fell_hama < 10" unquoted would read a file named 10), paths as studies show them
    command = "python run.py " + " ".join(shlex.quote(typed_again(word)) for word in sys.argv[1:]) \
        if sys.argv[1:] else "python run.py discover"
    out = write_discovery(found, args.out, command)
    print("\n".join(summary_lines(found)))
    print(f"  written  {out}/ (discover.html, boxes.csv, scores.csv, trajectory.csv, figures/)")
    return 0
