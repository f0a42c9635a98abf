"""Row locks taken in one order everywhere, so two transactions never wait on each other.

Two actions that lock the same records in different orders (a merge of A into B while another
merges B into A, or a claim moves while the merge runs) can each hold one row the other wants:
PostgreSQL breaks the deadlock by killing one of them. Locking in ascending id order makes the
second wait for the first instead.
"""

from django.db import models


def lock_in_id_order(queryset_or_model, ids, *, missing_ok: bool = False) -> dict:
    """{pk: row} for ``ids``, each row locked (``SELECT ... FOR UPDATE``) in ascending id order.

    Must run inside a transaction, which holds the locks until it ends. Raises the model's
    ``DoesNotExist`` if one of the ids has no row (nothing is returned half-locked to act on),
    unless ``missing_ok``, for callers that act on whichever of the rows still exist.
    Taking the same locks again in the same transaction is free, so nested actions may call it.
    """
    queryset = (
        queryset_or_model._default_manager.all()
        if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model)
        else queryset_or_model
    )
    wanted = set(ids)
    # of=("self",): these rows only, not the rows of a select_related (which PostgreSQL
    # refuses to lock on the nullable side of an outer join anyway).
    rows = queryset.select_for_update(of=("self",)).filter(pk__in=wanted).order_by("pk")
    locked = {row.pk: row for row in rows}
    if not missing_ok and (missing := sorted(wanted - set(locked))):
        name = queryset.model._meta.verbose_name
        raise queryset.model.DoesNotExist(f"No {name} with id {', '.join(map(str, missing))}.")
    return locked
