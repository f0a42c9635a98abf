"""Audit and curation logs, and import runs, are read in the admin, never written there."""

import pytest
from django.urls import reverse

MODELS = ["claims_auditevent", "works_curationlog", "works_importrun"]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_staff_can_list_the_rows_but_not_add_any(client, staff_reviewer, model):
    client.force_login(staff_reviewer)

    assert client.get(reverse(f"admin:{model}_changelist")).status_code == 200
    assert client.get(reverse(f"admin:{model}_add")).status_code == 403
