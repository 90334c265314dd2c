"""``manage.py tkdn_calculate [FILE]``: compute TKDN-IK for one product from JSON.

Reads the JSON contract of :func:`applications.calculation.parse_input` from FILE (or stdin when
FILE is absent or ``-``) and prints :func:`applications.calculation.result_to_dict` as JSON. It
needs no database and runs no system checks, so officials and scripts can use it anywhere the code
is installed.

Guarantee: whatever the input, the command prints exactly one JSON object to stdout. On success it
is the result and the exit status is 0. On any error it is
``{"error": <Indonesian>, "error_en": <English>, "field": <path or null>}`` and the exit status is
2; no traceback is ever shown.
"""

from __future__ import annotations

import json
import sys
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, NoReturn

from django.core.management.base import BaseCommand, CommandParser

from applications import calculation, rules

#: [A] Largest accepted input. One product's cost lines fit in a few kilobytes; the limit keeps a
#: wrong file (a database dump, a video) from being read into memory.
MAX_INPUT_BYTES = 1024 * 1024

EXIT_INVALID = 2


class InputError(Exception):
    """The input could not be read or decoded as JSON (before the calculation contract applies)."""

    def __init__(self, message_id: str, message_en: str) -> None:
        super().__init__(message_en)
        self.message_id = message_id
        self.message_en = message_en


def _json_number(text: str) -> Decimal:
    # Keep JSON numbers exact: a float would already have lost digits of a Rupiah amount.
    try:
        return Decimal(text)
    except InvalidOperation:
        # Only an exponent beyond Decimal's range gets here, e.g. 1e99999999999999999999.
        shown = text if len(text) <= 40 else text[:37] + "..."
        raise InputError(
            f"Angka {shown} di luar jangkauan.", f"Number {shown} is out of range."
        ) from None


def _reject_constant(name: str) -> NoReturn:
    # json accepts NaN/Infinity/-Infinity by default although they are not JSON; no amount may be
    # non-finite, so refuse them while decoding.
    raise InputError(
        f"Nilai {name} tidak diperbolehkan; semua angka harus terhingga.",
        f"The value {name} is not allowed; every number must be finite.",
    )


def _no_duplicate_keys(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # json keeps the last of repeated keys silently; a repeated price is more likely a mistake.
    result: dict[str, Any] = {}
    for key, value in pairs:
        if key in result:
            raise InputError(
                f"Kunci {key!r} muncul lebih dari sekali dalam satu objek JSON.",
                f"Key {key!r} appears more than once in one JSON object.",
            )
        result[key] = value
    return result


def decode_json(raw: bytes | str) -> object:
    """Decode UTF-8 JSON with exact Decimal numbers; raise :class:`InputError` on any problem."""
    if len(raw) > MAX_INPUT_BYTES:
        raise InputError(
            f"Input terlalu besar (lebih dari {MAX_INPUT_BYTES} byte).",
            f"Input is too large (more than {MAX_INPUT_BYTES} bytes).",
        )
    if isinstance(raw, bytes):
        try:
            # utf-8-sig: accept the byte-order mark that some Windows editors write.
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            raise InputError(
                f"Input bukan teks UTF-8 yang valid (byte ke-{error.start}).",
                f"Input is not valid UTF-8 text (byte {error.start}).",
            ) from None
    else:
        text = raw
    if not text.strip():
        raise InputError(
            "Input kosong; berikan data perhitungan dalam format JSON.",
            "Input is empty; provide the calculation data as JSON.",
        )
    try:
        return json.loads(
            text,
            parse_float=_json_number,
            parse_int=_json_number,
            parse_constant=_reject_constant,
            object_pairs_hook=_no_duplicate_keys,
        )
    except json.JSONDecodeError as error:
        raise InputError(
            f"JSON tidak valid pada baris {error.lineno} kolom {error.colno}: {error.msg}.",
            f"Invalid JSON at line {error.lineno} column {error.colno}: {error.msg}.",
        ) from None
    except RecursionError:
        raise InputError("JSON terlalu dalam bersarang.", "JSON is nested too deeply.") from None


def _read(path: str | None, stdin: Any) -> bytes | str:
    """Read at most MAX_INPUT_BYTES + 1 from the file or stdin (one byte more detects oversize)."""
    if path is None or path == "-":
        stream = stdin if stdin is not None else sys.stdin
        # Prefer the binary buffer so that decoding is always strict UTF-8, whatever the locale.
        source = getattr(stream, "buffer", stream)
        return source.read(MAX_INPUT_BYTES + 1)
    try:
        with Path(path).open("rb") as handle:
            return handle.read(MAX_INPUT_BYTES + 1)
    except FileNotFoundError:
        raise InputError(
            f"Berkas {path!r} tidak ditemukan.", f"File {path!r} was not found."
        ) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise InputError(
            f"Berkas {path!r} tidak dapat dibaca: {reason}.",
            f"File {path!r} cannot be read: {reason}.",
        ) from None


class Command(BaseCommand):
    help = (
        "Hitung TKDN-IK dari data JSON (berkas atau stdin) dan cetak hasilnya sebagai JSON. "
        "Compute TKDN-IK from JSON (file or stdin) and print the result as JSON; "
        "exit status 2 with an error object on invalid input."
    )
    # Pure computation: it must work even where the database or other checks are not ready.
    requires_system_checks: list[str] = []
    # call_command(..., stdin=stream) lets tests and callers supply the input stream.
    stealth_options = ("stdin",)

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "file",
            nargs="?",
            default=None,
            help="JSON file to read; stdin when absent or '-'.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            data = decode_json(_read(options.get("file"), options.get("stdin")))
            # No rule_set in the input: the set in force today (spec §8); settings may re-date
            # or confirm a set (applications.rules).
            inp, rule_set = calculation.parse_input(
                data, default_rule_set=rules.in_force(), registry=rules.registry()
            )
            result = calculation.calculate(inp, rule_set)
            output = json.dumps(calculation.result_to_dict(result), indent=2, ensure_ascii=False)
        except calculation.CalculationError as error:
            self._fail(error.message_id, error.message_en, error.field or None)
        except InputError as error:
            self._fail(error.message_id, error.message_en, None)
        except RecursionError:
            self._fail("Input terlalu dalam bersarang.", "Input is nested too deeply.", None)
        except Exception as error:  # the contract is "never a traceback"
            self._fail(
                f"Terjadi kesalahan saat memproses input ({type(error).__name__}).",
                f"An error occurred while processing the input ({type(error).__name__}).",
                None,
            )
        self.stdout.write(output)

    def _fail(self, message_id: str, message_en: str, field: str | None) -> NoReturn:
        error = {"error": message_id, "error_en": message_en, "field": field}
        self.stdout.write(json.dumps(error, indent=2, ensure_ascii=False))
        # SystemExit rather than CommandError: CommandError prints to stderr in its own format.
        raise SystemExit(EXIT_INVALID)
