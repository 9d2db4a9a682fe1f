"""Structured search over HTTP: /api/search's filter, sort and facet parameters answer as the CLI's
--filter, --sort and --facet do, and the page keeps them in its links (issue 21 with issue 19)."""
from __future__ import annotations

import gzip
import json
import re
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

pytest.importorskip("starlette", reason="the web extra is not installed")
from starlette.testclient import TestClient  # noqa: E402

from persearch.web import app  # noqa: E402
from web_helpers import build_index, cli_json  # noqa: E402

NEWS = Path(__file__).resolve().parents[2] / "shared" / "data" / "news.jsonl.gz"
#: The same dates written as users write them: Jalali with Persian or Latin digits, month names.
DATES = ["۱۴۰۲/۰۵/۱۲", "1402-05-30", "3 شهریور 1402", "1402/06/20", "۱۴۰۲-۰۷-۰۱", "1401/12/29"]


@pytest.fixture(scope="module")
def location(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    if not NEWS.exists():
        pytest.skip("../shared/data is not beside the repository")
    root = tmp_path_factory.mktemp("web-structured")
    with gzip.open(NEWS, "rt", encoding="utf-8") as lines:
        records = [json.loads(line) for _, line in zip(range(90), lines)]
    with open(root / "news.jsonl", "w", encoding="utf-8") as out:
        for number, record in enumerate(records):
            out.write(json.dumps({"id": record["id"], "title": record["title"], "text": record["text"],
                                  "source": record["id"].split("-")[0] if number % 3 else "ایسنا",
                                  "date": DATES[number % len(DATES)]}, ensure_ascii=False) + "\n")
    return build_index(root / "news.jsonl", root / "index", backend)


@pytest.fixture(scope="module")
def client(location: Path) -> TestClient:
    with TestClient(app(location)) as test_client:
        yield test_client


CASES = [  # (query string parameters, the same as CLI options)
    ({"q": "بانک", "filter": "date>=1402/06/01"}, ["بانک", "--filter", "date>=1402/06/01"]),
    ({"q": "خبرگزاری", "filter": ["source=ایسنا", "date=1402/05"]},
     ["خبرگزاری", "--filter", "source=ایسنا", "--filter", "date=1402/05"]),
    ({"q": "ایران", "sort": "-date", "limit": 20}, ["ایران", "--sort", "-date", "--limit", "20"]),
    ({"q": "گفت", "sort": "date", "facet": ["source", "date:month"]},
     ["گفت", "--sort", "date", "--facet", "source", "--facet", "date:month"]),
    ({"q": "گفت", "facet": "source,date:year"}, ["گفت", "--facet", "source", "--facet", "date:year"]),
    ({"filter": "date=1402/06"}, ["--filter", "date=1402/06"]),
]


@pytest.mark.parametrize("params, options", CASES)
def test_structured_parameters_answer_as_the_cli_options(client: TestClient, location: Path,
                                                         params: dict, options: list[str]) -> None:
    response = client.get("/api/search", params=params)
    assert response.status_code == 200, response.text
    got = response.json()
    want = cli_json("search", *options, "--index", str(location))
    assert {key: got[key] for key in want} == want
    assert want["total"] > 0  # the cases mean something on this corpus


def test_filters_narrow_and_facets_count_what_the_filters_keep(client: TestClient) -> None:
    every = client.get("/api/search", params={"q": "گفت", "facet": "date:month"}).json()
    months = every["facets"]["date:month"]
    assert len(months) >= 3 and sum(months.values()) == every["total"]
    for month, count in months.items():
        narrowed = client.get("/api/search", params={"q": "گفت", "filter": f"date={month}"}).json()
        assert narrowed["total"] == count


def test_the_page_keeps_filters_in_its_links_and_links_each_facet_value(client: TestClient) -> None:
    response = client.get("/", params={"q": "گفت", "filter": "source=ایسنا", "facet": "date:month", "limit": 5})
    assert response.status_code == 200
    hrefs = [unescape(href) for href in re.findall(r'href="(\?[^"]*)"', response.text)]
    pages = [parse_qs(urlsplit(href).query) for href in hrefs if "page=" in href]
    assert pages and all(link["filter"] == ["source=ایسنا"] and link["facet"] == ["date:month"] for link in pages)
    facet_links = [parse_qs(urlsplit(href).query) for href in hrefs if "page=" not in href and "filter=" in href]
    counts = client.get("/api/search", params={"q": "گفت", "filter": "source=ایسنا",
                                               "facet": "date:month"}).json()["facets"]["date:month"]
    assert len(facet_links) == len(counts)
    for link in facet_links:
        assert link["filter"][0] == "source=ایسنا"
        month = link["filter"][1].split("=", 1)[1]
        followed = client.get("/api/search", params={"q": "گفت", "filter": link["filter"]}).json()
        assert followed["total"] == counts[month]


def hidden_fields(html: str) -> list[tuple[str, str]]:
    form = re.search(r'<form class="search".*?</form>', html, re.S).group()
    return [(unescape(name), unescape(value))
            for name, value in re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', form)]


def test_a_new_query_from_the_form_keeps_filters_sort_facets_and_limit(client: TestClient, location: Path) -> None:
    kept = [("filter", "source=ایسنا"), ("filter", "date>=1402/05/15"), ("sort", "-date"), ("facet", "date:month"),
            ("limit", "4")]
    response = client.get("/", params=[("q", "گفت"), *kept, ("page", "2")])
    assert response.status_code == 200
    assert sorted(hidden_fields(response.text)) == sorted(kept)  # the page number is not: a new query starts at 1
    # What the form sends with another query is that query under the same filters, sort and facets.
    sent = client.get("/api/search", params=[("q", "خبرگزاری"), *hidden_fields(response.text)]).json()
    options = [option for name, value in kept for option in (f"--{name}", value)]
    want = cli_json("search", "خبرگزاری", *options, "--index", str(location))
    assert {key: sent[key] for key in want} == want
    assert 0 < want["total"] < cli_json("search", "خبرگزاری", "--index", str(location))["total"]


def test_each_kept_filter_and_sort_has_a_link_that_drops_it_alone(client: TestClient) -> None:
    kept = {"filter": ["source=ایسنا", "date>=1402/05/15"], "sort": "-date", "facet": "source"}
    html = client.get("/", params={"q": "گفت", **kept}).text
    removals = [parse_qs(urlsplit(unescape(href)).query)
                for href in re.findall(r'<a class="remove" href="([^"]*)"', html)]
    assert len(removals) == 3
    dropped = sorted((name, value) for link in removals for name, values in kept.items()
                     for value in ([values] if isinstance(values, str) else values)
                     if value not in link.get(name, []))
    assert dropped == [("filter", "date>=1402/05/15"), ("filter", "source=ایسنا"), ("sort", "-date")]
    for link in removals:
        assert link["q"] == ["گفت"] and link["facet"] == ["source"]
        assert client.get("/api/search", params=link).status_code == 200


def test_dropping_the_last_filter_of_a_filter_only_search_leads_to_the_first_page(client: TestClient) -> None:
    html = client.get("/", params={"filter": "source=ایسنا", "facet": "date:month"}).text
    (href,) = re.findall(r'<a class="remove" href="([^"]*)"', html)
    assert unescape(href) == "?"
    assert client.get("/" + unescape(href)).status_code == 200
