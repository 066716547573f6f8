"""The rounds of movement (rules.movement): each round every still-moving unit picks its next cell down its
cost field and the stacking rule settles who enters; budgets are spent, banked or lost as it goes.

Two implementations give the same arrays bit for bit:

- `rounds_numpy`: column at a time over the movers. About 60 numpy calls a round on arrays of a few hundred
  movers: the time goes on the calls, not the arithmetic.
- `rounds_scalar`: unit by unit, the same decisions in the same order, compiled by numba when it is
  installed (the `fast` extra). Uncompiled it is far slower than numpy (the tests still run it so, to
  check it without numba); compiled, the rounds take about a ninth of numpy's time (benchmarks/README.md).

`KERNEL` says which one `rounds` runs: "numba" when numba can be found and the environment variable
`WARGAME_NO_JIT` is unset (or "0"), "numpy" otherwise. numba itself is imported, and the kernel compiled
(or loaded from numba's cache), on the first call, not at import: the two cost about 1 s, which a command that
never moves a unit (validate, --help) should not pay. If numba then fails to import, `rounds` falls back to
numpy with a warning and `KERNEL` becomes "numpy".

Both are deterministic given their inputs: the random priority is drawn by the caller (model.rng), so the
model's random stream does not depend on the kernel.

Arguments (movers are indexed 0..m-1; cells 0..n-1; a slot is side x n + cell):
    start        (m,) int64     each mover's cell
    budget       (m,) float64   km it may spend this step
    field_row    (m,) int64     the row of `fields` it walks down
    retreating   (m,) bool      routing or withdrawing: crossing enemy ground gains it nothing
    one_cell     (m,) bool      ordered to withdraw (not routing): it stops after one cell
    sides        (m,) int64     its side
    militia      (m,) bool      militia-kind: may not enter `blocked` cells
    priority     (m,) int64     a permutation of 0..m-1; the lower value enters a crowded cell first
    fields       (f, n) float64 cost-to-destination fields (finite or inf, never NaN)
    neighbours   (n, k) int64   each cell's neighbours, -1 where there is none
    stack        (sides x n,) int64  units of each side on each cell (not changed: the kernel copies it)
    enemy_at     (sides, n) bool     cells holding a fighting unit hostile to the side
    blocked      (n,) bool      cells militia may not enter
    control      (n,) int       side holding each cell, -1 for none
    hostile      (sides, sides) bool
    base_cost    (n,) float64   entry cost of each cell, km
    limit, hostile_factor, cell_km, max_rounds: the movement rules and the cell size
Returns (here, budget, gained_km): each mover's cell, the budget it has left (0 if it was stopped by
anything but the cost of its next cell) and the km it advanced into ground the enemy held.
"""

from __future__ import annotations

import importlib.util
import os
import warnings

import numpy as np


def rounds_numpy(start, budget, field_row, retreating, one_cell, sides, militia, priority, fields, neighbours,
                 stack, enemy_at, blocked, control, hostile, base_cost, limit, hostile_factor, cell_km,
                 max_rounds):
    n = fields.shape[1]
    count = start.size
    here = start.copy()
    budget = budget.copy()
    stack = stack.copy()
    moving = np.ones(count, dtype=bool)
    gained_km = np.zeros(count)

    for _ in range(max_rounds):
        active = np.flatnonzero(moving)
        if active.size == 0:
            break
        still = np.zeros(count, dtype=bool)
        nbrs = neighbours[here[active]]
        valid = nbrs >= 0
        nbrs_safe = np.where(valid, nbrs, 0)
        values = np.where(valid, fields[field_row[active][:, None], nbrs_safe], np.inf)
        best = np.argmin(values, axis=1)
        # a unit whose best cell is full of its own side steps to the next best cell that still leads
        # downhill (a column deploys instead of queueing); one facing the enemy stops there (contact)
        facing = enemy_at[sides[active], nbrs[np.arange(active.size), best]] & valid[np.arange(active.size), best]
        full = stack[sides[active][:, None] * n + nbrs_safe] >= limit
        closed = ~valid | full | enemy_at[sides[active][:, None], nbrs_safe] | (blocked[nbrs_safe] & militia[active][:, None])
        open_values = np.where(closed, np.inf, values)
        alternative = np.argmin(open_values, axis=1)
        best = np.where(~facing & np.isfinite(open_values[np.arange(active.size), alternative]), alternative, best)
        nxt = nbrs[np.arange(active.size), best]
        downhill = np.isfinite(values[np.arange(active.size), best]) & (
            values[np.arange(active.size), best] < fields[field_row[active], here[active]])
        nxt_safe = np.where(nxt >= 0, nxt, 0)
        hostile_held = (control[nxt_safe] >= 0) & hostile[sides[active], np.maximum(control[nxt_safe], 0)]
        # ground the enemy holds is slow only where he still fights for it: an enemy unit in a neighbouring cell
        beside = neighbours[nxt_safe]
        contested = hostile_held & (enemy_at[sides[active][:, None], np.where(beside >= 0, beside, 0)]
                                    & (beside >= 0)).any(axis=1)
        cost = base_cost[nxt_safe] * np.where(contested, hostile_factor, 1.0)
        free = downhill & ~enemy_at[sides[active], nxt_safe] & ~(blocked[nxt_safe] & militia[active])
        affordable = free & (budget[active] >= cost)
        # stacking: arrivals into a cell in priority order, up to the room its side has there
        candidates = active[affordable]
        slots = sides[candidates] * n + nxt_safe[affordable]
        order = np.lexsort((priority[candidates], slots))
        candidates, slots = candidates[order], slots[order]
        first = np.searchsorted(slots, slots, side="left")
        go = np.arange(slots.size) - first < limit - stack[slots]
        goers, dest = candidates[go], slots[go] % n
        still[active] = True
        still[goers] = False
        # units that could not afford the next cell bank their budget; blocked ones lose it
        banking = np.zeros(count, dtype=bool)
        banking[active[free & ~affordable]] = True
        budget[still & ~banking] = 0.0
        moving[still] = False
        np.add.at(stack, sides[goers] * n + here[goers], -1)
        np.add.at(stack, sides[goers] * n + dest, 1)
        position = np.searchsorted(active, goers)
        budget[goers] -= cost[position]
        gained_km[goers] += np.where(hostile_held[position] & ~retreating[goers], cell_km, 0.0)
        here[goers] = dest
        moving[goers[one_cell[goers]]] = False
    return here, budget, gained_km


def rounds_scalar(start, budget, field_row, retreating, one_cell, sides, militia, priority, fields, neighbours,
                  stack, enemy_at, blocked, control, hostile, base_cost, limit, hostile_factor, cell_km,
                  max_rounds):
    """`rounds_numpy` unit by unit, for numba. Every decision of a round reads the state at its start (the
    cells, the stacks), as the column-at-a-time version does; the float operations are the same ones on the
    same operands, so the results are bit for bit the same. np.argmin's first of equals is a strict `<` over
    the neighbours in order (they would differ only on NaN, which fields never hold)."""
    n = fields.shape[1]
    width = neighbours.shape[1]
    count = start.size
    here = start.copy()
    budget = budget.copy()
    stack = stack.copy()
    moving = np.ones(count, dtype=np.bool_)
    gained_km = np.zeros(count)
    # the round's choices, per mover
    nxt = np.zeros(count, dtype=np.int64)
    cost = np.zeros(count)
    affordable = np.zeros(count, dtype=np.bool_)
    banking = np.zeros(count, dtype=np.bool_)
    hostile_held = np.zeros(count, dtype=np.bool_)
    goes = np.zeros(count, dtype=np.bool_)
    arrivals = np.zeros(stack.size, dtype=np.int64)      # this round's entries into each slot, in priority order
    by_priority = np.argsort(priority)                   # a permutation: no ties, so the sort's kind is moot

    for _ in range(max_rounds):
        any_moving = False
        for unit in range(count):
            if not moving[unit]:
                continue
            any_moving = True
            affordable[unit] = False
            banking[unit] = False
            side = sides[unit]
            cell = here[unit]
            row = field_row[unit]
            # the lowest field value among the neighbours, and among the open ones (first of equals, as argmin)
            best = 0
            best_value = np.inf
            alternative = 0
            alternative_value = np.inf
            for j in range(width):
                neighbour = neighbours[cell, j]
                if neighbour < 0:
                    continue
                value = fields[row, neighbour]
                if value < best_value:
                    best, best_value = j, value
                closed = (stack[side * n + neighbour] >= limit or enemy_at[side, neighbour]
                          or (blocked[neighbour] and militia[unit]))
                if not closed and value < alternative_value:
                    alternative, alternative_value = j, value
            facing = neighbours[cell, best] >= 0 and enemy_at[side, neighbours[cell, best]]
            if not facing and np.isfinite(alternative_value):
                best, best_value = alternative, alternative_value
            target = neighbours[cell, best]
            downhill = np.isfinite(best_value) and best_value < fields[row, cell]
            if not downhill:
                continue
            # downhill implies a real neighbour (an absent one has an infinite value)
            if enemy_at[side, target] or (blocked[target] and militia[unit]):
                continue
            holder = control[target]
            held = holder >= 0 and hostile[side, holder]
            contested = False
            if held:
                for j in range(width):
                    beside = neighbours[target, j]
                    if beside >= 0 and enemy_at[side, beside]:
                        contested = True
                        break
            nxt[unit] = target
            cost[unit] = base_cost[target] * (hostile_factor if contested else 1.0)
            hostile_held[unit] = held
            affordable[unit] = budget[unit] >= cost[unit]
            banking[unit] = not affordable[unit]
        if not any_moving:
            break
        # stacking: arrivals into a slot in priority order, up to the room its side had there at the round's start
        for rank in range(count):
            unit = by_priority[rank]
            goes[unit] = False
            if moving[unit] and affordable[unit]:
                slot = sides[unit] * n + nxt[unit]
                if arrivals[slot] < limit - stack[slot]:
                    arrivals[slot] += 1
                    goes[unit] = True
        for unit in range(count):
            if not moving[unit]:
                continue
            if goes[unit]:
                side = sides[unit]
                arrivals[side * n + nxt[unit]] = 0
                stack[side * n + here[unit]] -= 1
                stack[side * n + nxt[unit]] += 1
                budget[unit] -= cost[unit]
                gained_km[unit] += cell_km if hostile_held[unit] and not retreating[unit] else 0.0
                here[unit] = nxt[unit]
                if one_cell[unit]:
                    moving[unit] = False
            else:
                # units that could not afford the next cell bank their budget; blocked ones lose it
                if not banking[unit]:
                    budget[unit] = 0.0
                moving[unit] = False
    return here, budget, gained_km


def _wanted() -> str:
    if os.environ.get("WARGAME_NO_JIT", "") not in ("", "0"):
        return "numpy"
    return "numba" if importlib.util.find_spec("numba") is not None else "numpy"


KERNEL = _wanted()
_compiled = None


def compiled_kernel():
    """`rounds_scalar` compiled by numba (imported here, on first use). It is compiled on its first call, or
    loaded from numba's cache on disk: beside this file if that is writable, else the user's cache directory
    (`NUMBA_CACHE_DIR` overrides both); if numba can write nowhere it is compiled uncached, in every process.
    Raises ImportError without numba."""
    global _compiled
    if _compiled is None:
        import numba

        try:
            _compiled = numba.njit(cache=True)(rounds_scalar)
        except RuntimeError:          # "cannot cache function ...: no locator available" (read-only everywhere)
            _compiled = numba.njit(rounds_scalar)
    return _compiled


def rounds(*arguments):
    """The rounds, by the kernel `KERNEL` names (see the module docstring for the arguments)."""
    global KERNEL
    if KERNEL == "numba":
        try:
            kernel = compiled_kernel()
        except ImportError as error:      # found but broken (say, built for another numpy): numpy gives the same
            warnings.warn(f"movement: numba does not import ({error}); using the numpy kernel", stacklevel=2)
            KERNEL = "numpy"
        else:
            return kernel(*arguments)
    return rounds_numpy(*arguments)
