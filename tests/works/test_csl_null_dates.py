"""CSL items as Crossref really exports them: an unknown issue date is ``[[null]]``
(CrossRef/rest-api-doc issues 169 and 432), which must be read as "no date", not refuse the file."""

import json

import pytest

from works.importers.csl import CslError, parse_item, read_csl_file


def test_it_reads_crossrefs_null_date_parts_as_no_date():
    item = {"title": "Anecdotal evidence", "issued": {"date-parts": [[None]]}}

    fields = parse_item(item)

    assert fields["title"] == "Anecdotal evidence"
    assert fields["publication_year"] is None
    assert fields["publication_date"] is None


def test_a_file_with_a_null_date_part_is_imported_not_refused(tmp_path):
    path = tmp_path / "crossref.json"
    path.write_text(
        json.dumps(
            [
                {"title": "Dated", "issued": {"date-parts": [[2016, 12, 5]]}},
                {"title": "Undated", "issued": {"date-parts": [[None]]}, "DOI": "10.1/x"},
            ]
        )
    )

    items = read_csl_file(path)

    assert [parse_item(item)["publication_year"] for item in items] == [2016, None]


def test_a_wrong_typed_date_part_is_still_refused():
    with pytest.raises(CslError, match="date-parts"):
        parse_item({"title": "A", "issued": {"date-parts": [[{"year": 2020}]]}})
