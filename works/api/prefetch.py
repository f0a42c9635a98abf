"""What a work in a list shows (venue, authors with their records, visible versions), loaded
in three queries per page whatever its size. Shared by the API, the works pages and exports."""

from django.db.models import Prefetch

from works.models import Authorship, Work


def with_list_relations(queryset):
    return queryset.select_related("source").prefetch_related(
        Prefetch(
            "authorships",
            queryset=Authorship.objects.select_related("researcher").order_by("order"),
        ),
        Prefetch("versions", queryset=Work.objects.visible().select_related("source")),
    )
