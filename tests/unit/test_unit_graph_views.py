"""Unit tests for site_builder.graph_views: clusters, graph.json, the neighbourhood SVG."""

import datetime as dt
import json
import xml.etree.ElementTree as ET

from site_builder.config import SiteConfig
from site_builder.graph_views import clusters, graph_json, graph_overview, neighbourhood_svg
from site_builder.model import Case, RelatedEntry, RelatedGraph, SiteModel
from site_builder.neighbourhood import _caption, short_title
from site_builder.taxonomy import build_terms

SVG = "{http://www.w3.org/2000/svg}"


def entry(slug: str, score: float = 2.0, editor: bool = False) -> RelatedEntry:
    return RelatedEntry(slug, score, ("editor's pick",) if editor else ("shares tags: x",), editor)


def two_triangles() -> RelatedGraph:
    """a-b-c and x-y-z are dense; one weak link c-x joins them."""
    edges = {
        "a": (entry("b"), entry("c")),
        "b": (entry("a"), entry("c")),
        "c": (entry("a"), entry("b"), entry("x", 0.1)),
        "x": (entry("y"), entry("z"), entry("c", 0.1)),
        "y": (entry("x"), entry("z")),
        "z": (entry("x"), entry("y")),
        "lone": (),
    }
    return RelatedGraph(edges)


def test_clusters_split_weakly_joined_groups_deterministically():
    graph = two_triangles()
    found = clusters(graph, ["z", "y", "x", "lone", "c", "b", "a"])
    assert found == (("a", "b", "c"), ("x", "y", "z"))
    assert clusters(graph, sorted(graph.edges)) == found


def model(cases: list[Case], graph: RelatedGraph) -> SiteModel:
    terms, slugs, _ = build_terms(tuple(cases))
    return SiteModel(tuple(cases), {c.slug: c for c in cases}, (), graph, terms, slugs)


def make_case(slug: str, **kw) -> Case:
    return Case(
        slug=slug,
        title=f"Title <{slug}>",
        date=dt.date(2024, 1, 1),
        summary="s",
        response="r",
        source_path=f"content/cases/{slug}.md",
        **kw,
    )


def small_site() -> SiteModel:
    cases = [
        make_case("a", tags=("NATO", "bases"), topics=("Security",)),
        make_case("b", tags=("NATO",), topics=("Security",)),
        make_case("c", tags=("bases",)),
    ]
    graph = RelatedGraph(
        {
            "a": (entry("b", 3.0, editor=True), entry("c", 1.5)),
            "b": (entry("a", 3.0, editor=True),),
            "c": (entry("a", 1.5),),
        }
    )
    return model(cases, graph)


def test_graph_json_schema_and_stable_bytes():
    site = small_site()
    groups = clusters(site.graph, [c.slug for c in site.cases])
    config = SiteConfig(base_url="https://example.org/x/")
    data = graph_json(site, config, groups)
    assert data == graph_json(site, config, groups)
    document = json.loads(data)
    assert document["version"] == 1
    assert [n["slug"] for n in document["nodes"]] == ["a", "b", "c"]
    node = document["nodes"][0]
    assert node["url"] == "https://example.org/x/cases/a/"
    assert node["terms"] == {"tags": ["NATO", "bases"], "topics": ["Security"]}
    assert node["cluster"] == 1
    assert document["edges"][0] == {
        "source": "a",
        "target": "b",
        "rank": 1,
        "score": 3.0,
        "editor": True,
        "reasons": ["editor's pick"],
    }
    slugs = {n["slug"] for n in document["nodes"]}
    assert all(e["source"] in slugs and e["target"] in slugs for e in document["edges"])
    assert document["clusters"][0]["cases"] == ["a", "b", "c"]


def test_overview_lists_cluster_cases_and_shared_terms():
    site = small_site()
    overview = graph_overview(site, clusters(site.graph, ["a", "b", "c"]))
    (cluster,) = overview.clusters
    assert [link.url for link in cluster.cases] == ["cases/a/", "cases/b/", "cases/c/"]
    assert [t.label for t in cluster.terms] == ["Tag: bases", "Tag: NATO", "Topic: Security"]
    assert cluster.terms[0].url == "tags/bases/"
    assert overview.clustered == overview.cases == 3 and overview.more_clusters == 0


def test_neighbourhood_svg_is_a_group_of_labelled_links():
    site = small_site()
    svg = ET.fromstring(neighbourhood_svg(site, site.by_slug["a"]))
    assert svg.get("role") == "group"
    assert svg.find(f"{SVG}title").get("id") == svg.get("aria-labelledby")
    assert svg.find(f"{SVG}title").text.startswith("Picture: “Title <a>” and its 2 related cases")
    links = list(svg.iter(f"{SVG}a"))
    entries = site.graph.of("a")
    assert [a.get("href") for a in links] == [f"../{e.slug}/" for e in entries]
    full = [site.by_slug[e.slug].title for e in entries]
    assert [a.find(f"{SVG}title").text for a in links] == [
        f"{i}. {t}" for i, t in enumerate(full, 1)
    ]
    kinds = [line.get("class") for line in svg.iter(f"{SVG}line")]
    assert kinds == ["nb-editor", "nb-computed"]
    widths = [float(line.get("stroke-width")) for line in svg.iter(f"{SVG}line")]
    assert max(widths) == 6.0 and all(1 <= w <= 6 for w in widths)


def test_short_titles_cut_at_words_and_captions_wrap_in_two_lines():
    assert short_title("Short") == "Short"
    assert short_title("Pentagon runs secret bioweapons labs", 17) == "Pentagon runs…"
    assert short_title("Supercalifragilisticexpialidocious", 10) == "Supercali…"
    lines = _caption("Pentagon runs secret bioweapons labs across Ukraine", 17)
    assert lines == ["Pentagon runs", "secret…"] and all(len(x) <= 17 for x in lines)
    assert _caption("Moon photos", 17) == ["Moon photos"]


def test_no_picture_without_related_cases():
    site = small_site()
    assert neighbourhood_svg(site, make_case("none")) == ""
