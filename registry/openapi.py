"""OpenAPI additions, as post-processing hooks of drf-spectacular (``SPECTACULAR_SETTINGS``):

- ``add_calculator``: the calculator endpoint (``applications/api.py``) is a plain Django view
  that drf-spectacular cannot discover, so its contract (the ``tkdn_calculate`` JSON schema, see
  README) is described here;
- ``document_registry``: what the registry's operations answer besides 200 (400, 404, 429) and
  the bounds of each lookup filter, so the schema is what the API does
  (tests/registry/test_api_schemathesis.py calls every operation against it).
"""

import csv
import functools
from pathlib import Path

import applications
from applications import calculation

_MONEY = {"type": "string", "pattern": r"^\d+(\.\d{1,2})?$", "example": "11000"}
_RULE_SETS = ", ".join(
    f"{rules.code} ({rules.legal_basis_short}, {rules.formula}, dari {rules.in_force_from})"
    for rules in calculation.RULE_SETS.values()
)
_ERROR = {
    "type": "object",
    "properties": {
        "error": {"type": "string", "description": "Pesan dalam Bahasa Indonesia."},
        "error_en": {"type": "string"},
        "field": {"type": "string", "nullable": True, "example": "materials[1].unit_price_rp"},
    },
    "required": ["error", "error_en", "field"],
}
_FACTOR = {
    "type": "object",
    "properties": {
        key: {"type": "string"} for key in ("weight", "domestic_rp", "total_rp", "share", "points")
    },
}
CALCULATOR_REQUEST = {
    "type": "object",
    "required": ["materials", "labour"],
    "properties": {
        "rule_set": {
            "type": "string",
            "enum": list(calculation.RULE_SETS),
            "description": "Aturan perhitungan; tanpa rule_set dipakai aturan yang berlaku hari "
            f"ini. Tersedia: {_RULE_SETS}.",
        },
        "facility": {
            "type": "string",
            "enum": list(calculation.FACILITIES),
            "description": "Fasilitas produksi (wajib pada IK-2025, tidak dipakai pada IK-2022): "
            "own = pabrik sendiri di Indonesia, other_company = fasilitas perusahaan lain, "
            "other_industry = dibuatkan industri lain, none = tidak ada investasi fasilitas.",
        },
        "materials": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "description": "Tiap baris menyebut domestic (IK-2022) atau origin (IK-2025); "
                "bila keduanya, harus cocok (imported = domestic false).",
                "required": ["name", "qty_per_unit", "unit_price_rp"],
                "properties": {
                    "name": {"type": "string"},
                    "qty_per_unit": _MONEY,
                    "unit_price_rp": _MONEY,
                    "domestic": {"type": "boolean"},
                    "origin": {
                        "type": "string",
                        "enum": list(calculation.MATERIAL_ORIGINS),
                        "description": "local = buatan Indonesia dari bahan lokal; "
                        "local_with_imports = buatan Indonesia dengan bahan impor; imported; "
                        "certified = komponen bersertifikat TKDN (wajib component_tkdn_pct).",
                    },
                    "component_tkdn_pct": {
                        "type": "string",
                        "pattern": r"^\d+(\.\d{1,2})?$",
                        "description": "Nilai TKDN komponen 0–100, hanya untuk origin certified.",
                        "example": "45.50",
                    },
                },
            },
        },
        "labour": {
            "type": "array",
            "minItems": 1,
            "items": {
                "type": "object",
                "required": ["role", "cost_per_unit_rp", "citizenship"],
                "properties": {
                    "role": {"type": "string"},
                    "cost_per_unit_rp": _MONEY,
                    "citizenship": {"type": "string", "enum": ["WNI", "WNA"]},
                },
            },
        },
        "overhead": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["kind", "cost_per_unit_rp", "domestic"],
                "properties": {
                    "kind": {"type": "string", "enum": ["alat_kerja", "air", "listrik"]},
                    "cost_per_unit_rp": _MONEY,
                    "domestic": {"type": "boolean"},
                },
            },
        },
        "development": {
            "type": "array",
            "items": {
                "type": "string",
                "enum": ["HKI", "SNI", "INDUSTRI_HIJAU", "HALAL", "OTHER"],
            },
        },
    },
}
CALCULATOR_RESPONSE = {
    "type": "object",
    "properties": {
        "rule_set": {"type": "string", "enum": list(calculation.RULE_SETS)},
        "legal_basis": {"type": "string", "example": "Permenperin 35/2025"},
        "provisional": {
            "type": "boolean",
            "description": "Aturan masih sementara (lampiran industri kecil belum dipastikan).",
        },
        "tkdn_ik": {"type": "string", "example": "25.00"},
        "eligible": {"type": "boolean"},
        "threshold": {"type": "string"},
        "maximum": {"type": "string"},
        "factors": {
            "type": "object",
            "description": "Faktor aturan yang dipakai: IK-2022 materials, labour, overhead, "
            "development; IK-2025 materials, labour, facility.",
            "properties": {name: _FACTOR for name in calculation.FACTORS},
        },
        "best_improvement": {"type": "string"},
    },
}


def add_calculator(result, generator, request, public):
    """drf-spectacular post-processing hook: document ``POST /api/v1/calculator/``."""
    json_error = {"application/json": {"schema": {"$ref": "#/components/schemas/CalculatorError"}}}
    result.setdefault("components", {}).setdefault("schemas", {}).update(
        {
            "CalculatorInput": CALCULATOR_REQUEST,
            "CalculatorResult": CALCULATOR_RESPONSE,
            "CalculatorError": _ERROR,
        }
    )
    result.setdefault("paths", {})["/api/v1/calculator/"] = {
        "post": {
            "operationId": "calculator_create",
            "summary": "Hitung nilai TKDN-IK (IK-2022 atau IK-2025); tidak ada yang disimpan.",
            "tags": ["calculator"],
            "requestBody": {
                "required": True,
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/CalculatorInput"}}
                },
            },
            "responses": {
                "200": {
                    "description": "Hasil perhitungan",
                    "content": {
                        "application/json": {
                            "schema": {"$ref": "#/components/schemas/CalculatorResult"}
                        }
                    },
                },
                "400": {"description": "Masukan tidak valid", "content": json_error},
                "413": {"description": "Badan terlalu besar", "content": json_error},
                "415": {"description": "Bukan application/json", "content": json_error},
            },
        }
    }
    return result


API_ERROR = {
    "type": "object",
    "description": "``detail`` says what went wrong; a refused parameter also appears under "
    "its own name with the message(s).",
    "properties": {"detail": {"type": "string"}},
    "additionalProperties": True,
}
_BAD_REQUEST = (
    "Parameter tidak valid (di luar batas di bawah, bukan pilihan yang ada, karakter NUL di "
    "alamat atau parameter, atau changed_since di luar rentang)."
)
_NOT_FOUND = "Tidak ditemukan (nomor atau token tidak dikenal, atau halaman di luar hasil)."
_THROTTLED = "Terlalu banyak permintaan dari alamat ini (REGISTRY_API_RATE); lihat Retry-After."
_TOO_LARGE = "Badan permintaan melebihi batas ukuran; tidak dibaca."
_UNSUPPORTED = "Badan permintaan bukan jenis yang diterima (multipart/form-data yang rusak)."
_ERROR_CONTENT = {"application/json": {"schema": {"$ref": "#/components/schemas/ApiError"}}}
# Lookups by a path value can miss; lists miss with a page past the end.
_WITH_NOT_FOUND = (
    "/api/v1/certificates/",
    "/api/v1/certificates/{number}/",
    "/api/v1/certificates/changes/",
    "/api/v1/verify/{token}/",
)
_FILTERED = ("/api/v1/certificates/", "/api/v1/certificates/export.csv")


@functools.cache
def _region_codes(name: str) -> list[str]:
    """The codes of ``provinces.csv`` or ``regencies.csv``: what the data migration loads and
    the filters accept. Read from the files, not the database: ``manage.py check`` generates
    the schema without one."""
    path = Path(applications.__file__).resolve().parent / "data" / name
    with path.open(encoding="utf-8", newline="") as handle:
        return [row["code"] for row in csv.DictReader(handle)]


def _filter_bounds() -> dict[str, dict]:
    """JSON Schema bounds of each lookup filter, from the filters themselves
    (``CertificateApiFilter``) and the reference data (province and regency codes)."""
    from .filters import CertificateApiFilter

    bounds: dict[str, dict] = {}
    for name, declared in CertificateApiFilter.base_filters.items():
        extra, schema = declared.extra, {}
        if extra.get("min_length") is not None:
            schema["minLength"] = extra["min_length"]
        if extra.get("max_length") is not None:
            schema["maxLength"] = extra["max_length"]
        if extra.get("min_value") is not None:
            schema["minimum"] = float(extra["min_value"])
        if extra.get("max_value") is not None:
            schema["maximum"] = float(extra["max_value"])
        bounds[name] = schema
    bounds["province"] = {"enum": _region_codes("provinces.csv")}
    bounds["regency"] = {"enum": _region_codes("regencies.csv")}
    return bounds


def _supplier_bounds() -> dict[str, dict]:
    """JSON Schema bounds of the supplier finder's parameters (``finder.SupplierFinderForm``)."""
    from .finder import SupplierFinderForm

    fields = SupplierFinderForm.base_fields
    return {
        "q": {"minLength": fields["q"].min_length, "maxLength": fields["q"].max_length},
        "province": {"enum": _region_codes("provinces.csv")},
        "regency": {"enum": _region_codes("regencies.csv")},
        "min_tkdn": {
            "minimum": float(fields["min_tkdn"].min_value),
            "maximum": float(fields["min_tkdn"].max_value),
        },
    }


def document_registry(result, generator, request, public):
    """drf-spectacular post-processing hook: the registry's 400/404/429 answers and the bounds
    of the lookup filters (on the list and on the CSV export)."""
    result.setdefault("components", {}).setdefault("schemas", {})["ApiError"] = API_ERROR
    bounds = _filter_bounds()
    supplier_bounds = _supplier_bounds()
    for path, operations in result.get("paths", {}).items():
        if not path.startswith("/api/v1/") or path == "/api/v1/calculator/":
            continue
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            responses.setdefault("400", {"description": _BAD_REQUEST, "content": _ERROR_CONTENT})
            if path in _WITH_NOT_FOUND:
                responses.setdefault("404", {"description": _NOT_FOUND, "content": _ERROR_CONTENT})
            responses.setdefault(
                "429",
                {
                    "description": _THROTTLED,
                    "headers": {"Retry-After": {"schema": {"type": "integer"}}},
                    "content": _ERROR_CONTENT,
                },
            )
            if "requestBody" in operation:
                # The size limit (tkdnportal.middleware) and DRF's parsers answer before the view.
                responses.setdefault("413", {"description": _TOO_LARGE, "content": _ERROR_CONTENT})
                responses.setdefault(
                    "415", {"description": _UNSUPPORTED, "content": _ERROR_CONTENT}
                )
            if path in _FILTERED:
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter["name"] in bounds:
                        parameter["schema"].update(bounds[parameter["name"]])
            if path == "/api/v1/suppliers/":
                for parameter in operation.get("parameters", []):
                    if parameter.get("in") == "query" and parameter["name"] in supplier_bounds:
                        parameter["schema"].update(supplier_bounds[parameter["name"]])
    return result
