"""Schemathesis over the served OpenAPI against a real, memory-capped server (issue 12):
a few thousand generated requests, valid and invalid, across every operation that does not
open a stream. What a user must never see: a 5xx or a dropped connection; an object a 2xx
write returned that cannot be read back, or that the official Python client cannot read;
a server that keeps the memory the hostile input cost it."""

from __future__ import annotations

import httpx
import pytest
import requests

from tests.integration.fuzz import seeds
from tests.integration.fuzz.campaign import SCALE, Campaign, Report, merged_document
from tests.support.processes import ApiServerProcess

pytestmark = pytest.mark.timeout(900 * SCALE)  # the campaign runs in the first test's setup
RSS_BOUND = 400 * 1024 * 1024  # idle ~95 MB; the cases store a few hundred small objects


@pytest.fixture(scope="module")
def report(fuzz_server: ApiServerProcess) -> Report:
    with httpx.Client(base_url=fuzz_server.url, timeout=30) as http:
        seeds.plant_all(http)
    with requests.Session() as http:
        doc = merged_document(http, fuzz_server.url)
    result = Campaign(fuzz_server.url, doc).run()
    print(f"fuzz: {result.cases} cases in {result.seconds:.0f} s, statuses "
          f"{dict(sorted(result.statuses.items()))}, {result.objects_read_back} read back")
    return result


def _listing(findings: list) -> str:
    distinct = Report.distinct(findings)
    return f"{len(findings)} cases, {len(distinct)} distinct:\n" + "\n".join(
        str(f) for f in distinct[:40])


def test_the_campaign_is_a_few_thousand_cases(report: Report) -> None:
    assert report.generation_errors == []
    assert 2000 * SCALE <= report.cases <= 6000 * SCALE, report.cases
    assert report.statuses[201] > 0 and report.statuses[422] > 0, report.statuses


def test_no_response_is_a_server_error(report: Report) -> None:
    assert report.server_errors == [], _listing(report.server_errors)


def test_every_object_returned_reads_back_with_the_python_client(report: Report) -> None:
    assert report.read_back_errors == [], _listing(report.read_back_errors)
    assert report.objects_read_back > 0


def test_the_server_stays_healthy_and_small(report: Report,
                                            fuzz_server: ApiServerProcess) -> None:
    assert fuzz_server.proc is not None and fuzz_server.proc.poll() is None, \
        fuzz_server.log_path.read_text()[-3000:]
    assert httpx.get(fuzz_server.url + "/readyz", timeout=10).status_code == 200
    rss = fuzz_server.memory()
    assert rss < RSS_BOUND, f"the apiserver holds {rss / 2**20:.0f} MiB after the campaign"
