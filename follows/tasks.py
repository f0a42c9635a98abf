from celery import shared_task

from follows import digest, refresh


@shared_task(time_limit=10 * 60, soft_time_limit=9 * 60)
def send_weekly_digests() -> int:
    """Weekly (Celery beat): queue one :func:`send_digest` per user who follows someone, so a
    slow or failing digest holds up nobody else's; returns how many were queued."""
    queued = 0
    for user_id in digest.digest_user_ids().iterator():
        send_digest.delay(user_id)
        queued += 1
    return queued


# acks_late: a digest a dying worker had not finished is delivered again, and the ledger in
# digest.send_digest makes a second delivery send nothing.
@shared_task(acks_late=True, time_limit=5 * 60, soft_time_limit=4 * 60)
def send_digest(user_id: int) -> int:
    """One user's weekly digest; nothing if the user is gone or already had this week's."""
    return digest.send_digest_to(user_id)


@shared_task(time_limit=10 * 60)
def refresh_followed_and_claimed_researchers() -> list[int]:
    """Weekly (Celery beat): re-import the followed and claimed records; returns the run ids."""
    return refresh.refresh_followed_and_claimed()
