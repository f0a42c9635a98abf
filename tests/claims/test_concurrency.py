"""Simultaneous approvals on one record end with exactly one owner (PostgreSQL only: SQLite
serialises writers, so it cannot show the race)."""

import threading

import pytest
from django.conf import settings
from django.db import connection

from claims import actions
from claims.models import Claim
from tests.factories import ResearcherFactory
from tests.factories_claims import ClaimFactory
from works.models import Researcher

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(not settings.IS_POSTGRES, reason="needs PostgreSQL row locks"),
]

THREADS = 20


@pytest.mark.django_db(transaction=True)
def test_twenty_simultaneous_approvals_of_different_claims_give_one_owner(
    django_user_model, staff_reviewer
):
    record = ResearcherFactory()
    claims = [
        ClaimFactory(
            researcher=record,
            claimant=django_user_model.objects.create_user(f"c{i}", f"c{i}@example.org", "x"),
        )
        for i in range(THREADS)
    ]
    barrier = threading.Barrier(THREADS)
    outcomes: list = []
    lock = threading.Lock()

    def approve(claim):
        try:
            barrier.wait()
            try:
                actions.approve_claim(claim, staff_reviewer)
                result = "approved"
            except actions.ClaimError as error:
                result = str(error)
            with lock:
                outcomes.append(result)
        finally:
            connection.close()

    threads = [threading.Thread(target=approve, args=(claim,)) for claim in claims]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert len(outcomes) == THREADS
    assert outcomes.count("approved") == 1
    record.refresh_from_db()
    winner = Claim.objects.get(status=Claim.Status.APPROVED)
    assert record.owner_id == winner.claimant_id
    assert Researcher.objects.filter(owner__isnull=False).count() == 1
    # Everyone else was refused cleanly, and their claims were closed with a reason.
    assert set(outcomes) - {"approved"} <= {
        "This record already has an owner.",
        "This claim is not waiting for review.",
    }
    assert Claim.objects.filter(status=Claim.Status.REJECTED).count() == THREADS - 1
