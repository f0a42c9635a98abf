import socket

import pytest


def test_the_network_is_blocked_for_the_whole_suite():
    with (
        pytest.warns(UserWarning, match="socket"),
        pytest.raises(Exception, match=r"(?i)socket|network|host"),
    ):
        socket.create_connection(("93.184.216.34", 80), timeout=2)


@pytest.mark.django_db
def test_home_answers(client):
    assert client.get("/").status_code == 200
