"""Uncertainties and levers, kept apart as the EMA Workbench keeps them (Kwakkel's XLRM framing: X the
uncertainties, L the levers). An uncertainty is what no actor in the war controls and the modeller does not
know: a behavioural rule, a faction's state (the SAA's pay, its morale). A lever is a policy an actor
chooses: Russia's drawdown, Israel's strike rate, Turkey's support, whether the Iraqi militias cross, how
many aircraft an air wing flies.

By default a parameter's role follows its path: `actors.*` (the strategic actors' policies) and `air.*`
(the air wings' sorties and aircraft) are levers; everything else (`rules.*`, `factions.*`, `units.*`,
`theatre.*`) is an uncertainty. A study file overrides it per parameter (`role = "lever"`), as do a
study command's `--lever PATH` / `--uncertainty PATH`, and `discover`'s same options override it at
analysis time.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from wargame.core.errors import WargameError

UNCERTAINTY, LEVER = "uncertainty", "lever"
ROLES = (UNCERTAINTY, LEVER)
LEVER_PREFIXES = ("actors.", "air.")


def default_role(path: str) -> str:
    return LEVER if path.startswith(LEVER_PREFIXES) else UNCERTAINTY


def study_roles(manifest: dict) -> dict[str, str]:
    """Each parameter's role in a study's manifest: as the study stated it (the spec's `role`), else the
    default of its path. A manifest written before roles existed has none stated, and gets the defaults."""
    stated = manifest.get("spec", {}).get("parameters", {})
    paths = [p["path"] for p in manifest.get("parameters", [])]
    return {path: (stated.get(path) or {}).get("role") or default_role(path) for path in paths}


def override_roles(roles: Mapping[str, str], levers: Iterable[str] = (), uncertainties: Iterable[str] = ()
                   ) -> dict[str, str]:
    """The roles with some parameters declared levers or uncertainties; a path that is not a parameter of
    the study is an error naming the option and the study's parameters."""
    out = dict(roles)
    for option, role, paths in (("--lever", LEVER, levers), ("--uncertainty", UNCERTAINTY, uncertainties)):
        for path in paths:
            if path not in out:
                raise WargameError(f"{option} {path}: not a parameter of this study; its parameters are "
                                   f"{', '.join(out)}")
            out[path] = role
    both = set(levers) & set(uncertainties)
    if both:
        raise WargameError(f"--lever and --uncertainty both name {', '.join(sorted(both))}: a parameter has one role")
    return out
