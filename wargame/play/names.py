"""Places and sectors as people type them: "Aleppo airport" as the map labels it, "Idlib" with a capital,
"deir ez-zor", "Saraqib" or the id "saraqib" all name the same thing. One resolver serves the web pages and
the hot-seat, so a name accepted in one is accepted in the other.

    names = PlaceNames.of(theatre, sectors)
    names.place("Aleppo airport")   -> "aleppo_airport"
    names.sector("Deir ez-Zor")     -> "deir_ez_zor"
    names.place("Pariss")           -> None; names.suggest_place("Pariss") gives close names for a message

A name is matched on a folded form: case, hyphens, underscores, apostrophes and repeated spaces do not
count. The forms of a place, most specific first: its id, its full name, its name without the detail in
parentheses, the label the map writes (wargame.report.maps.theatre.map_label), the detail in parentheses
when it is another name ("Kobani (Ayn al-Arab)"), and each of these without a leading Arabic article
("Atarib" for "Al-Atarib"). A form two places share at the same rank names neither (the message offers
each one's name); a more specific form of one place wins over a looser form of another ("Jarablus" is the
town, not the crossing the map also labels "Jarablus"). Lists and messages show each place by a name of its
own (unique_labels: "Jarablus" and "Jarablus crossing (Turkey)"), which resolves back to it.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field

from wargame.report.maps.theatre import map_label

ARTICLES = ("al ", "as ", "an ", "ar ", "ad ", "ash ", "at ", "az ", "el ")
MAX_SUGGESTIONS = 3          # close names offered in a message
SUGGEST_CUTOFF = 0.72        # difflib ratio below which a name is not offered as meant


def fold(text: str) -> str:
    """The form names are compared in: lower case, hyphens, underscores and apostrophes as spaces."""
    return " ".join(re.sub(r"[-_'’`]", " ", str(text)).casefold().split())


def forms(pid: str, place) -> list[list[str]]:
    """The folded forms of a place by rank (most specific first)."""
    full = place.name
    short = full.split(" (")[0]
    detail = full[len(short) + 2:-1] if full.endswith(")") and " (" in full else ""
    ranks = [[pid], [full], [short], [map_label(place)]]
    if detail and "," not in detail and detail.lower() not in ("turkey", "iraq", "jordan", "lebanon", "aleppo"):
        ranks.append([detail])                    # "Ayn al-Arab", "Tadmur", "al-Nayrab": another name
    ranks = [[fold(x) for x in rank] for rank in ranks]
    bare = [[x[len(a):] for x in rank for a in ARTICLES if x.startswith(a)] for rank in ranks]
    return ranks + [b for b in bare if b]


@dataclass
class Resolver:
    """Folded form -> id, built rank by rank; `labels` are the names shown in messages."""
    known: dict[str, str] = field(default_factory=dict)
    ambiguous: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, places: dict) -> Resolver:
        out = cls(labels=unique_labels(places))
        by_place = {pid: forms(pid, p) for pid, p in places.items()}
        depth = max((len(r) for r in by_place.values()), default=0)
        for rank in range(depth):
            this_rank: dict[str, set[str]] = {}
            for pid, ranks in by_place.items():
                for form in ranks[rank] if rank < len(ranks) else []:
                    this_rank.setdefault(form, set()).add(pid)
            for form, pids in this_rank.items():
                if form in out.known or form in out.ambiguous:
                    continue                      # a more specific form already names something
                if len(pids) == 1:
                    out.known[form] = next(iter(pids))
                else:
                    out.ambiguous[form] = sorted(pids)
        return out

    def __call__(self, text) -> str | None:
        return self.known.get(fold(text)) if isinstance(text, str) else None

    def suggest(self, text) -> list[str]:
        """Close names for a message: the names a typed name may have meant ("Saraqib"), as the map writes
        them, never an id (each label names one place: unique_labels, and resolves to it)."""
        key = fold(text) if isinstance(text, str) else ""
        if key in self.ambiguous:
            return [self.labels[p] for p in self.ambiguous[key]]
        near = difflib.get_close_matches(key, list(self.known), n=MAX_SUGGESTIONS * 3, cutoff=SUGGEST_CUTOFF)
        pids = list(dict.fromkeys(self.known[k] for k in near))[:MAX_SUGGESTIONS]
        return [self.labels[p] for p in pids]


def unique_labels(places: dict) -> dict[str, str]:
    """The name each place is shown by: the map's label, or, where two places share it (Jarablus, the town
    and the crossing), each one's full name, so a list or a message never offers two alike; the id is the
    last resort."""
    labels = {pid: map_label(p) for pid, p in places.items()}
    shared = Counter(labels.values())
    for pid, p in places.items():
        if shared[labels[pid]] > 1:
            labels[pid] = str(getattr(p, "name", "") or pid)
    shared = Counter(labels.values())
    return {pid: label if shared[label] == 1 else f"{label} ({pid})" for pid, label in labels.items()}


class PlaceNames:
    """The resolvers of one game: places on the map (axes of attack) and sectors."""

    def __init__(self, places: dict, sector_ids: list[str], sector_names: dict[str, str]):
        self.place = Resolver.build(places)
        sector_places = {s: places[s] for s in sector_ids if s in places}
        self.sector = Resolver.build(sector_places)
        for s in sector_ids:                      # a sector named after no place (another map's cities)
            if s not in sector_places:
                self.sector.known.setdefault(fold(s), s)
                self.sector.known.setdefault(fold(sector_names.get(s, s)), s)
                self.sector.labels[s] = sector_names.get(s, s)

    @classmethod
    def of(cls, theatre, sectors) -> PlaceNames:
        places = {p: theatre.geodata.places[p] for p in theatre.place_cell}
        return cls(places, list(sectors.ids), dict(sectors.names))

    def suggest_place(self, text) -> list[str]:
        return self.place.suggest(text)

    def suggest_sector(self, text) -> list[str]:
        return self.sector.suggest(text)

    def suggest_target(self, text) -> list[str]:
        """Close names for an air target: sectors', then places'."""
        return list(dict.fromkeys(self.sector.suggest(text) + self.place.suggest(text)))[:MAX_SUGGESTIONS]


def canonical_orders(raw, names: PlaceNames | None):
    """A team's orders with every sector and place named as its id where the name is known; a name that
    is not known is left as typed, for the validation to refuse with a message naming it."""
    if names is None or not isinstance(raw, dict):
        return raw
    out = dict(raw)
    sectors = raw.get("sectors")
    if isinstance(sectors, dict):
        fixed = {}
        for key, order in sectors.items():
            if isinstance(order, dict) and isinstance(order.get("axis"), str):
                order = {**order, "axis": names.place(order["axis"]) or order["axis"]}
            if isinstance(order, dict) and isinstance(order.get("stance"), str):
                order = {**order, "stance": order["stance"].strip().lower()}
            fixed[names.sector(key) or key] = order
        out["sectors"] = fixed
    if isinstance(raw.get("air_priorities"), list):
        # an air target is a sector or a place (play.airpower): a sector's name first, as the form offers both
        out["air_priorities"] = [names.sector(x) or names.place(x) or x for x in raw["air_priorities"]]
    if isinstance(raw.get("reserves_to"), str):
        out["reserves_to"] = names.sector(raw["reserves_to"]) or raw["reserves_to"]
    return out
