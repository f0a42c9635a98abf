"""/favicon.ico, asked for by pages that link no icon, leads to the SVG logo."""

from django.templatetags.static import static


def test_favicon_ico_redirects_to_the_logo_for_a_day(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    assert response["Location"] == static("img/bzpeer.svg")
    assert "max-age=86400" in response["Cache-Control"]
    assert client.post("/favicon.ico").status_code == 405


def test_every_page_of_ours_links_the_icon(client, db):
    assert '<link rel="icon" href="/static/img/bzpeer.svg"' in client.get("/").content.decode()
