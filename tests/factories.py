"""factory-boy factories for the core records."""

import factory

from works.models import Authorship, Institution, Researcher, Source, Topic, Work


class InstitutionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Institution

    display_name = factory.Sequence(lambda n: f"University {n}")
    openalex_id = factory.Sequence(lambda n: f"I9{n:06d}")
    country_code = "GB"
    type = "education"


class ResearcherFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Researcher

    display_name = factory.Faker("name")
    openalex_id = factory.Sequence(lambda n: f"A9{n:09d}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    display_name = factory.Sequence(lambda n: f"Journal {n}")
    openalex_id = factory.Sequence(lambda n: f"S9{n:06d}")
    type = "journal"


class TopicFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Topic

    display_name = factory.Sequence(lambda n: f"Topic {n}")
    openalex_id = factory.Sequence(lambda n: f"T9{n:05d}")
    level = Topic.Level.TOPIC


class WorkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Work

    title = factory.Sequence(lambda n: f"A study of things, part {n}")
    openalex_id = factory.Sequence(lambda n: f"W9{n:09d}")
    publication_year = 2021
    type = "article"
    source = factory.SubFactory(SourceFactory)
    abstract = "We study things."


class AuthorshipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Authorship

    work = factory.SubFactory(WorkFactory)
    researcher = factory.SubFactory(ResearcherFactory)
    order = 0
    position = Authorship.Position.FIRST
    raw_author_name = factory.SelfAttribute("researcher.display_name")
