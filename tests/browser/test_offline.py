"""The browser the tests drive reaches nothing but 127.0.0.1."""

from __future__ import annotations

import pytest


@pytest.mark.browser
def test_requests_to_other_hosts_are_blocked_and_recorded(lab, context, watch):
    page = context.new_page()
    with page.expect_response(f"{lab.base}/api/status") as status:
        page.goto(f"{lab.base}/api/status")  # 127.0.0.1 is allowed
    assert status.value.ok
    page.goto("about:blank")  # a page without the server's Content-Security-Policy
    outcome = page.evaluate("""async () => {
      const tries = {};
      for (const url of ['https://example.org/x.js', 'http://localhost:1/', 'http://10.0.0.1/']) {
        try { await fetch(url, {mode: 'no-cors'}); tries[url] = 'reached'; }
        catch (e) { tries[url] = 'failed'; }
      }
      return tries;
    }""")
    assert set(outcome.values()) == {"failed"}, outcome
    assert sorted(watch.blocked) == ["http://10.0.0.1/", "http://localhost:1/",
                                     "https://example.org/x.js"]
    with pytest.raises(AssertionError, match="requests to other hosts"):
        watch.assert_clean("this page")
