"""The graph follows the data: what lower layers announce, the graph recomputes."""

from django.dispatch import receiver

from graph.actions import recompute_all, refresh_researchers
from works.signals import researchers_changed


@receiver(researchers_changed, dispatch_uid="graph.refresh_changed_researchers")
def refresh_changed_researchers(sender, researcher_ids, **kwargs) -> dict | None:
    """Some researchers' works changed: refresh them; everyone's: rebuild and report counts."""
    if researcher_ids is None:
        return recompute_all()
    refresh_researchers(researcher_ids)
    return None
