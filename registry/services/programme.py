"""The regional office's programme data: IKM populations (coverage) and yearly targets.

Called by the admin (``registry.admin.programme``), which has already checked that the region
lies in the official's jurisdiction; these functions check it again (``registry.programme``).
"""

from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from registry.models import ProgrammeTarget, RegionPopulation


def _check_region(*, actor, province_id: str, regency_id: str | None) -> None:
    from registry.programme import Region, region_allowed

    region = Region(province_id or "", regency_id or "")
    if not province_id or not region_allowed(actor, region):
        raise PermissionDenied(_("Wilayah ini di luar wilayah kerja Anda."))


def population_record(*, actor, population: RegionPopulation) -> RegionPopulation:
    """Store a new population entry (history is kept: an entry is never changed afterwards).

    The public statistics are recomputed on their next read, so coverage uses it at once.
    """
    from registry.selectors import STATISTICS_CACHE_KEY

    if population.pk is not None:
        raise PermissionDenied(_("Data populasi tidak diubah; masukkan data baru."))
    _check_region(actor=actor, province_id=population.province_id, regency_id=population.regency_id)
    population.source = population.source.strip()
    population.entered_by = actor
    population.full_clean()
    population.save()
    cache.delete(STATISTICS_CACHE_KEY)
    return population


def target_save(*, actor, target: ProgrammeTarget) -> ProgrammeTarget:
    """Create or change a yearly target of the actor's region."""
    _check_region(actor=actor, province_id=target.province_id, regency_id=target.regency_id)
    target.updated_by = actor
    target.full_clean()
    target.save()
    return target
