"""A small OpenID Connect provider on loopback for the sign-on tests: discovery, an authorize endpoint that signs
in one configured user at once (no login form), a token endpoint issuing an RS256 id_token, and its JWKS."""

from __future__ import annotations

import json
import secrets
import threading
import time
import urllib.parse
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from joserfc import jwt
from joserfc.jwk import RSAKey

CLIENT_ID, CLIENT_SECRET = "caremap", "test-client-secret"


@contextmanager
def provider(claims: dict):
    """Yield the issuer URL; every sign-in is the user with `claims` (sub, email, any role claims)."""
    key = RSAKey.generate_key(2048, parameters={"kid": "test-key"})
    codes: dict[str, dict] = {}
    server = ThreadingHTTPServer(("127.0.0.1", 0), BaseHTTPRequestHandler)
    issuer = f"http://127.0.0.1:{server.server_port}"

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def _json(self, body: dict, status: int = 200) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            url = urllib.parse.urlsplit(self.path)
            query = dict(urllib.parse.parse_qsl(url.query))
            if url.path == "/.well-known/openid-configuration":
                return self._json({"issuer": issuer, "authorization_endpoint": f"{issuer}/authorize",
                                   "token_endpoint": f"{issuer}/token", "jwks_uri": f"{issuer}/jwks",
                                   "response_types_supported": ["code"], "subject_types_supported": ["public"],
                                   "id_token_signing_alg_values_supported": ["RS256"],
                                   "scopes_supported": ["openid", "email", "profile"],
                                   "token_endpoint_auth_methods_supported": ["client_secret_basic",
                                                                             "client_secret_post"]})
            if url.path == "/jwks":
                return self._json({"keys": [key.as_dict(private=False)]})
            if url.path == "/authorize":
                code = secrets.token_urlsafe(16)
                codes[code] = {"nonce": query.get("nonce"), "client_id": query.get("client_id")}
                target = f"{query['redirect_uri']}?{urllib.parse.urlencode({'code': code, 'state': query['state']})}"
                self.send_response(302)
                self.send_header("Location", target)
                self.end_headers()
                return None
            return self._json({"error": "not_found"}, 404)

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(urllib.parse.parse_qsl(self.rfile.read(length).decode()))
            grant = codes.pop(form.get("code", ""), None)
            if self.path != "/token" or grant is None:
                return self._json({"error": "invalid_grant"}, 400)
            now = int(time.time())
            payload = {"iss": issuer, "aud": CLIENT_ID, "iat": now, "exp": now + 600, **claims}
            if grant["nonce"]:
                payload["nonce"] = grant["nonce"]
            token = jwt.encode({"alg": "RS256", "kid": "test-key"}, payload, key)
            return self._json({"access_token": secrets.token_urlsafe(16), "token_type": "Bearer", "expires_in": 600,
                               "id_token": token})

    server.RequestHandlerClass = Handler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield issuer
    finally:
        server.shutdown()
