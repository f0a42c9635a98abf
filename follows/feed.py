"""The feed: new works by the researchers a user follows.

"New" means new to this follower: a work bzpeer added after they followed the researcher, and
not published more than a year before they followed. Following someone therefore does not fill
the feed with their back catalogue (it was imported before), nor with old papers a later import
finds; those stay on the researcher's page. Newest publication first (year, then date), then
newest import.
"""

from django.db.models import Exists, F, OuterRef, Prefetch, Value
from django.db.models.functions import Coalesce

from follows.models import Follow
from works.models import Authorship, Work

UNDATED = Value(9999)


def new_works_for(user):
    followed_ids = Follow.objects.filter(user=user).values("researcher_id")
    new_for_user = Follow.objects.filter(
        user=user,
        researcher_id=OuterRef("researcher_id"),
        created_at__lte=OuterRef("work__created_at"),
        # A work without a year is kept: nothing says it is old.
        created_at__year__lte=Coalesce(OuterRef("work__publication_year"), UNDATED) + 1,
    )
    authorships = Authorship.objects.filter(Exists(new_for_user))
    return (
        Work.objects.visible()
        .filter(pk__in=authorships.values("work_id"))
        .select_related("source")
        .prefetch_related(
            Prefetch(
                "authorships",
                queryset=Authorship.objects.filter(researcher_id__in=followed_ids).select_related(
                    "researcher"
                ),
                to_attr="followed_authorships",
            )
        )
        .order_by(
            F("publication_year").desc(nulls_last=True),
            F("publication_date").desc(nulls_last=True),
            "-created_at",
            "-pk",
        )
    )
