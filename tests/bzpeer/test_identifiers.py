"""One identifiers module: every form people paste and upstream records carry, one canonical
form out, and the recorded fixtures' ids all parse."""

import json
import re

import idutils
import pytest

from bzpeer import identifiers as ids
from tests.conftest import ARXIV, OPENALEX

VALID_ORCIDS = ["0000-0002-1825-0097", "0000-0002-1694-233X", "0000-0003-4063-6479"]


@pytest.mark.parametrize(
    "value",
    [
        "10.1145/2795233",
        "https://doi.org/10.1145/2795233",
        "http://dx.doi.org/10.1145/2795233",
        "doi:10.1145/2795233",
        "DOI: 10.1145/2795233",
        "  HTTPS://DOI.ORG/10.1145/2795233 ",
    ],
)
def test_a_doi_in_any_pasted_form_is_bare_and_lower_case(value):
    assert ids.normalise_doi(value) == "10.1145/2795233"


@pytest.mark.parametrize(
    "value", [None, "", "not a doi", "10.1145", "https://example.org/10.1/x", "10.1/a b"]
)
def test_what_is_not_a_doi_is_none(value):
    assert ids.normalise_doi(value) is None


def test_doi_url():
    assert ids.doi_url("10.1145/2795233") == "https://doi.org/10.1145/2795233"


@pytest.mark.parametrize("orcid", VALID_ORCIDS)
def test_orcid_checksum_agrees_with_idutils(orcid):
    assert idutils.is_orcid(orcid)
    assert ids.parse_orcid(orcid) == orcid
    assert ids.parse_orcid(f"https://orcid.org/{orcid.lower()}/") == orcid
    assert ids.parse_orcid(f"http://sandbox.orcid.org/{orcid}") == orcid
    assert ids.orcid_url(orcid) == f"https://orcid.org/{orcid}"


def test_an_orcid_with_a_wrong_check_digit_is_refused_with_a_reason():
    assert not idutils.is_orcid("0000-0002-1825-0098")
    with pytest.raises(ValueError, match="should be 7"):
        ids.parse_orcid("0000-0002-1825-0098")
    assert ids.normalise_orcid("0000-0002-1825-0098") is None
    assert ids.looks_like_orcid("0000-0002-1825-0098")


@pytest.mark.parametrize("value", [None, "", "nope", "0000-0002-1825", "x0000-0002-1825-0097"])
def test_what_is_not_shaped_like_an_orcid_is_refused(value):
    with pytest.raises(ValueError, match="not an ORCID"):
        ids.parse_orcid(value)
    assert not ids.looks_like_orcid(value)


def test_every_check_digit_matches_idutils():
    for n in range(0, 10_000, 7):
        base = f"000000021825{n:04d}"[:15]
        orcid = "-".join(re.findall(".{4}", base + ids.orcid_check_digit(base)))
        assert idutils.is_orcid(orcid), orcid


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://openalex.org/A5017898742", "A5017898742"),
        ("a5017898742", "A5017898742"),
        ("https://api.openalex.org/works/w3188841554", "W3188841554"),
        ("https://openalex.org/institutions/I123/", "I123"),
        ("S4210172589", "S4210172589"),
        ("t10888", "T10888"),
    ],
)
def test_an_openalex_id_as_url_or_bare_in_any_case(value, expected):
    assert ids.normalise_openalex_id(value) == expected
    assert ids.openalex_url(expected) == f"https://openalex.org/{expected}"


def test_an_openalex_id_of_the_wrong_kind_or_shape_is_refused():
    with pytest.raises(ValueError, match="not an OpenAlex author id"):
        ids.normalise_openalex_id("W3188841554", "A")
    for bad in ["", "X1", "A12x", "https://evil.example/A1", None, "A1 OR 1=1"]:
        with pytest.raises(ValueError, match="not an OpenAlex id"):
            ids.normalise_openalex_id(bad)
        assert ids.openalex_id_or_none(bad) is None
    assert ids.openalex_kind("W1") == "work"
    assert ids.openalex_kind("C1") == "other"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2108.04680", ("2108.04680", None)),
        ("arXiv:2108.04680v2", ("2108.04680", 2)),
        ("https://arxiv.org/abs/2108.04680v12", ("2108.04680", 12)),
        ("https://arxiv.org/pdf/2108.04680v1.pdf", ("2108.04680", 1)),
        ("0704.0001", ("0704.0001", None)),
        ("hep-th/9901001v1", ("hep-th/9901001", 1)),
        ("http://arxiv.org/abs/astro-ph/0601001v1", ("astro-ph/0601001", 1)),
        ("math.gt/0309136", ("math.GT/0309136", None)),
        ("HEP-TH/9901001", ("hep-th/9901001", None)),
    ],
)
def test_arxiv_ids_old_and_new_style_with_version(value, expected):
    assert ids.split_arxiv_id(value) == expected
    assert ids.normalise_arxiv_id(value) == expected[0]


@pytest.mark.parametrize("value", [None, "", "abc", "2108.046", "https://example.org/2108.04680"])
def test_what_is_not_an_arxiv_id_is_none(value):
    assert ids.normalise_arxiv_id(value) is None


def test_arxiv_ids_from_dois_and_urls():
    assert ids.arxiv_id_from_doi("10.48550/arxiv.2108.04680") == "2108.04680"
    assert ids.arxiv_id_from_doi("10.1145/2795233") is None
    assert ids.arxiv_id_from_url("https://arxiv.org/abs/2108.04680v2") == "2108.04680"
    assert ids.arxiv_id_from_url("https://example.org/abs/2108.04680") is None
    assert ids.arxiv_id_from_url("arXiv:2108.04680") is None  # an id, not a URL
    assert ids.arxiv_doi("math.GT/0309136") == "10.48550/arxiv.math.gt/0309136"


@pytest.mark.parametrize(
    "value", ["006jb1a24", "https://ror.org/006jb1a24", "ror.org/006JB1A24/", " 006jb1a24 "]
)
def test_a_ror_id_as_url_or_bare(value):
    assert ids.normalise_ror(value) == "006jb1a24"
    assert idutils.is_ror(ids.normalise_ror(value))


@pytest.mark.parametrize("value", [None, "", "106jb1a24", "https://example.org/006jb1a24"])
def test_what_is_not_a_ror_id_is_none(value):
    assert ids.normalise_ror(value) is None


@pytest.mark.parametrize(
    ("value", "level", "expected"),
    [
        ("https://openalex.org/T10888", "topic", "T10888"),
        ("t10888", "topic", "T10888"),
        ("https://openalex.org/subfields/1707", "subfield", "subfields/1707"),
        ("HTTP://OpenAlex.org/Fields/17/", "field", "fields/17"),
        ("domains/3", "domain", "domains/3"),
        ("fields/17", "subfield", None),
        ("https://example.org/fields/17", "field", None),
        ("fields/17x", "field", None),
        ("W2741809807", "topic", None),
        (None, "topic", None),
        (["fields/17"], "field", None),
    ],
)
def test_ids_of_the_topic_hierarchy(value, level, expected):
    assert ids.topic_level_id(value, level) == expected


def test_a_topic_filter_value_names_any_level():
    assert ids.topic_id_any_level("https://openalex.org/subfields/1707") == "subfields/1707"
    assert ids.topic_id_any_level("T10888") == "T10888"
    assert ids.topic_id_any_level("Computer Science") is None


def _values(data, keys: set[str], found: dict[str, list[str]], key=None):
    if isinstance(data, dict):
        for k, v in data.items():
            _values(v, keys, found, k)
    elif isinstance(data, list):
        for v in data:
            _values(v, keys, found, key)
    elif isinstance(data, str) and key in keys:
        found.setdefault(key, []).append(data)


def test_every_id_in_the_recorded_fixtures_parses():
    found: dict[str, list[str]] = {}
    for path in sorted(OPENALEX.glob("*.json")):
        _values(json.loads(path.read_text()), {"orcid", "doi", "ror", "id"}, found)
    assert len(found["orcid"]) > 100 and len(found["doi"]) > 50 and len(found["ror"]) > 100
    assert [o for o in found["orcid"] if ids.normalise_orcid(o) is None] == []
    assert [d for d in found["doi"] if ids.normalise_doi(d) is None] == []
    assert [r for r in found["ror"] if ids.normalise_ror(r) is None] == []
    # The topic hierarchy ("fields/17") and keywords have ids of their own, not entity ids.
    entities = [
        i
        for i in found["id"]
        if "openalex.org/" in i and not re.search(r"/(domains|fields|subfields|keywords)/", i)
    ]
    assert len(entities) > 1000
    assert [i for i in entities if ids.openalex_id_or_none(i) is None] == []
    levels = [i for i in found["id"] if re.search(r"openalex\.org/(domains|fields|subfields)/", i)]
    assert len(levels) > 100
    assert [i for i in levels if ids.topic_id_any_level(i) is None] == []
    abs_urls = [
        url
        for path in sorted(ARXIV.glob("*.xml"))
        for url in re.findall(r"<id>(https?://arxiv\.org/abs/[^<]+)</id>", path.read_text())
    ]
    assert len(abs_urls) > 10
    assert [u for u in abs_urls if ids.split_arxiv_id(u) is None] == []
