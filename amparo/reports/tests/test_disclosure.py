"""Suppression and the LP audit on hand-made and generated tables (no database)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from amparo.reports.disclosure import MIN_THRESHOLD, Atom, Structure, audit, protect

K = 5


def table_atoms(grid: list[list[int]]) -> tuple[Structure, list[str], list[str]]:
    """A two-way table: inner cells r,c, margins r,* and *,c, total *,*."""
    atoms = []
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            cells = frozenset({f"{r},{c}", f"{r},*", f"*,{c}", "*,*"})
            atoms.append(Atom(value, cells))
    inner = [f"{r},{c}" for r in range(len(grid)) for c in range(len(grid[0]))]
    margins = [f"{r},*" for r in range(len(grid))] + [f"*,{c}" for c in range(len(grid[0]))]
    margins.append("*,*")
    return Structure.from_atoms(atoms), inner, margins


def test_it_catches_the_cell_naive_suppression_leaves_recoverable() -> None:
    # Naive suppression hides only the small cell; the row total gives it back.
    structure, inner, margins = table_atoms([[2, 10, 7], [8, 12, 9]])
    published = {c: structure.value(c) for c in inner + margins if c != "0,0"}
    bounds = audit(structure, published, {"0,0": structure.atoms_of("0,0")})
    assert (bounds["0,0"].low, bounds["0,0"].high) == (2, 2)
    assert bounds["0,0"].width < K


def test_it_protects_the_same_table_with_complementary_cells() -> None:
    structure, inner, margins = table_atoms([[2, 10, 7], [8, 12, 9]])
    result = protect(structure, inner + margins, K, margins=margins)
    assert "0,0" in result.primary
    assert len(result.suppressed) >= 4  # a rectangle at least
    assert not result.withheld
    for name, bound in result.bounds.items():
        assert bound.width >= K, name
    # The audit, rerun from scratch on what is published, agrees.
    published = {c: structure.value(c) for c in inner + margins if c not in result.suppressed}
    again = audit(structure, published, {c: structure.atoms_of(c) for c in result.primary})
    assert all(b.width >= K for b in again.values())


def test_it_withholds_a_table_too_small_to_protect() -> None:
    structure, inner, margins = table_atoms([[1, 1], [1, 0]])
    result = protect(structure, inner + margins, K, margins=margins)
    assert result.withheld
    assert result.suppressed == set(inner + margins) - {"1,1"}  # an empty cell stays 0


def test_a_multi_valued_case_counts_once_in_the_total() -> None:
    # Three cases: one coded with types a and b, two with a only.
    atoms = [
        Atom(1, frozenset({"a", "b", "*"})),
        Atom(2, frozenset({"a", "*"})),
    ]
    structure = Structure.from_atoms(atoms)
    assert (structure.value("a"), structure.value("b"), structure.value("*")) == (3, 1, 3)


def test_the_threshold_has_a_floor() -> None:
    structure, inner, margins = table_atoms([[5, 6], [7, 8]])
    with pytest.raises(ValueError):
        protect(structure, inner + margins, MIN_THRESHOLD - 1)


def test_differencing_two_periods_is_caught_and_prevented() -> None:
    # Release A: year total per country. Release B: the first eleven months.
    # December in country X holds one case: B's X cell would give it away.
    atoms = [
        Atom(11, frozenset({"A|X", "A|*", "B|X", "B|*"}), part="jan-nov"),
        Atom(1, frozenset({"A|X", "A|*"}), part="dec"),
        Atom(20, frozenset({"A|Y", "A|*", "B|Y", "B|*"}), part="jan-nov"),
        Atom(9, frozenset({"A|Y", "A|*"}), part="dec"),
        Atom(15, frozenset({"A|Z", "A|*", "B|Z", "B|*"}), part="jan-nov"),
    ]
    structure = Structure.from_atoms(atoms)
    earlier = {c: structure.value(c) for c in ("A|X", "A|Y", "A|Z", "A|*")}
    new = ["B|X", "B|Y", "B|Z", "B|*"]
    naive = audit(
        structure,
        {**earlier, **{c: structure.value(c) for c in new}},
        {"dec-X": frozenset(i for i in structure.atoms_of("A|X") if structure.parts[i] == "dec")},
    )
    assert naive["dec-X"].width == 0
    result = protect(structure, new, K, margins=["B|*"], earlier_published=earlier)
    assert "B|X" in result.suppressed
    assert all(b.width >= K for b in result.bounds.values())


grids = st.integers(min_value=2, max_value=4).flatmap(
    lambda rows: st.integers(min_value=2, max_value=4).flatmap(
        lambda cols: st.lists(
            st.lists(
                st.one_of(st.integers(0, 4), st.integers(5, 40)), min_size=cols, max_size=cols
            ),
            min_size=rows,
            max_size=rows,
        )
    )
)


@settings(max_examples=25, deadline=None)
@given(grids)
def test_generated_tables_never_leave_a_suppressed_cell_narrower_than_k(
    grid: list[list[int]],
) -> None:
    structure, inner, margins = table_atoms(grid)
    cells = inner + margins
    result = protect(structure, cells, K, margins=margins)
    values = {c: structure.value(c) for c in cells}
    # Every small non-zero cell is hidden.
    assert {c for c in cells if 0 < values[c] < K} <= result.suppressed
    published = {c: values[c] for c in cells if c not in result.suppressed}
    assert all(v == 0 or v >= K for v in published.values())
    small = {c for c in result.suppressed if 0 < values[c] < K}
    if small:
        bounds = audit(structure, published, {c: structure.atoms_of(c) for c in small})
        for cell, bound in bounds.items():
            # The true value lies inside what the attacker can derive...
            assert bound.low <= values[cell] <= bound.high
            # ...and the interval is at least k wide.
            assert bound.width >= K
