"""The audit's HiGHS model (lp.py) gives exactly the bounds SciPy's linprog gives.

``reference_audit`` is the audit as it was before the model was built once
per audit: a fresh ``linprog(method="highs")`` per minimum and maximum, on
every atom (none fixed in advance). Random structures, random published
cells, random quantities: the two must agree on every bound, including
unbounded maxima and quantities the published cells pin down exactly.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from amparo.reports import lp
from amparo.reports.disclosure import Atom, Bounds, Structure, audit, protect


def reference_audit(
    structure: Structure, published: Mapping[str, int], quantities: Mapping[str, Iterable[int]]
) -> dict[str, Bounds]:
    n = len(structure.counts)
    rows: list[int] = []
    cols: list[int] = []
    rhs: list[float] = []
    for cell, value in published.items():
        atoms = structure.cell_atoms.get(cell, ())
        if not atoms:
            continue
        rows.extend([len(rhs)] * len(atoms))
        cols.extend(atoms)
        rhs.append(float(value))
    a_eq = csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(rhs), n)) if rhs else None
    b_eq = np.array(rhs) if rhs else None
    result = {}
    for name, indices in quantities.items():
        c = np.zeros(n)
        c[list(indices)] = 1.0
        top = linprog(-c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert top.status in (0, 3), top.message
        high = math.inf if top.status == 3 else math.floor(-top.fun + 1e-6)
        bottom = linprog(c, A_eq=a_eq, b_eq=b_eq, bounds=(0, None), method="highs")
        assert bottom.status == 0, bottom.message
        result[name] = Bounds(max(0, math.ceil(bottom.fun - 1e-6)), high)
    return result


CELLS = [f"c{i}" for i in range(8)]


@st.composite
def releases(draw: st.DrawFn) -> tuple[Structure, dict[str, int], dict[str, frozenset[int]]]:
    """Atoms in random sets of cells (as multi-valued and linked tables make), a
    random part of the cells published, and quantities: the hidden cells and
    random sets of atoms."""
    atoms = draw(
        st.lists(
            st.builds(
                Atom,
                st.integers(1, 12),
                st.frozensets(st.sampled_from(CELLS), min_size=1, max_size=4),
            ),
            min_size=1,
            max_size=14,
        )
    )
    structure = Structure.from_atoms(atoms)
    cells = sorted(structure.cell_atoms)
    hidden = draw(st.sets(st.sampled_from(cells)))
    published = {c: structure.value(c) for c in cells if c not in hidden}
    quantities = {c: structure.atoms_of(c) for c in hidden}
    n = len(structure.counts)
    extra = draw(st.lists(st.frozensets(st.integers(0, n - 1), min_size=1), max_size=4))
    quantities.update({f"q{i}": q for i, q in enumerate(extra)})
    return structure, published, quantities


@settings(max_examples=150, deadline=None)
@given(releases())
def test_the_model_built_once_gives_linprogs_bounds(
    release: tuple[Structure, dict[str, int], dict[str, frozenset[int]]],
) -> None:
    structure, published, quantities = release
    new = audit(structure, published, quantities)
    old = reference_audit(structure, published, quantities)
    assert new == old
    # The true value always lies inside (the model is the real structure).
    for name, atoms in quantities.items():
        true = sum(structure.counts[i] for i in atoms)
        assert new[name].low <= true <= new[name].high


grids = st.lists(
    st.lists(st.one_of(st.integers(0, 4), st.integers(5, 30)), min_size=3, max_size=3),
    min_size=2,
    max_size=4,
)


@settings(max_examples=40, deadline=None)
@given(grids)
def test_protection_bounds_are_linprogs_bounds(grid: list[list[int]]) -> None:
    atoms = [
        Atom(v, frozenset({f"{r},{c}", f"{r},*", f"*,{c}", "*,*"}))
        for r, row in enumerate(grid)
        for c, v in enumerate(row)
    ]
    structure = Structure.from_atoms(atoms)
    inner = [f"{r},{c}" for r in range(len(grid)) for c in range(3)]
    margins = [f"{r},*" for r in range(len(grid))] + [f"*,{c}" for c in range(3)] + ["*,*"]
    result = protect(structure, inner + margins, 5, margins=margins)
    published = {c: structure.value(c) for c in inner + margins if c not in result.suppressed}
    quantities = {name: structure.atoms_of(name) for name in result.bounds}
    assert result.bounds == reference_audit(structure, published, quantities)


def test_a_single_atom_cell_fixes_its_atom_and_the_rest_still_moves() -> None:
    # a=3 alone in "x"; "y" = a + b = 10; "z" = b + c = 9; the quantity b + c.
    model = lp.AttackerLP(3, [([0], 3.0), ([0, 1], 10.0), ([1, 2], 9.0)])
    assert model.fixed == {0: 3.0}
    assert (model.minimum([0]), model.maximum([0])) == (3.0, 3.0)
    assert (model.minimum([1]), model.maximum([1])) == (7.0, 7.0)
    assert (model.minimum([2]), model.maximum([2])) == (2.0, 2.0)
    assert model.maximum([0, 2]) == 5.0


def test_an_atom_no_published_cell_holds_is_unbounded() -> None:
    model = lp.AttackerLP(2, [([0], 4.0)])
    assert model.maximum([1]) == math.inf
    assert model.minimum([1]) == 0.0
    # The model still answers after an unbounded solve.
    assert model.maximum([0]) == 4.0


def test_contradicting_cells_are_refused() -> None:
    with pytest.raises(lp.LPError):
        lp.AttackerLP(2, [([0], 4.0), ([0], 5.0)])
    with pytest.raises(lp.LPError):
        lp.AttackerLP(2, [([0], 4.0), ([1], 1.0), ([0, 1], 9.0)])
