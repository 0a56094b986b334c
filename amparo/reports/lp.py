"""The attacker's linear programme, built once and solved for many objectives.

Framework-free; used by disclosure.audit. One audit asks the same question
many times over the same constraints (x >= 0 per atom, one equation per
published cell): the minimum and the maximum of each protected quantity.
SciPy's ``linprog`` would build and presolve the model on every call; here
the model is passed to HiGHS (its official binding, ``highspy``) once, and
only the objective changes between solves, so each solve starts from the
previous optimal basis (still feasible: the constraints did not change).

Before the model is built, atoms that a published single-atom cell pins
down are fixed to that value and taken out (their value moved to the right-
hand side of the other cells that hold them). This changes nothing in any
bound: the feasible set of the remaining atoms is exactly the projection of
the original one. A quantity's fixed atoms add their values to both of its
bounds.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence

import highspy
import numpy as np

#: HiGHS answers "unbounded or infeasible" when it cannot tell which; the
#: true counts always satisfy the published equations, so it is unbounded.
_UNBOUNDED = {highspy.HighsModelStatus.kUnbounded, highspy.HighsModelStatus.kUnboundedOrInfeasible}


class LPError(RuntimeError):
    """HiGHS did not reach an answer (never expected: the model is feasible)."""


class AttackerLP:
    """Tightest minimum and maximum of sums of atoms under published equations.

    ``equations`` are (atoms, value) pairs: the sum of the listed atoms
    (indices below ``n``) equals the value. Bounds are the LP's exact optima,
    not rounded; the caller rounds.
    """

    def __init__(self, n: int, equations: Iterable[tuple[Sequence[int], float]]) -> None:
        self.n = n
        rows = [(list(atoms), float(value)) for atoms, value in equations if atoms]
        self.fixed = self._fixed(rows)
        # The remaining atoms, renumbered; each equation loses its fixed atoms.
        free = [a for a in range(n) if a not in self.fixed]
        self._column = {a: j for j, a in enumerate(free)}
        starts = [0]
        indices: list[int] = []
        lower: list[float] = []
        for atoms, value in rows:
            left = [self._column[a] for a in atoms if a not in self.fixed]
            rest = value - sum(self.fixed[a] for a in atoms if a in self.fixed)
            if not left:
                if abs(rest) > 1e-9:
                    raise LPError("the published cells contradict each other")
                continue  # every atom pinned: the equation says nothing more
            indices.extend(left)
            starts.append(len(indices))
            lower.append(rest)
        self._cost: dict[int, float] = {}
        self._highs: highspy.Highs | None = None
        if not free:
            return
        # The matrix is given row-wise (one row per equation).
        lp = highspy.HighsLp()
        lp.num_col_ = len(free)
        lp.num_row_ = len(lower)
        lp.col_cost_ = np.zeros(len(free))
        lp.col_lower_ = np.zeros(len(free))
        lp.col_upper_ = np.full(len(free), highspy.kHighsInf)
        lp.row_lower_ = np.array(lower)
        lp.row_upper_ = np.array(lower)
        lp.a_matrix_.format_ = highspy.MatrixFormat.kRowwise
        lp.a_matrix_.start_ = np.array(starts, dtype=np.int32)
        lp.a_matrix_.index_ = np.array(indices, dtype=np.int32)
        lp.a_matrix_.value_ = np.ones(len(indices))
        highs = highspy.Highs()
        highs.silent()
        # Presolve would throw the previous basis away on every solve.
        highs.setOptionValue("presolve", "off")
        # Only the objective changes between solves: the last optimal basis is
        # still primal feasible, and primal simplex resumes from it (half the
        # time of the default dual simplex on the bench's audits).
        highs.setOptionValue("simplex_strategy", 4)
        status = highs.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise LPError("HiGHS refused the audit model")
        self._highs = highs

    @staticmethod
    def _fixed(rows: Sequence[tuple[list[int], float]]) -> dict[int, float]:
        """Atoms pinned by a published cell that holds nothing else."""
        fixed: dict[int, float] = {}
        for atoms, value in rows:
            if len(atoms) == 1 and fixed.setdefault(atoms[0], value) != value:
                raise LPError("the published cells contradict each other")
        return fixed

    def maximum(self, atoms: Iterable[int]) -> float:
        """The largest sum of ``atoms`` the equations allow (math.inf if none caps it)."""
        offset, columns = self._split(atoms)
        return offset - self._solve(columns, -1.0) if columns else offset

    def minimum(self, atoms: Iterable[int]) -> float:
        """The smallest sum of ``atoms`` the equations allow."""
        offset, columns = self._split(atoms)
        return offset + self._solve(columns, 1.0) if columns else offset

    def _split(self, atoms: Iterable[int]) -> tuple[float, list[int]]:
        """The fixed part of a sum, and the model's columns for the rest."""
        chosen = set(atoms)
        offset = sum(self.fixed[a] for a in chosen if a in self.fixed)
        return offset, sorted(self._column[a] for a in chosen if a not in self.fixed)

    def _solve(self, columns: list[int], sign: float) -> float:
        highs = self._highs
        if highs is None:  # never: columns exist only when the model does
            raise LPError("no model to solve")
        wanted = dict.fromkeys(columns, sign)
        changed = {j: 0.0 for j in self._cost if j not in wanted}
        changed.update({j: c for j, c in wanted.items() if self._cost.get(j) != c})
        if changed:
            keys = np.array(list(changed), dtype=np.int32)
            highs.changeColsCost(len(keys), keys, np.array(list(changed.values())))
        self._cost = wanted
        highs.run()
        status = highs.getModelStatus()
        if status == highspy.HighsModelStatus.kOptimal:
            return float(highs.getInfo().objective_function_value)
        if status in _UNBOUNDED and sign < 0:
            return -math.inf
        raise LPError(f"audit LP ended with {highs.modelStatusToString(status)}")


def tightest(
    n: int,
    published: Mapping[str, int],
    cell_atoms: Mapping[str, Sequence[int]],
) -> AttackerLP:
    """The attacker's LP for the published cells of a structure of ``n`` atoms."""
    return AttackerLP(n, ((cell_atoms.get(cell, ()), value) for cell, value in published.items()))
