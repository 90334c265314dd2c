"""English is complete: every string marked for translation has an English msgstr, compiled."""

import gettext
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def _entries(text: str):
    """(msgctxt, msgid, msgstr, flags) of each entry of a .po file (no plural forms are used)."""

    def joined(block: str, key: str) -> str | None:
        m = re.search(rf'^{key} ((?:".*"\n?)+)', block, re.M)
        if not m:
            return None
        parts = re.findall(r'"((?:[^"\\]|\\.)*)"', m.group(1))
        return "".join(parts).encode().decode("unicode_escape").encode("latin-1").decode()

    for block in text.split("\n\n"):
        msgid = joined(block, "msgid")
        if msgid is None:
            continue
        flags = " ".join(re.findall(r"^#, (.*)$", block, re.M))
        # Plural entries: every form must be translated; the first stands for the entry.
        plurals = [joined(block, rf"msgstr\[{n}\]") for n in range(2)]
        msgstr = (
            joined(block, "msgstr") if plurals[0] is None else (plurals[0] if all(plurals) else "")
        )
        yield joined(block, "msgctxt"), msgid, msgstr, flags


def test_every_message_is_translated_and_not_fuzzy():
    entries = [e for e in _entries(PO.read_text(encoding="utf-8")) if e[1]]
    assert len(entries) > 100
    missing = [msgid for _, msgid, msgstr, _ in entries if not msgstr]
    fuzzy = [msgid for _, msgid, _, flags in entries if "fuzzy" in flags]
    assert missing == [] and fuzzy == []


def test_compiled_catalogue_matches_the_po_file():
    catalogue = gettext.GNUTranslations(MO.open("rb"))
    text = PO.read_text(encoding="utf-8")
    plural_ids = {
        m.group(1): m.group(2)
        for m in re.finditer(r'^msgid "(.*)"\nmsgid_plural "(.*)"$', text, re.M)
    }
    for ctxt, msgid, msgstr, _ in _entries(PO.read_text(encoding="utf-8")):
        if not msgid:
            continue
        if ctxt:
            got = catalogue.pgettext(ctxt, msgid)
        elif msgid in plural_ids:
            got = catalogue.ngettext(msgid, plural_ids[msgid], 1)
        else:
            got = catalogue.gettext(msgid)
        assert got == msgstr, f"{msgid!r}: run `make messages` to recompile"


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext is installed by `make test`")
def test_po_file_is_up_to_date_with_the_code(tmp_path):
    """A new translatable string without an English translation fails here."""
    copy = tmp_path / "src"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", "var", ".git", "node_modules", "*.pyc", "tests"),
    )
    subprocess.run(
        [
            sys.executable,
            "manage.py",
            "makemessages",
            "-l",
            "en",
            "--no-obsolete",
            "--ignore=.venv",
            "--ignore=var",
            "--settings=tkdnportal.settings_test",
        ],
        cwd=copy,
        check=True,
        capture_output=True,
        timeout=300,
    )
    fresh = {(c, i) for c, i, _, _ in _entries((copy / PO.relative_to(ROOT)).read_text())}
    current = {(c, i) for c, i, _, _ in _entries(PO.read_text(encoding="utf-8"))}
    assert fresh - current == set(), "new strings: run `make messages` and translate them"
