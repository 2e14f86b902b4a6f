"""private_key_jwt tokens from the real server's identity endpoint, cached and renewed before expiry."""

import http.server
import json
import threading
import time

import pytest

from conftest import demo_client
from sharingplatform.auth import AccessToken, ClientKey, TokenRequestError, TokenSource


def test_token_obtained_cached_and_renewed(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    source = TokenSource(info["issuer"], info["client_id"], ClientKey.load(key_file), renew_before=60)
    first = source.token()
    assert first and source.token() == first  # cached while far from expiry
    assert source._token.expires_at - time.time() > 60
    # The cached token now has 30 s left, inside the 60 s renewal window: the next call fetches a new one.
    source._token = AccessToken(first, time.time() + 30)
    second = source.token()
    assert second != first and source.token() == second


def test_token_source_is_thread_safe(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    source = TokenSource(info["issuer"], info["client_id"], ClientKey.load(key_file))
    results = []
    threads = [threading.Thread(target=lambda: results.append(source.token())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 8 and len(set(results)) == 1


def test_no_repr_shows_the_access_token(server):
    info, key_file = demo_client(server, "nkdb-demo-sync")
    source = TokenSource(info["issuer"], info["client_id"], ClientKey.load(key_file))
    token = source.token()
    for text in (repr(source._token), str(source._token), repr(source.request()), repr(source)):
        assert token not in text and token[-20:] not in text


class _Discovery(http.server.BaseHTTPRequestHandler):
    """A discovery document naming a token endpoint on another origin (as a proxy might: plain http elsewhere)."""

    def do_GET(self):
        issuer = f"http://127.0.0.1:{self.server.server_port}/"
        body = json.dumps({"issuer": issuer, "token_endpoint": "http://127.0.0.2:9/connect/token"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        self.server.posted = True
        self.send_response(400)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_a_token_endpoint_off_the_issuers_origin_is_refused_before_anything_is_sent():
    with http.server.HTTPServer(("127.0.0.1", 0), _Discovery) as discovery:
        discovery.posted = False
        threading.Thread(target=discovery.serve_forever, daemon=True).start()
        try:
            source = TokenSource(f"http://127.0.0.1:{discovery.server_port}/", "tenants/t/clients/c", ClientKey.create())
            with pytest.raises(TokenRequestError) as refused:
                source.token()
            assert refused.value.error == "invalid_discovery"
            assert not discovery.posted
        finally:
            discovery.shutdown()


def test_an_issuer_in_plain_http_off_this_machine_is_refused():
    with pytest.raises(ValueError):
        TokenSource("http://identity.example.org/", "tenants/t/clients/c", ClientKey.create())
