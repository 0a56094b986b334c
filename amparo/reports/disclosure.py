"""Disclosure control: primary and complementary suppression, and the audit
that proves no suppressed figure can be narrowed below the threshold.

Framework-free. A release is described by *atoms*: groups of cases that
belong to exactly the same published cells (and the same period part, for
differencing). Every cell of every table, margins and totals included, is the
sum of the atoms it contains; that holds for multi-valued dimensions too (a
case coded with two reprisal types sits in two cells of a row but once in the
column total), so the audit models the real linear structure.

The audit is the attacker's linear programme: variables x_a >= 0 per atom,
one equation per published cell, and for each protected quantity the minimum
and maximum of its sum (HiGHS, through lp.py). Two deliberate choices make it
stricter than a real attacker, never laxer:

- atoms are the groups that actually hold cases: an attacker does not know
  which combinations are empty, so allowing only the non-empty ones narrows
  the feasible set and can only tighten the bounds found;
- bounds are rounded inwards to integers (ceil of the minimum, floor of the
  maximum), as an attacker who knows counts are whole numbers would.

What remains a limit (docs/statistics.md): the LP relaxation can be wider
than an integer programme's bounds on tables that are not two-dimensional.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from amparo.reports import lp

CellId = str
#: The smallest threshold the code accepts, whatever the setting says.
MIN_THRESHOLD = 3


@dataclass(frozen=True)
class Atom:
    """``count`` cases that fall in exactly ``cells``; ``part`` is their period part."""

    count: int
    cells: frozenset[CellId]
    part: Hashable = ()


@dataclass
class Structure:
    """Atoms merged by signature, and which atoms each cell holds."""

    counts: list[int]
    parts: list[Hashable]
    cell_atoms: dict[CellId, list[int]]

    @classmethod
    def from_atoms(cls, atoms: Iterable[Atom]) -> Structure:
        merged: dict[tuple[frozenset[CellId], Hashable], int] = {}
        for atom in atoms:
            if atom.count <= 0 or not atom.cells:
                continue
            key = (atom.cells, atom.part)
            merged[key] = merged.get(key, 0) + atom.count
        counts: list[int] = []
        parts: list[Hashable] = []
        cell_atoms: dict[CellId, list[int]] = {}
        for index, ((cells, part), count) in enumerate(merged.items()):
            counts.append(count)
            parts.append(part)
            for cell in cells:
                cell_atoms.setdefault(cell, []).append(index)
        return cls(counts=counts, parts=parts, cell_atoms=cell_atoms)

    def value(self, cell: CellId) -> int:
        return sum(self.counts[i] for i in self.cell_atoms.get(cell, ()))

    def atoms_of(self, cell: CellId) -> frozenset[int]:
        return frozenset(self.cell_atoms.get(cell, ()))

    def parts_of(self, cell: CellId) -> dict[Hashable, list[int]]:
        """The cell's atoms by period part (computed once per cell: audits ask often)."""
        cache: dict[CellId, dict[Hashable, list[int]]] = self.__dict__.setdefault("_parts", {})
        if cell not in cache:
            by_part: dict[Hashable, list[int]] = {}
            for index in self.cell_atoms.get(cell, ()):
                by_part.setdefault(self.parts[index], []).append(index)
            cache[cell] = by_part
        return cache[cell]


@dataclass(frozen=True)
class Bounds:
    low: int
    high: float  # math.inf when nothing published caps the quantity

    @property
    def width(self) -> float:
        return self.high - self.low


@dataclass
class Protection:
    """The outcome for one release: what is suppressed and what the audit found."""

    suppressed: set[CellId]
    primary: set[CellId]
    bounds: dict[str, Bounds] = field(default_factory=dict)
    #: Protected quantities that still fail (only when everything is withheld).
    failing: list[str] = field(default_factory=list)
    withheld: bool = False

    def is_safe(self, threshold: int) -> bool:
        return all(b.width >= threshold for b in self.bounds.values())


def audit(
    structure: Structure,
    published: Mapping[CellId, int],
    quantities: Mapping[str, Iterable[int]],
    *,
    stop_below: int | None = None,
    failing_below: int | None = None,
) -> dict[str, Bounds]:
    """Tightest bounds of each quantity (a set of atoms) given the published cells.

    With ``stop_below`` (a threshold), the audit stops at the first quantity
    narrower than it (whose reported bounds may then be looser than the
    tightest): for a yes-or-no question such as "can this cell be published
    back?", one failing quantity is the whole answer. With ``failing_below``,
    a quantity whose maximum is already below it is reported as [0, maximum]
    without solving for its minimum: failing either way.
    """
    n = len(structure.counts)
    if n == 0:
        return {name: Bounds(0, 0) for name in quantities}
    attacker = lp.tightest(n, published, structure.cell_atoms)
    result: dict[str, Bounds] = {}
    for name, atom_indices in quantities.items():
        atoms = list(atom_indices)
        high_lp = attacker.maximum(atoms)
        high: float = math.inf if math.isinf(high_lp) else math.floor(high_lp + 1e-6)
        if stop_below is not None and high < stop_below:
            # Even a minimum of 0 leaves it too narrow: no need to solve for it.
            result[name] = Bounds(0, high)
            return result
        if failing_below is not None and high < failing_below:
            result[name] = Bounds(0, high)
            continue
        low_lp = attacker.minimum(atoms)
        low = max(0, math.ceil(low_lp - 1e-6))
        result[name] = Bounds(low, high)
        if stop_below is not None and high - low < stop_below:
            return result
    return result


def _quantities(
    structure: Structure,
    suppressed: Iterable[CellId],
    cells: Iterable[CellId],
    threshold: int,
) -> dict[str, frozenset[int]]:
    """What must stay uncertain: every suppressed cell below the threshold, and
    every small cell-by-period part (differencing). A complementary cell of k
    or more cases may be narrowed: publishing it would have disclosed nothing."""
    quantities: dict[str, frozenset[int]] = {
        c: structure.atoms_of(c) for c in suppressed if 0 < structure.value(c) < threshold
    }
    for cell in cells:
        by_part = structure.parts_of(cell)
        if len(by_part) < 2:
            continue  # the part is the cell itself, already handled
        for part, indices in by_part.items():
            value = sum(structure.counts[i] for i in indices)
            if 0 < value < threshold:
                quantities[f"{cell}@{part!r}"] = frozenset(indices)
    return quantities


def protect(
    structure: Structure,
    cells: Sequence[CellId],
    threshold: int,
    *,
    margins: Iterable[CellId] = (),
    earlier_published: Mapping[CellId, int] | None = None,
    earlier_suppressed: Iterable[CellId] = (),
    max_rounds: int = 200,
) -> Protection:
    """Choose the cells of ``cells`` (the new release) to suppress, and audit.

    Primary: every cell with 0 < value < threshold. Complementary: while the
    audit finds a quantity narrower than ``threshold``, suppress one more
    cell that shares a published total with it (the smallest non-empty
    inner cell first; a margin only when no inner cell is left). Earlier
    releases in ``earlier_*`` are fixed: only the new release gains
    suppressions. If nothing more can be suppressed and a quantity still
    fails, the whole release is withheld.
    """
    if threshold < MIN_THRESHOLD:
        raise ValueError(f"the threshold is never below {MIN_THRESHOLD}")
    margin_set = set(margins)
    earlier = dict(earlier_published or {})
    earlier_hidden = set(earlier_suppressed)
    values = {c: structure.value(c) for c in cells}
    primary = {c for c in cells if 0 < values[c] < threshold}
    suppressed = set(primary)
    atoms_of = {c: structure.atoms_of(c) for c in set(cells) | set(earlier) | earlier_hidden}
    all_cells = list(cells) + [c for c in earlier if c not in values]

    for _round in range(max_rounds):
        published = {c: values[c] for c in cells if c not in suppressed}
        published.update(earlier)
        quantities = _quantities(structure, suppressed | earlier_hidden, list(published), threshold)
        bounds = audit(structure, published, quantities, failing_below=threshold)
        failing = sorted(
            (name for name, b in bounds.items() if b.width < threshold),
            key=lambda name: (bounds[name].width, name),
        )
        if not failing:
            suppressed, bounds = _publish_back(
                structure,
                cells,
                values,
                suppressed,
                primary,
                earlier,
                earlier_hidden,
                threshold,
                bounds,
            )
            return Protection(
                suppressed=suppressed,
                primary=primary,
                bounds=bounds,
                withheld=bool(cells) and suppressed >= {c for c in cells if values[c] > 0},
            )
        added = False
        for name in failing:
            choice = _complement(
                quantities[name],
                cells,
                suppressed,
                values,
                atoms_of,
                published,
                margin_set,
                table=name.split(":")[-1].split("|")[0],
            )
            if choice is not None and choice not in suppressed:
                suppressed.add(choice)
                added = True
        if not added:
            break
    # Nothing left that could help: withhold every figure of the release.
    suppressed = set(cells)
    published = dict(earlier)
    quantities = _quantities(structure, suppressed | earlier_hidden, all_cells, threshold)
    bounds = audit(structure, published, quantities)
    failing = [name for name, b in bounds.items() if b.width < threshold]
    return Protection(
        suppressed=suppressed, primary=primary, bounds=bounds, failing=failing, withheld=True
    )


def _publish_back(
    structure: Structure,
    cells: Sequence[CellId],
    values: Mapping[CellId, int],
    suppressed: set[CellId],
    primary: set[CellId],
    earlier: Mapping[CellId, int],
    earlier_hidden: set[CellId],
    threshold: int,
    bounds: dict[str, Bounds],
) -> tuple[set[CellId], dict[str, Bounds]]:
    """Publish again every complementary cell the protection does not need.

    ``bounds`` is the passing audit of ``suppressed``; the bounds returned are
    those of the last passing trial (a trial that passes is audited in full).

    The greedy search above may hide more than necessary (a cell that the
    published totals give away anyway, or one a later choice made useless).
    Largest first, each is put back if the audit still passes without it.

    The audits are batched: publishing more can only narrow the bounds (more
    equations, more quantities), so if the audit passes with the next run of
    candidates all put back at once, it passes for each of them in turn, and
    the run is taken whole. The run doubles while audits pass and falls back
    to one candidate when one fails: the same cells come back as when
    auditing one candidate at a time, in far fewer audits when most do.
    """

    last_failing: list[str] = []

    def passes(trial: set[CellId]) -> dict[str, Bounds] | None:
        published = {c: values[c] for c in cells if c not in trial}
        published.update(earlier)
        quantities = _quantities(structure, trial | earlier_hidden, list(published), threshold)
        # The quantity that failed last is the likeliest to fail again: ask it first.
        first = [name for name in last_failing if name in quantities]
        quantities = {**{name: quantities[name] for name in first}, **quantities}
        bounds = audit(structure, published, quantities, stop_below=threshold)
        failing = [name for name, b in bounds.items() if b.width < threshold]
        if failing:
            last_failing[:] = failing[:1]
            return None
        return bounds

    kept = set(suppressed)
    candidates = sorted(suppressed - primary, key=lambda c: (-values[c], c))
    position, run = 0, 1
    while position < len(candidates):
        batch = candidates[position : position + run]
        trial_bounds = passes(kept - set(batch))
        if trial_bounds is not None:
            kept -= set(batch)
            bounds = trial_bounds
            position += len(batch)
            run *= 2
        elif len(batch) > 1:
            run = 1  # somewhere in the run one is needed: go one at a time again
        else:
            position += 1  # this one stays hidden
    return kept, bounds


def _complement(
    target: frozenset[int],
    cells: Sequence[CellId],
    suppressed: set[CellId],
    values: Mapping[CellId, int],
    atoms_of: Mapping[CellId, frozenset[int]],
    published: Mapping[CellId, int],
    margins: set[CellId],
    table: str = "",
) -> CellId | None:
    """A cell of the new release whose suppression gives ``target`` room to move.

    Preferred: an inner cell of the target's own ``table``, the smallest.
    Every table's total holds every case, so a month or a type shares a
    total with a hidden country; hiding it rarely helps when a sibling of
    the country does (a report's eight tables took 24 rounds that way).
    """
    containers = [c for c in published if atoms_of.get(c, frozenset()) & target]
    best: tuple[tuple[int, int, int, str], CellId] | None = None
    for candidate in cells:
        if candidate in suppressed or values[candidate] <= 0:
            continue
        atoms = atoms_of[candidate]
        if atoms <= target:
            continue  # hiding a part of the quantity itself adds no room
        if not any(p != candidate and atoms <= atoms_of.get(p, frozenset()) for p in containers):
            continue
        key = (
            1 if candidate in margins else 0,
            0 if candidate.split("|")[0] == table else 1,
            values[candidate],
            candidate,
        )
        if best is None or key < best[0]:
            best = (key, candidate)
    if best is not None:
        return best[1]
    # No sibling left: hide the smallest published container of the new release.
    own = [c for c in containers if c in values and c not in suppressed]
    if own:
        return min(own, key=lambda c: (values[c], c))
    return None
