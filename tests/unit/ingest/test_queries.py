from __future__ import annotations

from ingest_service.queries import SearchParams, search_body


def test_each_facet_value_is_a_filter_of_its_own() -> None:
    body = search_body(SearchParams(q="harbour", person=["A", "B"], place=["Port Calden"]))
    filters = body["query"]["bool"]["filter"]
    assert {"term": {"people": "A"}} in filters and {"term": {"people": "B"}} in filters
    assert {"term": {"places": "Port Calden"}} in filters


def test_collapse_shows_one_hit_per_story_and_prefers_the_original() -> None:
    body = search_body(SearchParams(collapse=True))
    assert body["collapse"]["field"] == "dedup.cluster_id"
    assert body["query"]["bool"]["should"] == [{"term": {"dedup.is_duplicate": {"value": False, "boost": 0.5}}}]
    assert body["sort"][0] == "_score"  # the original's boost decides which hit stands for the story


def test_facets_and_a_date_histogram_are_always_asked_for() -> None:
    aggs = search_body(SearchParams())["aggs"]
    assert {"people", "organizations", "places", "speakers", "sources", "published"} <= set(aggs)


def test_quotes_by_speaker_match_the_canonical_name_or_part_of_it() -> None:
    from ingest_service.queries import QuoteParams, quotes_body

    nested = quotes_body(QuoteParams(speaker="Okafor", q="decision"))["query"]["nested"]
    assert nested["path"] == "quotes" and "inner_hits" in nested
    speaker, text = nested["query"]["bool"]["must"]
    assert {"term": {"quotes.speaker": "Okafor"}} in speaker["bool"]["should"]
    assert text == {"match": {"quotes.text": {"query": "decision", "operator": "and"}}}


def test_each_matching_quote_is_a_row_with_its_article() -> None:
    from ingest_service.queries import shape_quotes

    body = {
        "hits": {
            "total": {"value": 1},
            "hits": [
                {
                    "_source": {"id": "a1", "title": "T", "source": "S", "published_at": "2026-03-04T09:30:00Z"},
                    "inner_hits": {
                        "quotes": {"hits": {"hits": [{"_source": {"text": "Q", "speaker": "X", "kind": "direct"}}]}}
                    },
                }
            ],
        }
    }
    (row,) = shape_quotes(body)["quotes"]
    assert (row["text"], row["speaker"], row["article_id"], row["source"]) == ("Q", "X", "a1", "S")


def test_collapsed_facets_also_count_stories_and_facet_size_is_a_parameter() -> None:
    from ingest_service.search import shape_results

    params = SearchParams(collapse=True, facet_size=25)
    body = search_body(params)
    assert body["aggs"]["people"]["terms"]["size"] == 25
    assert body["aggs"]["people"]["aggs"] == {"stories": {"cardinality": {"field": "dedup.cluster_id"}}}
    assert "aggs" not in search_body(SearchParams())["aggs"]["people"]

    response = {
        "hits": {"total": {"value": 3}, "hits": []},
        "aggregations": {
            "people": {"buckets": [{"key": "Lena Okafor", "doc_count": 3, "stories": {"value": 2}}]},
            "stories": {"value": 2},
        },
    }
    shaped = shape_results(response, params)
    assert shaped["facets"]["people"] == [{"value": "Lena Okafor", "count": 3, "stories": 2}]
    assert shaped["stories"] == 2


def test_full_text_is_stemmed_and_the_words_as_typed_count_a_little_more() -> None:
    from schemas.search_document import index_definition

    multi_match = search_body(SearchParams(q="running"))["query"]["bool"]["must"][0]["multi_match"]
    boosts = {name: float(boost or 1) for name, _, boost in (f.partition("^") for f in multi_match["fields"])}
    assert boosts["title.exact"] < boosts["title"] and boosts["clean_body.exact"] < boosts["clean_body"]
    assert multi_match["tie_breaker"] > 0  # an exact-form match adds to the stemmed field's score
    properties = index_definition()["mappings"]["properties"]
    for field in ("title", "clean_body"):
        assert properties[field]["analyzer"] == "english"
        assert properties[field]["fields"]["exact"] == {"type": "text", "analyzer": "news_text"}
    assert properties["clean_body"]["index_options"] == "offsets"  # highlighting long bodies from the postings
