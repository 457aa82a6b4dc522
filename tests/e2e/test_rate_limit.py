"""`RATE_LIMIT_PER_MINUTE`: chalice local answers a client's requests beyond N a minute with 429."""
from __future__ import annotations

import http.client
import json
import threading
from collections.abc import Iterator

import pytest
from chalice.app import Chalice
from chalice.config import Config
from chalice.local import LocalDevServer

from localdev import rate_limit
from localdev.ports import free_port


@pytest.fixture
def limited_server() -> Iterator[tuple[int, list[float]]]:
    """chalice local with a small app, 3 requests a minute per client, on a clock the test moves."""
    app = Chalice(app_name="rate-limited", configure_logs=False)

    @app.route("/contact", methods=["POST"])
    def contact() -> dict[str, str]:
        return {"ticketId": "CF-0000-0000-00"}

    now = [1_800_000_010.0]
    config = Config.create(chalice_stage="local", app_name="rate-limited")
    port = free_port()
    server = LocalDevServer(app, config, "127.0.0.1", port)
    rate_limit.limit_requests(server, app, config, rate_limit.PerClientLimit(3, clock=lambda: now[0]))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield port, now
    server.shutdown()
    thread.join(5)


def post(connection: http.client.HTTPConnection) -> http.client.HTTPResponse:
    connection.request("POST", "/contact", body=b'{"message": "hi"}', headers={"Content-Type": "application/json"})
    response = connection.getresponse()
    response.body = response.read()  # type: ignore[attr-defined]
    return response


def test_requests_beyond_the_limit_get_429_in_the_api_error_shape(limited_server):
    port, _ = limited_server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # WHEN one client sends 5 requests within a minute, on one kept-alive connection
    answers = [post(connection) for _ in range(5)]
    # THEN 3 reach the app and the other 2 are throttled: 429, JSON error shape, Retry-After
    assert [answer.status for answer in answers] == [200, 200, 200, 429, 429]
    throttled = answers[3]
    assert throttled.getheader("Content-Type") == "application/json"
    assert json.loads(throttled.body) == {"Code": "TooManyRequestsError", "Message": rate_limit.MESSAGE}
    # AND Retry-After is the whole seconds left in the minute (10 s into it: 50)
    assert throttled.getheader("Retry-After") == "50"


def test_the_next_minute_lets_the_client_in_again(limited_server):
    port, now = limited_server
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    # GIVEN a client that used its minute's requests
    assert [post(connection).status for _ in range(4)] == [200, 200, 200, 429]
    # WHEN the next minute starts
    now[0] += 60
    # THEN its requests pass again
    assert post(connection).status == 200


class TestSetting:
    @pytest.mark.parametrize("value", ["", "0", " "])
    def test_unset_or_zero_means_no_limit(self, value):
        assert rate_limit.limit_from_environment({rate_limit.VARIABLE: value}) is None
        assert rate_limit.limit_from_environment({}) is None

    def test_a_number_is_the_limit(self):
        assert rate_limit.limit_from_environment({rate_limit.VARIABLE: "120"}) == 120

    @pytest.mark.parametrize("value", ["-1", "ten", "1.5"])
    def test_anything_else_is_refused_naming_the_variable(self, value):
        with pytest.raises(ValueError, match=rate_limit.VARIABLE):
            rate_limit.limit_from_environment({rate_limit.VARIABLE: value})


class TestPerClientLimit:
    def test_clients_are_counted_apart(self):
        # GIVEN a limit of 1 a minute
        limit = rate_limit.PerClientLimit(1, clock=lambda: 1_800_000_000.0)
        # WHEN two clients each send two requests
        answers = [limit.take(client) for client in ("10.0.0.1", "10.0.0.2", "10.0.0.1", "10.0.0.2")]
        # THEN each gets one through; the second of each waits the whole minute
        assert answers == [None, None, 60, 60]
