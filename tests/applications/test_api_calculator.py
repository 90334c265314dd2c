import contextlib
import io
import json

from django.core.management import call_command
from django.test import Client

import pytest

URL = "/api/v1/calculator/"

EXAMPLE_2 = {
    "rule_set": "IK-2022",
    "materials": [
        {"name": "Kain", "qty_per_unit": "1", "unit_price_rp": "11000", "domestic": True},
        {"name": "Pewarna", "qty_per_unit": 1, "unit_price_rp": 13000, "domestic": False},
    ],
    "labour": [{"role": "Penjahit", "cost_per_unit_rp": "6000", "citizenship": "WNI"}],
    "overhead": [
        {"kind": "listrik", "cost_per_unit_rp": "700", "domestic": True},
        {"kind": "air", "cost_per_unit_rp": "300", "domestic": True},
    ],
    "development": [],
}


def command_output(payload: str) -> dict:
    out = io.StringIO()
    with contextlib.suppress(SystemExit):
        call_command("tkdn_calculate", stdin=io.StringIO(payload), stdout=out)
    return json.loads(out.getvalue())


def post(client, body, content_type="application/json"):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post(URL, data=data, content_type=content_type)


def test_worked_example_2_gives_the_commands_output():
    client = Client(enforce_csrf_checks=True)  # no CSRF token needed: nothing is stored
    response = post(client, EXAMPLE_2)
    assert response.status_code == 200
    body = response.json()
    assert body["tkdn_ik"] == "25.00" and body["eligible"] is True
    assert body == command_output(json.dumps(EXAMPLE_2))


def test_half_up_rounding_of_worked_example_5(client):
    body = {
        "rule_set": "IK-2022",
        "materials": [
            {"name": "A", "qty_per_unit": 1, "unit_price_rp": 514375, "domestic": True},
            {"name": "B", "qty_per_unit": 1, "unit_price_rp": 485625, "domestic": False},
        ],
        "labour": [{"role": "X", "cost_per_unit_rp": 100000, "citizenship": "WNI"}],
        "overhead": [{"kind": "listrik", "cost_per_unit_rp": 20000, "domestic": True}],
    }
    assert post(client, body).json()["tkdn_ik"] == "26.35"


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({**EXAMPLE_2, "materials": []}, "materials"),
        (
            {
                **EXAMPLE_2,
                "materials": [
                    {"name": "Kain", "qty_per_unit": 1, "unit_price_rp": -5, "domestic": True}
                ],
            },
            "materials[0].unit_price_rp",
        ),
        ({**EXAMPLE_2, "rule_set": "IK-1999"}, "rule_set"),
        ({**EXAMPLE_2, "extra": 1}, "extra"),
    ],
)
def test_invalid_input_is_400_with_the_commands_error_body(client, payload, field):
    response = post(client, payload)
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"error", "error_en", "field"}
    assert body["field"] == field
    assert body == command_output(json.dumps(payload))


@pytest.mark.parametrize("raw", ["  ", "{", "[1, 2]", '{"materials": NaN}', "\xff"])
def test_malformed_json_is_400_never_500(client, raw):
    response = post(client, raw.encode("latin-1"))
    assert response.status_code == 400
    assert response.json()["error"]


def test_wrong_method_content_type_and_size(client):
    assert client.get(URL).status_code == 405
    assert client.get(URL).json()["error"]
    response = post(client, json.dumps(EXAMPLE_2), content_type="text/plain")
    assert response.status_code == 415
    big = json.dumps({**EXAMPLE_2, "padding": "x" * 70_000})
    response = post(client, big)
    assert response.status_code == 413
    assert set(response.json()) == {"error", "error_en", "field"}


def test_ik_2025_is_today_s_set_and_named_in_the_answer(client):
    from tests.applications.test_calculation_ik2025 import batik

    payload = batik()
    del payload["rule_set"]
    response = post(client, payload)
    assert response.status_code == 200
    body = response.json()
    assert (body["rule_set"], body["legal_basis"], body["provisional"]) == (
        "IK-2025",
        "Permenperin 35/2025",
        True,
    )
    assert (body["tkdn_ik"], body["maximum"]) == ("69.53", "100.00")
    assert body == command_output(json.dumps(payload))


@pytest.mark.parametrize(
    ("change", "field"),
    [
        (lambda d: d.pop("facility"), "facility"),
        (lambda d: d["materials"][0].update(origin="certified"), "materials[0].component_tkdn_pct"),
        (
            lambda d: d["materials"][0].update(origin="certified", component_tkdn_pct="-1"),
            "materials[0].component_tkdn_pct",
        ),
        (lambda d: d["materials"][0].update(origin="asing"), "materials[0].origin"),
        (lambda d: d.update(facility="sewa"), "facility"),
        (lambda d: d.update(rule_set="IK-2030"), "rule_set"),
    ],
)
def test_bad_ik_2025_input_is_400_naming_the_field(client, change, field):
    from tests.applications.test_calculation_ik2025 import batik

    payload = batik()
    change(payload)
    response = post(client, payload)
    assert response.status_code == 400
    assert response.json()["field"] == field
