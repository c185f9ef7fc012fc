"""Numbered pages of the web app's lists (the API's are keyset pages: kl14.keyset)."""

from django.core import paginator


class Paginator(paginator.Paginator):
    """Django's, except that a first page holding every row costs no count: its rows are read
    with one row more than the page shows, and when they all fit, their number is the count.
    Most lists a person opens (an inbox, a queue, their proposals, their notifications) hold
    less than a page; a longer list, or any other page, is counted as Django counts it.
    Page 1 shows the same rows as Django's (orphans included)."""

    def get_page(self, number):
        if "count" in self.__dict__ or not _first(number):
            return super().get_page(number)
        fits = self.per_page + self.orphans
        rows = list(self.object_list[: fits + 1])
        if len(rows) <= fits:
            if not rows and not self.allow_empty_first_page:
                return super().get_page(number)  # Django's answer to an empty list
            self.__dict__["count"] = len(rows)  # the cached property, known without a query
            return self._get_page(rows, 1, self)
        return self._get_page(rows[: self.per_page], 1, self)


def _first(number) -> bool:
    """Whether Django's get_page(number) answers page 1 before knowing the count: "1", or no
    page number at all (a missing or non-numeric `?page=`)."""
    try:
        if isinstance(number, float) and not number.is_integer():
            raise ValueError
        return int(number) == 1
    except (TypeError, ValueError):
        return True
