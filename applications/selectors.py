"""Non-trivial reads of the application workflow."""

from . import calculation
from .models import Application


def application_calculation_input(*, application: Application) -> calculation.CalculationInput:
    """The engine's input built from an application's stored lines.

    Used by the worker and by the live preview, so both compute from the same rules. Applies the
    evidence rules of spec §3 before the engine sees the data: a domestic material line without an
    uploaded purchase proof counts as foreign, and a development item counts only with its
    number and file.
    """
    materials = tuple(
        calculation.MaterialLine(
            name=line.name,
            qty_per_unit=line.qty_per_unit,
            unit_price_rp=line.unit_price_rp,
            domestic=line.counts_as_domestic,
        )
        for line in application.materials.all()
    )
    labour = tuple(
        calculation.LabourLine(
            role=line.role, cost_per_unit_rp=line.cost_per_unit_rp, citizenship=line.citizenship
        )
        for line in application.labour.all()
    )
    overhead = tuple(
        calculation.OverheadLine(
            kind=line.kind, cost_per_unit_rp=line.cost_per_unit_rp, domestic=line.domestic
        )
        for line in application.overhead.all()
    )
    development = frozenset(
        item.kind for item in application.development.all() if item.is_evidenced
    )
    return calculation.CalculationInput(
        materials=materials, labour=labour, overhead=overhead, development=development
    )
