"""Helpers of the applicant-portal tests: a draft with the lines of the spec's worked examples."""

from decimal import Decimal

from tests.factories import (
    ApplicationFactory,
    CompanyFactory,
    LabourLineFactory,
    MaterialLineFactory,
    OverheadLineFactory,
    ProductFactory,
    UserFactory,
)


def draft_example_2(owner=None, **product_kwargs):
    """A complete DRAFT: worked example 2 of the domain spec (25.00 %, eligible at threshold)."""
    owner = owner or UserFactory()
    company = getattr(owner, "company", None) or CompanyFactory(owner=owner)
    product = ProductFactory(company=company, **product_kwargs)
    application = ApplicationFactory(product=product)
    MaterialLineFactory(
        application=application, name="Kain", qty_per_unit=1, unit_price_rp=Decimal("11000")
    )
    MaterialLineFactory(
        application=application,
        name="Pewarna",
        qty_per_unit=1,
        unit_price_rp=Decimal("13000"),
        domestic=False,
        purchase_proof="",
        position=1,
    )
    LabourLineFactory(application=application, cost_per_unit_rp=Decimal("6000"))
    OverheadLineFactory(application=application, cost_per_unit_rp=Decimal("700"))
    OverheadLineFactory(application=application, kind="air", cost_per_unit_rp=Decimal("300"))
    return application


def formset_post(application, **overrides):
    """POST data of the application page reproducing its saved lines (management forms too)."""
    data = {}
    for prefix, related in (
        ("materials", application.materials.all()),
        ("labour", application.labour.all()),
        ("overhead", application.overhead.all()),
        ("development", application.development.all()),
    ):
        rows = list(related)
        data[f"{prefix}-TOTAL_FORMS"] = str(len(rows))
        data[f"{prefix}-INITIAL_FORMS"] = str(len(rows))
        data[f"{prefix}-MIN_NUM_FORMS"] = "0"
        data[f"{prefix}-MAX_NUM_FORMS"] = "1000"
        for i, row in enumerate(rows):
            data[f"{prefix}-{i}-id"] = str(row.pk)
            data[f"{prefix}-{i}-application"] = str(application.pk)
            if prefix == "materials":
                data.update(
                    {
                        f"{prefix}-{i}-name": row.name,
                        f"{prefix}-{i}-specification": row.specification,
                        f"{prefix}-{i}-domestic": str(row.domestic),
                        f"{prefix}-{i}-qty_per_unit": str(row.qty_per_unit),
                        f"{prefix}-{i}-unit_price_rp": str(row.unit_price_rp),
                    }
                )
            elif prefix == "labour":
                data.update(
                    {
                        f"{prefix}-{i}-role": row.role,
                        f"{prefix}-{i}-citizenship": row.citizenship,
                        f"{prefix}-{i}-cost_per_unit_rp": str(row.cost_per_unit_rp),
                    }
                )
            elif prefix == "overhead":
                data.update(
                    {
                        f"{prefix}-{i}-kind": row.kind,
                        f"{prefix}-{i}-description": row.description,
                        f"{prefix}-{i}-domestic": str(row.domestic),
                        f"{prefix}-{i}-cost_per_unit_rp": str(row.cost_per_unit_rp),
                    }
                )
            else:
                data.update(
                    {
                        f"{prefix}-{i}-kind": row.kind,
                        f"{prefix}-{i}-number": row.number,
                        f"{prefix}-{i}-description": row.description,
                    }
                )
    data.update(overrides)
    return data


def draft_batik(owner=None, **product_kwargs):
    """A complete IK-2025 DRAFT: the worked example of spec §8 (batik cloth, own workshop,
    69.53 %): one local, one local-with-imports and one imported material, WNI labour."""
    owner = owner or UserFactory()
    company = getattr(owner, "company", None) or CompanyFactory(owner=owner)
    product_kwargs.setdefault("facility", "own")
    product = ProductFactory(company=company, **product_kwargs)
    application = ApplicationFactory(product=product, rule_set="IK-2025")
    lines = [
        ("Kain mori", "2.5", "18000", "local"),
        ("Malam", "0.25", "40000", "local_with_imports"),
        ("Pewarna", "0.1", "250000", "imported"),
    ]
    for position, (name, qty, price, origin) in enumerate(lines):
        MaterialLineFactory(
            application=application,
            position=position,
            name=name,
            qty_per_unit=Decimal(qty),
            unit_price_rp=Decimal(price),
            origin=origin,
            domestic=origin != "imported",
            **({"purchase_proof": ""} if origin == "imported" else {}),
        )
    LabourLineFactory(application=application, role="Pembatik", cost_per_unit_rp=Decimal(35000))
    return application
