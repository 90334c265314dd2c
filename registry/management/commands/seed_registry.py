"""``manage.py seed_registry --certificates N``: fill the registry with synthetic certificates.

For benchmarks and demos. Every certificate needs the rows it is the snapshot of (a user, an
IKM company, a product and an ISSUED application: ``Certificate.application`` is a one-to-one),
so the command writes all five tables, plus some REJECTED applications for the statistics.

Fast enough for a million certificates in minutes: rows are built as tuples (no model
instances, no ``save()``, no signals) and written with PostgreSQL ``COPY`` (``executemany`` on
SQLite), one transaction per chunk. Primary keys and certificate sequence numbers are reserved up
front (sequences advanced, ``CertificateSequence`` rows bumped under a row lock), so the portal
can keep issuing real certificates while the command runs.

The rows are synthetic data written directly, like a fixture: the transition service and its
history rows are bypassed on purpose (the certificates have no workflow history).
"""

import datetime
import io
import json
import random
import time
import uuid
from array import array
from collections import Counter
from decimal import ROUND_CEILING, Decimal

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.core.management.color import no_style
from django.db import connection, models, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import User
from applications import calculation, rules
from applications.models import Application, Company, Product, Province, Regency
from applications.reasons import ReasonCode
from registry.models import Certificate, CertificateSequence, new_verification_token
from registry.selectors import RECOUNT_SEARCH_WORDS_SQL

LEGAL_FORMS = [("CV", "CV"), ("UD", "PERORANGAN"), ("PT", "PT"), ("Koperasi", "KOPERASI")]
NAME_WORDS = [
    "Sinar",
    "Jaya",
    "Makmur",
    "Sentosa",
    "Abadi",
    "Karya",
    "Mandiri",
    "Berkah",
    "Sejahtera",
    "Lestari",
    "Cahaya",
    "Mulia",
    "Barokah",
    "Sumber",
    "Rezeki",
    "Tunas",
    "Harapan",
    "Maju",
    "Bersama",
    "Putra",
    "Putri",
    "Indah",
    "Agung",
    "Bumi",
    "Nusantara",
    "Anugerah",
    "Citra",
    "Kencana",
    "Mekar",
    "Wangi",
    "Kriya",
    "Sari",
    "Rasa",
    "Dewi",
    "Setia",
    "Utama",
    "Prima",
    "Gemilang",
    "Perkasa",
    "Sakti",
    "Bina",
    "Kreasi",
    "Nusa",
    "Pelangi",
    "Samudra",
    "Rimba",
    "Kartika",
    "Wijaya",
    "Saudara",
    "Amanah",
    "Fajar",
    "Surya",
    "Bintang",
    "Rahayu",
    "Tirta",
    "Mustika",
    "Mentari",
    "Cendana",
    "Melati",
    "Kenanga",
    "Teratai",
    "Kemuning",
    "Srikandi",
    "Pandawa",
    "Jati",
    "Tani",
]
BRANDS = [
    "Lestari",
    "Nusantara",
    "Sekar",
    "Mentari",
    "Garuda",
    "Cendana",
    "Srikandi",
    "Merapi",
    "Rinjani",
    "Bromo",
    "Toba",
    "Kenari",
    "Melati",
    "Anggrek",
    "Kenanga",
    "Rajawali",
    "Pusaka",
    "Arjuna",
    "Sembada",
    "Kusuma",
    "Jatayu",
    "Semeru",
    "Mahakam",
    "Musi",
    "Kapuas",
    "Barito",
    "Ciliwung",
    "Bengawan",
    "Ratu",
    "Dewata",
    "Nyiur",
    "Cempaka",
    "Kirana",
    "Laksana",
    "Wibawa",
    "Pertiwi",
]
# (product, KBLI, unit, specifications): KBLI 2020 manufacturing codes.
PRODUCTS = [
    ("Kursi Rotan", "31002", "buah", ["60x55x85 cm", "Model Sofa 3 dudukan", "Kursi teras"]),
    ("Meja Makan Kayu Jati", "31001", "set", ["6 kursi, 180x90 cm", "4 kursi, 120x80 cm"]),
    ("Lemari Pakaian Kayu", "31001", "buah", ["2 pintu", "3 pintu dengan cermin"]),
    ("Kain Batik Tulis", "13134", "lembar", ["Motif Parang 2,5 m", "Motif Kawung 2 m"]),
    ("Kain Tenun Ikat", "13121", "lembar", ["Tenun Sumba 2 m", "Tenun Troso 1,5 m"]),
    ("Kemeja Batik", "14111", "potong", ["Lengan panjang, ukuran M", "Lengan pendek, ukuran L"]),
    ("Seragam Sekolah", "14111", "potong", ["SD, ukuran 8", "SMP, ukuran 12"]),
    ("Sepatu Kulit", "15201", "pasang", ["Pantofel pria, ukuran 42", "Sepatu PDH, ukuran 41"]),
    ("Tas Kulit", "15121", "buah", ["Tas jinjing 30x25 cm", "Tas selempang"]),
    ("Keripik Singkong", "10794", "bungkus", ["Pedas 250 g", "Original 500 g"]),
    ("Kopi Bubuk Arabika", "10761", "bungkus", ["Gayo 250 g", "Toraja 200 g", "Kintamani 250 g"]),
    ("Sambal Kemasan", "10779", "botol", ["Sambal bawang 150 ml", "Sambal roa 200 ml"]),
    ("Gula Aren", "10722", "kg", ["Cetak batok 1 kg", "Gula semut 500 g"]),
    ("Kecap Manis", "10773", "botol", ["600 ml", "275 ml"]),
    ("Madu Hutan", "10799", "botol", ["250 ml", "500 ml"]),
    ("Anyaman Bambu", "16293", "buah", ["Keranjang 40 cm", "Tampah 60 cm"]),
    ("Bingkai Foto Kayu", "16292", "buah", ["10R", "A4"]),
    ("Mainan Edukasi Kayu", "32400", "set", ["Balok susun 50 keping", "Puzzle peta Indonesia"]),
    ("Gerabah Tanah Liat", "23931", "buah", ["Pot bunga 30 cm", "Kendi 2 liter"]),
    ("Genteng Keramik", "23921", "buah", ["Glazur merah", "Natural"]),
    ("Paving Block", "23954", "m2", ["K-300 tebal 6 cm", "K-400 tebal 8 cm"]),
    ("Golok Baja", "25931", "buah", ["Bilah 40 cm", "Bilah 30 cm"]),
    ("Cangkul", "25932", "buah", ["Mata 20 cm dengan gagang", "Mata 25 cm"]),
    ("Pagar Besi Tempa", "25119", "m", ["Tinggi 1,5 m", "Tinggi 2 m"]),
    ("Kerajinan Perak", "32111", "buah", ["Bros filigri", "Cincin ukir"]),
    ("Angklung", "32202", "set", ["Satu oktaf", "Angklung melodi 31 nada"]),
    ("Sapu Ijuk", "32901", "buah", ["Gagang kayu 120 cm"]),
    ("Sabun Cair", "20231", "botol", ["Cuci piring 800 ml", "Cuci tangan 500 ml"]),
    ("Minyak Atsiri Nilam", "20294", "botol", ["10 ml", "100 ml"]),
    ("Ember Plastik", "22230", "buah", ["20 liter", "10 liter"]),
    ("Perahu Fiber", "30112", "unit", ["Panjang 6 m", "Panjang 8 m"]),
    ("Gerobak Dorong", "30920", "unit", ["Roda satu, 85 liter"]),
    ("Lampu Hias Anyaman", "27400", "buah", ["Gantung 40 cm", "Meja 30 cm"]),
]
REJECTION_REASONS = [
    (ReasonCode.NO_PURCHASE_PROOF, 40),
    (ReasonCode.BELOW_THRESHOLD, 30),
    (ReasonCode.INCOMPLETE_DOCUMENTS, 15),
    (ReasonCode.KBLI_MISMATCH, 10),
    (ReasonCode.PACKING_ONLY, 5),
]
JAVA_BALI = {"31", "32", "33", "34", "35", "36", "51"}
ISSUE_SPAN_DAYS = 4 * 365  # issue dates spread over the last four years: about a quarter expired
CHUNK = 20_000
CENT = Decimal("0.01")
# From this many certificates on, PostgreSQL's trigram index is dropped and built at the end.
BIG_SEED = 100_000


def _copy_text(value) -> str:
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, dict | list):
        value = json.dumps(value, separators=(",", ":"))
    elif isinstance(value, datetime.date):
        return value.isoformat()
    else:
        value = str(value)
    return (
        value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")
    )


class Writer:
    """Writes rows (dicts by attname) of one model with COPY (PostgreSQL) or executemany."""

    def __init__(self, model: type[models.Model]):
        self.model = model
        self.fields = [f for f in model._meta.concrete_fields]
        self.columns = [f.column for f in self.fields]
        # Values for the columns a row does not give: the field's default (callable defaults,
        # e.g. tokens, are evaluated per row), else "" or NULL as Django would store.
        self.constant_defaults = {}
        self.callable_defaults = {}
        for field in self.fields:
            if field.has_default() and callable(field.default):
                self.callable_defaults[field.attname] = field.get_default
            else:
                self.constant_defaults[field.attname] = field.get_default()

    def _complete(self, row: dict) -> dict:
        for attname, default in self.constant_defaults.items():
            if attname not in row:
                row[attname] = default
        for attname, factory in self.callable_defaults.items():
            if attname not in row:
                row[attname] = factory()
        return row

    def write(self, rows: list[dict]) -> None:
        if not rows:
            return
        table = connection.ops.quote_name(self.model._meta.db_table)
        attnames = [f.attname for f in self.fields]
        rows = [self._complete(row) for row in rows]
        if connection.vendor == "postgresql":
            buffer = io.StringIO()
            for row in rows:
                buffer.write("\t".join(_copy_text(row[a]) for a in attnames))
                buffer.write("\n")
            buffer.seek(0)
            columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
            with connection.cursor() as cursor:
                cursor.cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", buffer)
            return
        placeholders = ", ".join(["%s"] * len(self.fields))
        columns = ", ".join(connection.ops.quote_name(c) for c in self.columns)
        values = [
            [field.get_db_prep_save(row[field.attname], connection) for field in self.fields]
            for row in rows
        ]
        with connection.cursor() as cursor:
            cursor.executemany(
                f"INSERT INTO {table} ({columns}) VALUES ({placeholders})",  # nosec B608 # noqa: S608
                values,
            )


def _reserve_ids(model: type[models.Model], count: int) -> int:
    """The first of ``count`` consecutive free primary keys, reserved for this run."""
    table = model._meta.db_table
    start = (model.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            sequence = cursor.fetchone()[0]
            cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # nosec B608 # noqa: S608
            last_value, is_called = cursor.fetchone()
            start = max(start, last_value + 1 if is_called else last_value)
            cursor.execute("SELECT setval(%s, %s, true)", [sequence, start + count - 1])
    return start


def _reserve_sequences(year_counts: Counter) -> dict[int, int]:
    """The first certificate sequence number of each year, reserved under a row lock."""
    starts = {}
    with transaction.atomic():
        for year, count in sorted(year_counts.items()):
            row, _ = CertificateSequence.objects.select_for_update().get_or_create(year=year)
            used = Certificate.objects.filter(year=year).aggregate(m=Max("sequence"))["m"] or 0
            first = max(row.last_value, used) + 1
            row.last_value = first + count - 1
            row.save(update_fields=["last_value"])
            starts[year] = first
    return starts


class Command(BaseCommand):
    help = "Fill the registry with N realistic synthetic TKDN-IK certificates (bulk, fast)."

    def add_arguments(self, parser):
        parser.add_argument("--certificates", type=int, required=True, help="how many")
        parser.add_argument(
            "--rejected",
            type=int,
            default=None,
            help="REJECTED applications for the statistics (default: a quarter of N)",
        )
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable)")
        parser.add_argument("--today", type=datetime.date.fromisoformat, default=None)

    def handle(self, *args, certificates: int, rejected: int | None, seed, today, **options):
        if certificates < 0:
            raise CommandError("--certificates must be 0 or more.")
        started = time.monotonic()
        self.rng = random.Random(seed)  # noqa: S311 - synthetic data, not security
        self.today = today or timezone.localdate()
        self.tz = timezone.get_current_timezone()
        # The rule sets with the operator's settings, read once for the whole run.
        self.rule_sets = rules.registry()
        rejected = certificates // 4 if rejected is None else rejected
        self._load_regions()

        rng = self.rng
        # Issue dates first: the sequence numbers of each year are reserved before any insert.
        offsets = array("H", (rng.randrange(ISSUE_SPAN_DAYS) for _ in range(certificates)))
        years = Counter((self.today - datetime.timedelta(days=o)).year for o in offsets)
        self.next_sequence = _reserve_sequences(years)

        # One company has 1-6 products; every certified product has one ISSUED application.
        products_total = certificates + rejected
        company_sizes = []
        remaining = products_total
        while remaining > 0:
            size = min(remaining, rng.choice((1, 1, 2, 2, 3, 4, 6)))
            company_sizes.append(size)
            remaining -= size
        n_companies = len(company_sizes)
        with transaction.atomic():
            self.user_id = _reserve_ids(User, n_companies)
            self.company_id = _reserve_ids(Company, n_companies)
            self.product_id = _reserve_ids(Product, products_total)
            self.application_id = _reserve_ids(Application, products_total)
            self.certificate_id = _reserve_ids(Certificate, certificates)

        writers = {
            model: Writer(model) for model in (User, Company, Product, Application, Certificate)
        }
        # A big seed on PostgreSQL: building the secondary indexes once at the end, and the
        # table of search words with one INSERT ... SELECT DISTINCT, is several times faster than
        # updating them row by row (issue 17: over 50 minutes for a million with them live).
        big = connection.vendor == "postgresql" and certificates >= BIG_SEED
        suspended = _suspend_secondary_indexes(writers) if big else []
        # Which products get a certificate: a random subset of ``certificates`` of them.
        certified = [True] * certificates + [False] * rejected
        rng.shuffle(certified)

        try:
            self._write_all(writers, company_sizes, certified, offsets, certificates, started)
        finally:
            if suspended:
                self.stdout.write("")
                self.stdout.write(f"  rebuilding {len(suspended)} indexes and the search words")
                _restore_secondary_indexes(suspended)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), list(writers)):
                    cursor.execute(sql)
                # Fresh statistics for the planner and a visibility map for index-only counts
                # (VACUUM cannot run inside a transaction, e.g. in a test: ANALYZE only).
                command = "ANALYZE" if connection.in_atomic_block else "VACUUM ANALYZE"
                for model in writers:
                    cursor.execute(f"{command} {model._meta.db_table}")
        elapsed = time.monotonic() - started
        self.stdout.write("")
        self.stdout.write(
            self.style.SUCCESS(
                f"{certificates:,} certificates, {rejected:,} rejected applications, "
                f"{n_companies:,} companies in {elapsed:.1f} s."
            )
        )

    def _write_all(self, writers, company_sizes, certified, offsets, certificates, started):
        """Build and write the rows, one transaction per chunk of about ``CHUNK`` products."""
        n_companies = len(company_sizes)
        product_index = 0
        cert_index = 0
        company_index = 0
        while company_index < n_companies:
            batch = {model: [] for model in writers}
            batch_products = 0
            while company_index < n_companies and batch_products < CHUNK:
                size = company_sizes[company_index]
                company = self._company(company_index, batch)
                for _ in range(size):
                    if certified[product_index]:
                        self._certified_product(company, offsets[cert_index], batch)
                        cert_index += 1
                    else:
                        self._rejected_product(company, batch)
                    product_index += 1
                company_index += 1
                batch_products += size
            with transaction.atomic():
                for model, writer in writers.items():
                    writer.write(batch[model])
            self.stdout.write(
                f"  {cert_index:,}/{certificates:,} certificates "
                f"({time.monotonic() - started:.1f} s)",
                ending="\r",
            )

    # --- row builders ----------------------------------------------------------------

    def _load_regions(self) -> None:
        provinces = dict(Province.objects.values_list("code", "name"))
        regencies = list(Regency.objects.values_list("code", "province_id", "name"))
        # Round robin over the provinces: the first 38 companies cover every province and the
        # first 514 every regency, so even a small seed is spread over the whole country.
        by_province: dict[str, list] = {}
        for row in regencies:
            by_province.setdefault(row[1], []).append(row)
        queues = [rows for _, rows in sorted(by_province.items())]
        self.regencies = []
        while any(queues):
            for rows in queues:
                if rows:
                    self.regencies.append(rows.pop(0))
        if not provinces or not self.regencies:
            raise CommandError("The Province/Regency tables are empty: run migrate first.")
        self.province_names = provinces
        # More industry on Java and Bali; every regency can be drawn.
        self.regency_weights = [3 if p in JAVA_BALI else 1 for _, p, _ in self.regencies]

    def _moment(self, day: datetime.date, hour: int | None = None) -> datetime.datetime:
        hour = self.rng.randrange(8, 16) if hour is None else hour
        naive = datetime.datetime.combine(day, datetime.time(hour, self.rng.randrange(60)))
        return timezone.make_aware(naive, self.tz)

    def _company(self, index: int, batch: dict) -> dict:
        rng = self.rng
        if index < len(self.regencies):
            # The first companies go through every regency, so all 38 provinces and all 514
            # regencies appear even in a small seed.
            regency_code, province_code, regency_name = self.regencies[index]
        else:
            regency_code, province_code, regency_name = rng.choices(
                self.regencies, weights=self.regency_weights
            )[0]
        user_id = self.user_id + index
        company_id = self.company_id + index
        prefix, legal_form = rng.choice(LEGAL_FORMS)
        words = rng.sample(NAME_WORDS, rng.choice((2, 2, 3)))
        place = regency_name.replace("Kabupaten ", "").replace("Kota ", "")
        name = f"{prefix} {' '.join(words)}" + (f" {place}" if rng.random() < 0.3 else "")
        joined = self.today - datetime.timedelta(days=ISSUE_SPAN_DAYS + rng.randrange(365))
        created = self._moment(joined)
        email = f"ikm{user_id}@contoh.tkdn-ik.id"
        batch[User].append(
            {
                "id": user_id,
                "password": "!",  # unusable: synthetic owners cannot sign in
                "username": f"ikm{user_id}",
                "email": email,
                "is_active": True,
                "date_joined": created,
            }
        )
        street = f"Jl. {rng.choice(NAME_WORDS)} {rng.choice(NAME_WORDS)} No. {rng.randint(1, 250)}"
        address = f"{street}, {place}"
        company = {
            "id": company_id,
            "owner_id": user_id,
            "name": name,
            "legal_form": legal_form,
            "nib": f"7{company_id:012d}",
            "npwp": f"{rng.randrange(10**15):015d}",
            "person_in_charge": f"{rng.choice(('Budi', 'Siti', 'Agus', 'Dewi', 'Made', 'Ucok'))} "
            f"{rng.choice(('Santoso', 'Rahayu', 'Wijaya', 'Lubis', 'Saputra', 'Hasibuan'))}",
            "email": email,
            "phone": f"08{rng.randrange(10**9, 10**10)}",
            "office_address": address,
            "factory_address": address,
            "postal_code": f"{rng.randint(10000, 99999)}",
            "province_id": province_code,
            "regency_id": regency_code,
            "kbli_codes": [],
            "capital_rp": Decimal(rng.randrange(10, 4_900)) * 1_000_000,
            "workers_wni": rng.randint(1, 40),
            "workers_wna": 0,
            "created_at": created,
            "updated_at": created,
            "_province_name": self.province_names[province_code],
            "_regency_name": regency_name,
        }
        batch[Company].append({k: v for k, v in company.items() if not k.startswith("_")})
        return company

    def _product(self, company: dict, batch: dict) -> dict:
        rng = self.rng
        product_id = self.product_id
        self.product_id += 1
        name, kbli, unit, specs = rng.choice(PRODUCTS)
        brand = rng.choice(BRANDS)
        if kbli not in company["kbli_codes"]:
            company["kbli_codes"].append(kbli)
        product = {
            "id": product_id,
            "company_id": company["id"],
            "name": name,
            "brand": brand,
            "specification": rng.choice(specs),
            "kbli": kbli,
            "unit": unit,
            "category": Product.Category.GENERAL,
            "created_at": company["created_at"],
            "updated_at": company["created_at"],
        }
        batch[Product].append(product)
        return product

    def _application(self, product: dict, **values) -> dict:
        application_id = self.application_id
        self.application_id += 1
        return {
            "id": application_id,
            "public_id": uuid.uuid4(),
            "product_id": product["id"],
            "is_renewal": False,
            **values,
        }

    def _value_and_breakdown(self, rule_set: calculation.RuleSet) -> tuple[Decimal, dict]:
        """A certifiable value and its breakdown, computed by the engine under ``rule_set``.

        The input is synthetic but realistic: labour fully WNI, overhead domestic (IK-2022), the
        facility mostly the owner's own (IK-2025), and the material amounts chosen for a target
        value (triangular between the threshold and the maximum). The value and breakdown then
        come from ``calculation.calculate``, the same code the worker runs, so the seed can never
        disagree with the rules.
        """
        rng = self.rng
        threshold, top = rule_set.threshold, rule_set.maximum
        target = Decimal(str(rng.triangular(float(threshold), float(top), float(threshold) + 5)))
        weights = rule_set.weights
        development = frozenset()
        if rule_set.development_counts and (
            target > top - weights["development"] or rng.random() < 0.35
        ):
            development = frozenset({rng.choice(["HKI", "HALAL", "SNI"])})
        facility = None
        fixed = weights["labour"]  # labour is fully WNI
        if rule_set.uses_facility:
            facility = rng.choices(["own", "other_company", "other_industry"], [85, 10, 5])[0]
            fixed += weights["facility"] * rule_set.facility_credits[facility]
        if "overhead" in weights:
            fixed += weights["overhead"]
        if development:
            fixed += weights["development"]
        share = min(Decimal(1), max(Decimal(0), (target - fixed) / weights["materials"]))
        materials_total = Decimal(rng.randrange(20_000, 500_000))
        # Rounded up, so the value never drops below the target (and the threshold) by rounding.
        domestic = min(materials_total, (materials_total * share).quantize(CENT, ROUND_CEILING))

        # IK-2025 lines say their origin, IK-2022 lines their yes/no domestic flag.
        def line(name: str, amount: Decimal, is_domestic: bool) -> calculation.MaterialLine:
            if rule_set.uses_origin:
                origin = "local" if is_domestic else "imported"
                return calculation.MaterialLine(name, Decimal(1), amount, origin=origin)
            return calculation.MaterialLine(name, Decimal(1), amount, domestic=is_domestic)

        materials = [line("bahan lokal", domestic, True)] if domestic else []
        if materials_total > domestic:
            materials.append(line("bahan impor", materials_total - domestic, False))
        labour = Decimal(rng.randrange(5_000, 100_000))
        overhead = Decimal(rng.randrange(500, 20_000))
        result = calculation.calculate(
            calculation.CalculationInput(
                materials=tuple(materials),
                labour=(calculation.LabourLine("pengrajin", labour, "WNI"),),
                overhead=(calculation.OverheadLine("listrik", overhead, True),),
                development=development,
                facility=facility,
            ),
            rule_set,
        )
        return result.tkdn_ik, calculation.result_to_dict(result)

    def _certified_product(self, company: dict, offset: int, batch: dict) -> None:
        rng = self.rng
        product = self._product(company, batch)
        issue_date = self.today - datetime.timedelta(days=offset)
        submitted = self._moment(issue_date - datetime.timedelta(days=rng.randint(3, 12)))
        # The set in force on the submission date (spec §8), with its validity and extension.
        rule_set = calculation.rule_set_for(submitted.date(), self.rule_sets)
        valid_until = rule_set.valid_until(issue_date)
        extended_until = None
        if (
            rule_set.extendable
            and rng.random() < 0.03
            and valid_until < self.today + datetime.timedelta(days=180)
        ):
            extended_until = rule_set.extended_until(valid_until)
        revoked_at = None
        if rng.random() < 0.03:
            revoke_day = issue_date + datetime.timedelta(days=rng.randrange(1, 700))
            revoked_at = self._moment(min(revoke_day, self.today))
        expires = extended_until or valid_until
        if revoked_at:
            app_status = Application.Status.REVOKED
        elif expires < self.today:
            app_status = Application.Status.EXPIRED
        elif extended_until:
            app_status = Application.Status.EXTENDED
        else:
            app_status = Application.Status.ISSUED
        value, breakdown = self._value_and_breakdown(rule_set)
        decided = self._moment(issue_date, hour=rng.randrange(8, 12))
        issued_at = self._moment(issue_date, hour=15)
        application = self._application(
            product,
            rule_set=rule_set.code,
            status=app_status,
            tkdn_ik=value,
            eligible=True,
            breakdown=breakdown,
            computed_at=submitted + datetime.timedelta(minutes=2),
            declared_at=submitted,
            created_at=submitted - datetime.timedelta(days=rng.randint(0, 20)),
            updated_at=revoked_at or issued_at,
            submitted_at=submitted,
            decided_at=decided,
        )
        batch[Application].append(application)
        year = issue_date.year
        sequence = self.next_sequence[year]
        self.next_sequence[year] += 1
        certificate_id = self.certificate_id
        self.certificate_id += 1
        batch[Certificate].append(
            {
                "id": certificate_id,
                "application_id": application["id"],
                "number": f"TKDNIK/{company['province_id']}/{year}/{sequence:06d}",
                "year": year,
                "sequence": sequence,
                "issue_date": issue_date,
                "valid_until": valid_until,
                "extended_until": extended_until,
                "rule_set": rule_set.code,
                "tkdn_ik": value,
                "breakdown": breakdown,
                "company_name": company["name"],
                "company_nib": company["nib"],
                "factory_address": company["factory_address"],
                "province_id": company["province_id"],
                "regency_id": company["regency_id"],
                "province_name": self.province_names[company["province_id"]],
                "regency_name": company["_regency_name"],
                "product_name": product["name"],
                "product_brand": product["brand"],
                "product_specification": product["specification"],
                "product_unit": product["unit"],
                "kbli": product["kbli"],
                "issuer_name": settings.TKDN_ISSUER_NAME,
                "signatory_name": settings.TKDN_SIGNATORY_NAME,
                "signatory_position": settings.TKDN_SIGNATORY_POSITION,
                "legal_basis": rule_set.legal_basis,
                "verification_token": new_verification_token(),
                "status": "REVOKED" if revoked_at else "VALID",
                "revoked_at": revoked_at,
                "revocation_reason": "Data bahan baku tidak sesuai hasil verifikasi lapangan."
                if revoked_at
                else "",
                "pdf": "",
                "pdf_sha256": "",
                "created_at": issued_at,
                "updated_at": revoked_at or issued_at,
            }
        )

    def _rejected_product(self, company: dict, batch: dict) -> None:
        rng = self.rng
        product = self._product(company, batch)
        reason = rng.choices(
            [code for code, _ in REJECTION_REASONS], weights=[w for _, w in REJECTION_REASONS]
        )[0]
        day = self.today - datetime.timedelta(days=rng.randrange(ISSUE_SPAN_DAYS))
        submitted = self._moment(day - datetime.timedelta(days=rng.randint(2, 12)))
        rule_set = calculation.rule_set_for(submitted.date(), self.rule_sets)
        below = reason == ReasonCode.BELOW_THRESHOLD
        threshold = float(rule_set.threshold)
        value = (
            Decimal(str(round(rng.uniform(threshold / 2, threshold - 0.01), 2))) if below else None
        )
        batch[Application].append(
            self._application(
                product,
                rule_set=rule_set.code,
                status=Application.Status.REJECTED,
                tkdn_ik=value,
                eligible=False if below else None,
                computed_at=submitted + datetime.timedelta(minutes=2) if below else None,
                declared_at=submitted,
                reason_code=reason,
                decision_reason="Data sintetis (seed_registry).",
                created_at=submitted - datetime.timedelta(days=rng.randint(0, 20)),
                updated_at=self._moment(day),
                submitted_at=submitted,
                decided_at=submitted + datetime.timedelta(minutes=3)
                if below
                else self._moment(day),
            )
        )


# The trigger that keeps the table of search words (registry migration 0006).
_WORDS_TRIGGER = "registry_search_word_collect"


def _suspend_secondary_indexes(writers) -> list[tuple[str, str]]:
    """Drop the indexes of the written tables that back no constraint (primary keys, unique and
    foreign keys stay: the rows must still be checked) and pause the search words trigger.
    Returns (table, CREATE INDEX statement) pairs for ``_restore_secondary_indexes``."""
    tables = [model._meta.db_table for model in writers]
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT t.relname, i.relname, pg_get_indexdef(i.oid)
            FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid
            JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisunique
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
            ORDER BY t.relname, i.relname
            """,
            [tables],
        )
        rows = cursor.fetchall()
        for _table, name, _definition in rows:
            cursor.execute(f"DROP INDEX IF EXISTS {connection.ops.quote_name(name)}")
        cursor.execute(
            f"ALTER TABLE registry_certificate DISABLE TRIGGER {_WORDS_TRIGGER}"  # nosec B608
        )
    return [(table, definition) for table, _name, definition in rows]


def _restore_secondary_indexes(suspended: list[tuple[str, str]]) -> None:
    """Rebuild what ``_suspend_secondary_indexes`` dropped, and collect and count the search
    words (the trigger was paused)."""
    with connection.cursor() as cursor:
        # Inside an outer transaction (a test) the deferred foreign key checks of the rows just
        # written are still pending, and PostgreSQL builds no index on a table with pending
        # trigger events: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for _table, definition in suspended:
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
        cursor.execute(
            f"ALTER TABLE registry_certificate ENABLE TRIGGER {_WORDS_TRIGGER}"  # nosec B608
        )
        cursor.execute(RECOUNT_SEARCH_WORDS_SQL)
