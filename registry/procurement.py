"""What a government buyer asks for, in one place: the procurement thresholds of TKDN and the
plain-language needs of the supplier finder (``/pemasok/``) mapped to KBLI 2020 groups.

Thresholds (procurement rules, not certification rules; spec §8 and §9):

- ``PREFERENCE_MIN_TKDN`` 25.00: a product with TKDN ≥ 25 % gets the domestic price preference
  (PP 29/2018; Perpres 46/2025 art. 66). The finder's default minimum.
- ``MANDATORY_MIN_TKDN`` 40.00: where some product reaches TKDN + BMP ≥ 40 %, buyers must buy
  domestic products (the "wajib" level). A TKDN-IK certificate carries no BMP (company benefit
  weight) **[A]**, so the finder compares the TKDN-IK value alone with 40.

Categories: each need lists KBLI *prefixes* (a 2-digit division, a 3- or 4-digit group or a full
5-digit code); a certificate matches when its product KBLI starts with one of them. The
divisions are KBLI 2020 category C (manufacturing). Where a code is an assumption (the finer
KBLI 2020 titles could not be checked against the BPS publication, or a group mixes buyer needs)
the entry says **[A]**. Change the needs here and nowhere else: the page, the API (and its
OpenAPI enum), the tests and the benchmark read this mapping.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

#: TKDN ≥ 25 %: price preference in government procurement (PP 29/2018, Perpres 46/2025 art. 66).
PREFERENCE_MIN_TKDN = Decimal("25.00")
#: TKDN (+ BMP) ≥ 40 %: the level at which buying domestic is mandatory ("wajib").
MANDATORY_MIN_TKDN = Decimal("40.00")


@dataclass(frozen=True)
class Need:
    """A buyer's need: a URL slug, a label, examples for the page, and the KBLI prefixes."""

    slug: str
    label: str
    examples: str
    kbli_prefixes: tuple[str, ...]

    def kbli_q(self) -> Q:
        """Certificates whose KBLI starts with one of the prefixes, as ranges
        (``prefix <= kbli < next prefix``): a B-tree range scan on the KBLI index under any
        collation, where ``LIKE 'prefix%'`` would need a ``varchar_pattern_ops`` index."""
        condition = Q()
        for prefix in self.kbli_prefixes:
            upper = str(int(prefix) + 1).zfill(len(prefix))
            condition |= Q(kbli__gte=prefix, kbli__lt=upper)
        return condition


NEEDS: tuple[Need, ...] = (
    Need(
        "mebel",
        _("Mebel / furnitur"),
        _("meja dan kursi sekolah, lemari, mebel kantor, rotan, bambu"),
        # 3100x: furniture of wood (31001), rattan/bamboo (31002), plastic, metal, other.
        ("310",),
    ),
    Need(
        "perlengkapan-sekolah",
        _("Perlengkapan sekolah dan alat peraga"),
        _("mainan edukasi, alat peraga, alat tulis, barang dari kertas"),
        # [A] 32400 games and toys (educational toys), 32901 writing and drawing instruments,
        # 1709 other articles of paper (exercise books). School furniture is under "mebel",
        # uniforms under "pakaian".
        ("32400", "32901", "1709"),
    ),
    Need(
        "pakaian",
        _("Pakaian, seragam dan kain"),
        _("seragam, batik, tenun, kemeja, pakaian kerja"),
        # Divisions 13 (textiles: batik 13134, woven cloth 1312x) and 14 (wearing apparel).
        ("13", "14"),
    ),
    Need(
        "tas-sepatu-kulit",
        _("Tas, sepatu dan barang kulit"),
        _("sepatu PDH, pantofel, tas, dompet"),
        ("15",),
    ),
    Need(
        "makanan-minuman",
        _("Makanan dan minuman"),
        _("kudapan, kopi, gula aren, sambal, madu, minuman kemasan"),
        ("10", "11"),
    ),
    Need(
        "kerajinan-suvenir",
        _("Suvenir dan kerajinan"),
        _("anyaman, bingkai kayu, gerabah, kerajinan perak, alat musik tradisional"),
        # [A] 1629 other wood products and plaiting (anyaman bambu 16293, bingkai 16292),
        # 2393 non-structural ceramic/pottery (gerabah 23931), 321 jewellery and silver craft,
        # 322 musical instruments (angklung 32202).
        ("1629", "2393", "321", "322"),
    ),
    Need(
        "mesin-peralatan",
        _("Mesin, perkakas dan alat pertanian"),
        _("cangkul, golok, perkakas tangan, mesin pengolah, alat pertanian"),
        # [A] 2593 cutlery, hand tools and general hardware; division 28 machinery.
        ("2593", "28"),
    ),
    Need(
        "bahan-bangunan",
        _("Bahan bangunan"),
        _("genteng, paving block, batako, pagar dan teralis besi"),
        # [A] 2392 clay building materials, 2395 concrete/cement articles, 2511 structural
        # metal products.
        ("2392", "2395", "2511"),
    ),
    Need(
        "kebersihan-rumah-tangga",
        _("Sabun, kebersihan dan perlengkapan rumah tangga"),
        _("sabun, pembersih, minyak atsiri, ember dan wadah plastik"),
        # [A] 2023 soap and cleaning preparations, 2029 other chemical products (essential
        # oils), 222 plastic products.
        ("2023", "2029", "222"),
    ),
    Need(
        "listrik-lampu",
        _("Lampu dan peralatan listrik"),
        _("lampu hias, lampu penerangan, peralatan listrik"),
        ("27",),
    ),
    Need(
        "alat-angkut",
        _("Perahu dan alat angkut"),
        _("perahu nelayan, gerobak, sepeda, alat angkut kecil"),
        ("30",),
    ),
)

NEEDS_BY_SLUG: dict[str, Need] = {need.slug: need for need in NEEDS}


def need_choices() -> list[tuple[str, str]]:
    return [(need.slug, need.label) for need in NEEDS]


def tkdn_level(value: Decimal) -> str:
    """``wajib`` (≥ 40), ``preferensi`` (≥ 25) or ``""`` for a value below both."""
    if value >= MANDATORY_MIN_TKDN:
        return "wajib"
    if value >= PREFERENCE_MIN_TKDN:
        return "preferensi"
    return ""
