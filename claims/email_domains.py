"""Which email domains may verify a claim on a researcher record.

An institution's domains are the ones staff set (``Institution.email_domains``) or, when none are
set, the host of its homepage without a leading "www." ("https://www.bangor.ac.uk/" gives
"bangor.ac.uk"). An address matches a domain or any subdomain of it.
"""

from urllib.parse import urlsplit

from works.models import Affiliation, Institution, Researcher


def domains_for_institution(institution: Institution) -> set[str]:
    domains = {d.strip().lower().lstrip("@.") for d in institution.email_domains or [] if d}
    if not domains and institution.homepage_url:
        host = (urlsplit(institution.homepage_url).hostname or "").lower()
        host = host.removeprefix("www.")
        # A bare TLD or an IP would match far too much.
        if "." in host and not host.replace(".", "").isdigit():
            domains.add(host)
    return {d for d in domains if d}


def domains_for_researcher(researcher: Researcher) -> set[str]:
    """Domains of the record's last known institution and of its affiliations."""
    institutions = [
        a.institution
        for a in Affiliation.objects.filter(researcher=researcher).select_related("institution")
    ]
    if researcher.last_known_institution is not None:
        institutions.append(researcher.last_known_institution)
    domains: set[str] = set()
    for institution in institutions:
        domains |= domains_for_institution(institution)
    return domains


def email_matches(address: str, domains: set[str]) -> bool:
    if "@" not in address:
        return False
    domain = address.rsplit("@", 1)[1].strip().lower()
    return any(domain == d or domain.endswith("." + d) for d in domains)
