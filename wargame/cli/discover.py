"""`discover`: scenario discovery over a finished study (wargame.study.discover); this command checks the
extra it needs, prints the share, the feature scores and the boxes, and says where it wrote them."""

from __future__ import annotations

import sys

from wargame.cli.support import require_extra


def cmd_discover(args) -> int:
    require_extra(("ema_workbench", "sklearn"), "analysis", "discover")
    from wargame.study.discover import discover
    from wargame.study.discover_report import summary_lines, write_discovery

    found = discover(args.directory, args.outcome, threshold=args.threshold, boxes=args.boxes, levers=args.lever,
                     uncertainties=args.uncertainty)
    command = "python run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "python run.py discover"
    out = write_discovery(found, args.out, command)
    print("\n".join(summary_lines(found)))
    print(f"  written  {out}/ (discover.html, boxes.csv, scores.csv, trajectory.csv, figures/)")
    return 0
