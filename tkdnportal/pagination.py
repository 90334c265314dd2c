"""Pagination of large tables: a count that stops at a limit ("more than 1,000")."""

from django.core.paginator import Paginator
from django.utils.functional import cached_property


class CappedCountPaginator(Paginator):
    """A paginator that counts at most ``limit`` rows (``capped`` tells whether there are more).

    One query, ``SELECT COUNT(*) FROM (SELECT ... LIMIT limit + 1)``: it stops after
    ``limit + 1`` matches, where ``COUNT(*)`` reads every match (a common word among a million
    certificates: 0.5 s; the admin's unfiltered list: seconds). Pages past the cap are not
    offered; filters and the search narrow a list instead. Used by the public lookup
    (``registry.views``) and the admin changelists (``tkdnportal.admin.LargeTableAdminMixin``).
    """

    limit = 1000

    def __init__(self, object_list, per_page, *args, limit: int | None = None, **kwargs):
        super().__init__(object_list, per_page, *args, **kwargs)
        if limit is not None:
            self.limit = limit
        self.capped = False

    @cached_property
    def count(self) -> int:
        found = self.object_list.order_by()[: self.limit + 1].count()
        self.capped = found > self.limit
        return min(found, self.limit)
