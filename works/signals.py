"""What ingestion announces to the apps above it, which it may not import.

``researchers_changed`` is sent after an import, a curation or a bulk load has changed the works
of some researchers (``researcher_ids``, live records), or of everyone (``researcher_ids=None``).
The graph app listens and recomputes collaborators, topics and trust; a receiver's return value
(the graph's counts, for a bulk load) comes back to the sender.
"""

from django.dispatch import Signal

researchers_changed = Signal()


def announce_researchers_changed(sender, researcher_ids) -> dict:
    """Send ``researchers_changed`` now, for ``researcher_ids`` (sorted, deduplicated) or, with
    None, for every researcher. Returns what the receivers reported, merged into one dict."""
    ids = None if researcher_ids is None else sorted(set(researcher_ids))
    if ids == []:
        return {}
    report: dict = {}
    for _receiver, response in researchers_changed.send(sender=sender, researcher_ids=ids):
        if isinstance(response, dict):
            report.update(response)
    return report
