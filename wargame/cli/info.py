"""`scenarios`, `validate`, `places` and `map`: what the project holds, from wargame.report.catalogue."""

from __future__ import annotations


def cmd_scenarios(args) -> int:
    from wargame.report.catalogue import parameter_lines, scenario_list_lines

    lines = scenario_list_lines() if args.name is None else parameter_lines(args.name, args.assumptions)
    print("\n".join(lines))
    return 0


def cmd_validate(args) -> int:
    from wargame.core.errors import ScenarioError
    from wargame.core.scenario import load_scenario, parse_overrides
    from wargame.play.briefing import briefing_problems
    from wargame.report.catalogue import validation_lines

    lines = validation_lines(args.file, parse_overrides(args.overrides))
    # the briefings' levers and teams are the classroom's: checked here so a file fails before class
    problems = briefing_problems(load_scenario(args.file).scenario, str(args.file))
    if problems:
        raise ScenarioError(problems)
    print("\n".join(lines))
    return 0


def cmd_places(args) -> int:
    from wargame.report.catalogue import place_lines

    print("\n".join(place_lines(args.kind)))
    return 0


def cmd_map(args) -> int:
    from wargame.report.catalogue import draw_theatre_map

    print(f"Theatre map written to {draw_theatre_map(args.scenario, args.out, args.cell_km)}")
    return 0
