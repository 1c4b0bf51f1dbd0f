"""Search across the portal: partial words everywhere; on PostgreSQL also typos, ranked by trigram
similarity of the title (pg_trgm). On SQLite (the quick start) only substrings match."""

import re
from dataclasses import dataclass, field
from functools import reduce
from operator import and_, or_

from django.conf import settings
from django.db import connection
from django.db.models import Case, F, FloatField, Q, QuerySet, Value, When
from django.db.models.expressions import Combinable
from django.db.models.functions import Greatest

from apps.search.kinds import KINDS, SearchKind

MAX_QUERY_LENGTH = 100
MAX_TERMS = 6


@dataclass(frozen=True)
class Hit:
    kind: str
    title: str
    detail: str
    url: str


@dataclass
class Group:
    kind: str
    label: str
    hits: list[Hit] = field(default_factory=list)


def terms_of(query: str) -> list[str]:
    return re.findall(r"\w+", query.lower())[:MAX_TERMS]


def _contains(kind: SearchKind, term: str) -> Q:
    return reduce(or_, (Q(**{f"{name}__icontains": term}) for name in kind.fields))


def _similarity(kind: SearchKind, term: str):
    from django.contrib.postgres.search import TrigramWordSimilarity

    scores = [TrigramWordSimilarity(term, name) for name in kind.fields[:2]]
    return Greatest(*scores, output_field=FloatField()) if len(scores) > 1 else scores[0]


def _matching(queryset: QuerySet, kind: SearchKind, query: str, terms: list[str]) -> QuerySet:
    """Every term is part of some field, so partial words match; on PostgreSQL a term may instead look
    like a word of the title or the second field despite a typo."""
    title = kind.fields[0]
    starts = Case(When(**{f"{title}__istartswith": query}, then=Value(1.0)), default=Value(0.0))
    if connection.vendor != "postgresql":
        every_term = reduce(and_, (_contains(kind, term) for term in terms))
        return queryset.filter(every_term).annotate(rank=starts).order_by("-rank", title)
    similar = {f"similarity_{i}": _similarity(kind, term) for i, term in enumerate(terms)}
    threshold = settings.SEARCH_TYPO_SIMILARITY
    every_term = reduce(
        and_,
        (_contains(kind, term) | Q(**{f"similarity_{i}__gte": threshold}) for i, term in enumerate(terms)),
    )
    scores: list[Combinable] = [F(name) for name in similar]
    closeness = reduce(lambda a, b: a + b, scores) / len(terms)
    return (
        queryset.annotate(**similar)
        .filter(every_term)
        .annotate(rank=starts + closeness)
        .order_by("-rank", title)
    )


def search(*, query: str, kinds: tuple[str, ...] | None = None, limit: int = 5) -> list[Group]:
    """The best ``limit`` hits of each kind (in the order of ``KINDS``), kinds without hits left out.
    One query per kind searched."""
    query = query.strip()[:MAX_QUERY_LENGTH]
    terms = terms_of(query)
    if not terms:
        return []
    groups = []
    for kind in KINDS:
        if kinds and kind.key not in kinds:
            continue
        rows = _matching(kind.queryset(), kind, query, terms)[:limit]
        hits = [Hit(kind.key, kind.title(row), kind.detail(row), kind.url(row)) for row in rows]
        if hits:
            groups.append(Group(kind.key, kind.label, hits))
    return groups
