"""private_key_jwt tokens from the real server's identity endpoint, cached and renewed before expiry."""

import threading
import time

from conftest import demo_client
from sharingplatform.auth import AccessToken, ClientKey, TokenSource


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
