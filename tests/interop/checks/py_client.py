"""The MCP Python SDK (`mcp`) client against the db server in production mode, from no token.

Runs the whole flow twice, each time with a fresh client registration: first in the SDK's default
mode, which probes `server/discover` at 2026-07-28 and falls back to `initialize` only for legacy
servers; then forced to the 2025 `initialize` handshake (`mode="legacy"`). Each run: 401 → Protected
Resource Metadata → authorization server metadata → registration → authorize (PKCE, resource) →
token → tools/list and a db:query call; then a db:modify call that gets 403 insufficient_scope, is
re-authorized by the SDK itself with the challenged scope, and succeeds; then, from the db:query
token again, a resources/read of the db:admin resource db://settings: 403, step-up, success. Every
HTTP exchange is recorded through httpx event hooks, so the checks assert what went over the wire.

With --consent, the authorization server is db-server's own development one: the check answers its
consent page as a user clicking Approve would (the boxes as they start) and checks what it showed.

Usage: python py_client.py --mcp URL --issuer URL [--consent --register-path P --token-path P]
"""

from __future__ import annotations

import argparse
import base64
import json
import re
import sys
import time
import traceback
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlencode, urljoin, urlparse

import anyio
import httpx2
from mcp.client.auth import OAuthClientProvider
from mcp.client.client import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

REDIRECT = "http://127.0.0.1:9/py-callback"
FAILURES = 0


def check(name: str, ok: bool, detail: str = "") -> bool:
    """One assertion: `PASS name` or `FAIL name: detail` (counted by the runner)."""
    global FAILURES
    if ok:
        print(f"PASS {name}", flush=True)
    else:
        FAILURES += 1
        print(f"FAIL {name}: {detail}", flush=True)
    return ok


def bearer_params(header: str | None) -> dict[str, str]:
    """The parameters of a `Bearer` challenge."""
    if not header or not header.lstrip().lower().startswith("bearer"):
        return {}
    pattern = r'([A-Za-z_][A-Za-z0-9_-]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))'
    return {
        m.group(1): re.sub(r"\\(.)", r"\1", m.group(2)) if m.group(2) is not None else m.group(3)
        for m in re.finditer(pattern, header)
    }


def jwt_payload(token: str | None) -> dict:
    try:
        part = (token or "").split(".")[1]
        return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    except (IndexError, ValueError):
        return {}


@dataclass
class Exchange:
    method: str
    url: str
    rpc_method: str | None
    version_header: str | None
    authorization: str | None
    status: int = 0
    www_authenticate: str | None = None


@dataclass
class Recorder:
    """httpx event hooks keeping every request and its response status."""

    exchanges: list[Exchange] = field(default_factory=list)

    async def on_request(self, request: httpx2.Request) -> None:
        rpc_method = None
        if request.method == "POST" and request.headers.get("content-type", "").startswith("application/json"):
            try:
                rpc_method = json.loads(request.content).get("method")
            except (ValueError, AttributeError):
                pass
        request.extensions["exchange"] = len(self.exchanges)
        self.exchanges.append(
            Exchange(
                request.method,
                str(request.url),
                rpc_method,
                request.headers.get("mcp-protocol-version"),
                request.headers.get("authorization"),
            )
        )

    async def on_response(self, response: httpx2.Response) -> None:
        index = response.request.extensions.get("exchange")
        if index is not None:
            self.exchanges[index].status = response.status_code
            self.exchanges[index].www_authenticate = response.headers.get("www-authenticate")


class MemoryStorage:
    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client = client_info


class HeadlessBrowser:
    """Follows the authorize URL through login and consent with a cookie jar; keeps the code. With
    `consent`, answers the development authorization server's consent page instead."""

    def __init__(self, consent: bool = False) -> None:
        self.authorize_urls: list[str] = []
        self.consent = consent
        self.consent_pages: list[dict] = []
        self.result: AuthorizationCodeResult | None = None

    async def answer_consent(self, http: httpx2.AsyncClient, url: str) -> str:
        """The URL the consent page's Approve button leads to, the boxes as they start."""
        page = await http.get(url)
        if page.status_code != 200:
            raise RuntimeError(f"no consent page at {url}: HTTP {page.status_code}: {page.text[:300]}")
        html = page.text
        hidden = {m.group(1): m.group(2) for m in re.finditer(r'name="(request|csrf)" value="([^"]*)"', html)}
        scopes = [(m.group(1), m.group(2) is not None)
                  for m in re.finditer(r'<input type="checkbox" name="scope" value="([^"]*)"( checked)?>', html)]
        self.consent_pages.append({"html": html, "scopes": scopes})
        form = [("request", hidden.get("request", "")), ("csrf", hidden.get("csrf", "")), ("decision", "approve")]
        form += [("scope", name) for name, checked in scopes if checked]
        origin = f"{urlparse(url).scheme}://{urlparse(url).netloc}"
        cookie = page.headers.get("set-cookie", "").split(";")[0]
        answer = await http.post(
            f"{origin}{urlparse(url).path}",
            content=urlencode(form),
            headers={"cookie": cookie, "origin": origin, "content-type": "application/x-www-form-urlencoded"},
        )
        location = answer.headers.get("location")
        if not 300 <= answer.status_code < 400 or not location:
            raise RuntimeError(f"consent answer got HTTP {answer.status_code}: {answer.text[:300]}")
        return urljoin(url, location)

    async def redirect(self, url: str) -> None:
        self.authorize_urls.append(url)
        async with httpx2.AsyncClient(follow_redirects=False, timeout=10) as http:
            if self.consent:
                url = await self.answer_consent(http, url)
            for _ in range(12):
                if url.startswith(REDIRECT):
                    query = {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
                    if "code" not in query:
                        raise RuntimeError(f"authorization failed: {query}")
                    self.result = AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))
                    return
                response = await http.get(url)
                location = response.headers.get("location")
                if not 300 <= response.status_code < 400 or not location:
                    raise RuntimeError(f"authorization stopped at {url} with HTTP {response.status_code}: {response.text[:300]}")
                url = urljoin(url, location)
        raise RuntimeError("authorization did not reach the redirect URI within 12 redirects")

    async def callback(self) -> AuthorizationCodeResult:
        if self.result is None:
            raise RuntimeError("no authorization code")
        result, self.result = self.result, None
        return result


def text_of(result) -> str:
    return json.dumps([c.model_dump(mode="json") for c in result.content]) + json.dumps(result.structured_content)


def recorded_http(label: str, mcp_url: str, storage: MemoryStorage, browser: HeadlessBrowser, recorder: Recorder) -> httpx2.AsyncClient:
    """An HTTP client whose requests the SDK's OAuth provider authorizes and `recorder` records."""
    provider = OAuthClientProvider(
        server_url=mcp_url,
        client_metadata=OAuthClientMetadata(
            client_name=f"mcp-scopes interop (Python SDK, {label})",
            redirect_uris=[REDIRECT],
            grant_types=["authorization_code"],
            response_types=["code"],
            token_endpoint_auth_method="none",
        ),
        storage=storage,
        redirect_handler=browser.redirect,
        callback_handler=browser.callback,
    )
    return httpx2.AsyncClient(
        auth=provider,
        timeout=httpx2.Timeout(30, read=60),
        event_hooks={"request": [recorder.on_request], "response": [recorder.on_response]},
    )


async def admin_resource_step_up(label: str, mode: str, mcp_url: str, prm_url: str, registered: MemoryStorage,
                                 recorder: Recorder, args: argparse.Namespace) -> None:
    """The db:admin resource db://settings from a db:query token (in `registered`), on a second
    connection of the same registered client: resources/read gets 403 insufficient_scope naming
    db:admin, the SDK re-authorizes (with --consent: a consent page offering db:admin), the read
    succeeds."""
    query_token = registered.tokens.access_token if registered.tokens else None
    browser = HeadlessBrowser(consent=args.consent)
    storage = MemoryStorage()
    storage.client, storage.tokens = registered.client, registered.tokens
    http = recorded_http(label, mcp_url, storage, browser, recorder)
    async with http, Client(streamable_http_client(mcp_url, http_client=http), mode=mode) as client:
        before = len(recorder.exchanges)
        read = (await client.read_resource("db://settings")).model_dump(mode="json", by_alias=True)
        after = recorder.exchanges[before:]
        refused = next((e for e in after if e.status == 403), None)
        challenge = bearer_params(refused.www_authenticate if refused else None)
        check(f"py[{label}]: resources/read db://settings with the db:query token gets 403 insufficient_scope naming db:admin",
              refused is not None and refused.rpc_method == "resources/read" and refused.authorization == f"Bearer {query_token}"
              and challenge.get("error") == "insufficient_scope" and "db:admin" in challenge.get("scope", "").split()
              and challenge.get("resource_metadata") == prm_url,
              repr([(e.method, e.url, e.rpc_method, e.status, e.www_authenticate) for e in after]))
        asked = parse_qs(urlparse(browser.authorize_urls[0]).query) if browser.authorize_urls else {}
        check(f"py[{label}]: SDK re-authorized asking for db:admin", "db:admin" in (asked.get("scope") or [""])[0].split(), repr(asked))
        if args.consent:
            page = browser.consent_pages[0] if browser.consent_pages else {}
            check(f"py[{label}]: the step-up consent page offers db:admin, ticked, with db://settings",
                  ("db:admin", True) in page.get("scopes", []) and "db://settings" in page.get("html", ""),
                  repr(page.get("scopes")))
        first = (read.get("contents") or [{}])[0]
        try:
            stored = json.loads(first.get("text") or "{}")
        except ValueError:
            stored = {}
        check(f"py[{label}]: resources/read db://settings succeeds after the step-up (SQLite in WAL mode)",
              first.get("mimeType") == "application/json" and stored.get("engine") == "sqlite" and stored.get("journal_mode") == "wal",
              repr(read)[:400])
        claims = jwt_payload(storage.tokens.access_token if storage.tokens else None)
        check(f"py[{label}]: the stepped-up token carries db:admin", "db:admin" in claims.get("scope", "").split(), repr(claims))


async def flow(label: str, mode: str, mcp_url: str, issuer: str, expect_version: str, args: argparse.Namespace) -> None:
    recorder = Recorder()
    browser = HeadlessBrowser(consent=args.consent)
    storage = MemoryStorage()
    prm_url = f"{urlparse(mcp_url).scheme}://{urlparse(mcp_url).netloc}/.well-known/oauth-protected-resource{urlparse(mcp_url).path}"
    http = recorded_http(label, mcp_url, storage, browser, recorder)
    async with http, Client(streamable_http_client(mcp_url, http_client=http), mode=mode) as client:
        ex = recorder.exchanges
        posts = [e for e in ex if e.method == "POST" and e.url == mcp_url]
        first = posts[0] if posts else None
        if mode == "auto":
            check(
                f"py[{label}]: first request is the server/discover probe at 2026-07-28",
                first is not None and first.rpc_method == "server/discover" and first.version_header == "2026-07-28",
                repr(first),
            )
        else:
            check(f"py[{label}]: first request is initialize", first is not None and first.rpc_method == "initialize", repr(first))
        check(f"py[{label}]: first request has no token and gets 401", first is not None and first.authorization is None and first.status == 401, repr(first))
        challenge = bearer_params(first.www_authenticate if first else None)
        check(f"py[{label}]: 401 challenge names the PRM URL and the baseline scope, no error code",
              challenge.get("resource_metadata") == prm_url and challenge.get("scope") == "db:query" and "error" not in challenge,
              f"WWW-Authenticate: {first.www_authenticate if first else None}")
        prm = next((e for e in ex if e.method == "GET" and "/.well-known/oauth-protected-resource" in e.url), None)
        check(f"py[{label}]: PRM fetched (200)", prm is not None and prm.status == 200, repr(prm))
        as_meta = [e for e in ex if e.url.startswith(issuer) and "/.well-known/" in e.url and e.status == 200]
        check(f"py[{label}]: authorization server metadata fetched", len(as_meta) > 0, repr([e for e in ex if e.url.startswith(issuer)]))
        reg = next((e for e in ex if e.method == "POST" and e.url == f"{issuer}{args.register_path}"), None)
        check(f"py[{label}]: registered dynamically (201)", reg is not None and reg.status == 201, repr(reg))
        auth1 = parse_qs(urlparse(browser.authorize_urls[0]).query) if browser.authorize_urls else {}
        check(f"py[{label}]: authorize uses PKCE S256, names the resource and asks db:query",
              auth1.get("code_challenge_method") == ["S256"] and auth1.get("resource") == [mcp_url] and auth1.get("scope") == ["db:query"],
              repr(auth1))
        token = next((e for e in ex if e.method == "POST" and e.url == f"{issuer}{args.token_path}"), None)
        check(f"py[{label}]: token request succeeded", token is not None and token.status == 200, repr(token))
        claims = jwt_payload(storage.tokens.access_token if storage.tokens else None)
        audience = claims.get("aud")
        check(f"py[{label}]: token is for our resource from our issuer",
              mcp_url in (audience if isinstance(audience, list) else [audience]) and claims.get("iss") == issuer, repr(claims))
        if args.consent:
            page = browser.consent_pages[0] if browser.consent_pages else {}
            check(f"py[{label}]: consent page names the client and offers db:query, ticked, with its tools",
                  f"mcp-scopes interop (Python SDK, {label})" in page.get("html", "")
                  and page.get("scopes") == [("db:query", True)] and "list_tables" in page.get("html", ""),
                  repr(page.get("scopes")))
        check(f"py[{label}]: negotiated protocol version {expect_version}", client.protocol_version == expect_version, client.protocol_version)
        if mode == "auto":
            retried = [e for e in posts if e.rpc_method == "server/discover" and e.status == 200]
            check(f"py[{label}]: server/discover answered 200 once authorized", len(retried) == 1, repr(posts))
            fallback = [e for e in posts if e.rpc_method == "initialize"]
            check(f"py[{label}]: no fallback to initialize (the server speaks 2026-07-28)", not fallback, repr(fallback))

        tools = await client.list_tools()
        names = sorted(t.name for t in tools.tools)
        check(f"py[{label}]: tools/list lists the db tools",
              all(n in names for n in ["describe_table", "execute", "list_tables", "query"]), repr(names))
        count = await client.call_tool("query", {"sql": "SELECT count(*) AS n FROM products"})
        # The seeded database holds 12 products, and no check adds any.
        rows = (count.structured_content or {}).get("rows")
        check(f"py[{label}]: db:query call counts the 12 seeded products", not count.is_error and rows == [[12]], text_of(count)[:400])

        # The db:query resources and prompt with the same token.
        schema = (await client.read_resource("db://schema")).model_dump(mode="json", by_alias=True)
        first = (schema.get("contents") or [{}])[0]
        check(f"py[{label}]: resources/read db://schema returns the tables as JSON",
              first.get("mimeType") == "application/json" and '"products"' in (first.get("text") or ""), repr(schema)[:400])
        table = (await client.read_resource("db://tables/orders")).model_dump(mode="json", by_alias=True)
        check(f"py[{label}]: resources/read of the template db://tables/orders describes the table",
              "CREATE TABLE" in ((table.get("contents") or [{}])[0].get("text") or ""), repr(table)[:400])
        plan = (await client.get_prompt("explain_query_plan", {"sql": "SELECT * FROM orders"})).model_dump(mode="json", by_alias=True)
        messages = plan.get("messages") or []
        check(f"py[{label}]: prompts/get explain_query_plan attaches the schema and names the query",
              bool(messages) and messages[0].get("content", {}).get("type") == "resource"
              and "EXPLAIN QUERY PLAN SELECT * FROM orders" in repr(messages), repr(plan)[:400])

        # What the db:admin resource step-up starts from: this registration and its db:query token.
        registered = MemoryStorage()
        registered.client, registered.tokens = storage.client, storage.tokens

        email = f"py-{label}-{time.time_ns()}@interop.example"
        before = len(ex)
        inserted = await client.call_tool(
            "execute",
            {
                "sql": "INSERT INTO customers (name, email, country, created_at) VALUES (?, ?, 'DE', '2026-11-26') RETURNING name",
                "params": [f"Py {label}", email],
            },
        )
        after = ex[before:]
        forbidden = next((e for e in after if e.status == 403), None)
        step_up = bearer_params(forbidden.www_authenticate if forbidden else None)
        check(f"py[{label}]: db:modify call with a db:query token gets 403", forbidden is not None,
              repr([(e.method, e.url, e.status) for e in after]))
        check(f"py[{label}]: 403 challenge says insufficient_scope, names db:modify and the PRM URL",
              step_up.get("error") == "insufficient_scope" and "db:modify" in step_up.get("scope", "").split() and step_up.get("resource_metadata") == prm_url,
              f"WWW-Authenticate: {forbidden.www_authenticate if forbidden else None}")
        auth2 = parse_qs(urlparse(browser.authorize_urls[1]).query) if len(browser.authorize_urls) > 1 else {}
        asked = (auth2.get("scope") or [""])[0].split()
        check(f"py[{label}]: SDK re-authorized asking for db:modify", "db:modify" in asked, repr(auth2))
        check(f"py[{label}]: db:modify call succeeds after step-up and returns the inserted row",
              not inserted.is_error and f"Py {label}" in json.dumps(inserted.structured_content), text_of(inserted)[:400])
        if args.consent:
            page = browser.consent_pages[1] if len(browser.consent_pages) > 1 else {}
            check(f"py[{label}]: second consent page offers db:modify, ticked, with execute",
                  ("db:modify", True) in page.get("scopes", []) and "execute" in page.get("html", ""),
                  repr(page.get("scopes")))
        claims2 = jwt_payload(storage.tokens.access_token if storage.tokens else None)
        check(f"py[{label}]: new token carries db:modify", "db:modify" in claims2.get("scope", "").split(), repr(claims2))
        back = await client.call_tool("query", {"sql": "SELECT name FROM customers WHERE email = ?", "params": [email]})
        check(f"py[{label}]: inserted row reads back", not back.is_error and f"Py {label}" in text_of(back), text_of(back)[:400])
        # A change without RETURNING: the SDK validates structuredContent against the outputSchema.
        name = f"py[{label}]: execute without RETURNING succeeds (structuredContent matches outputSchema)"
        try:
            updated = await client.call_tool("execute", {"sql": "UPDATE customers SET country = 'AT' WHERE email = ?", "params": [email]})
            check(name, not updated.is_error and (updated.structured_content or {}).get("rows_affected") == 1, text_of(updated)[:400])
        except Exception as err:  # noqa: BLE001 - the SDK raises on a schema mismatch
            check(name, False, f"{type(err).__name__}: {str(err)[:600]}")

    await admin_resource_step_up(label, mode, mcp_url, prm_url, registered, recorder, args)


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--mcp", required=True)
    parser.add_argument("--issuer", required=True)
    parser.add_argument("--consent", action="store_true")
    parser.add_argument("--register-path", default="/reg")
    parser.add_argument("--token-path", default="/token")
    args = parser.parse_args()
    for label, mode, version in [("probe", "auto", "2026-07-28"), ("2025", "legacy", "2025-11-25")]:
        try:
            with anyio.fail_after(90):
                await flow(label, mode, args.mcp, args.issuer, version, args)
        except Exception:  # noqa: BLE001 - report any crash as a failed check and go on
            check(f"py[{label}]: client flow", False, traceback.format_exc())
    return 0 if FAILURES == 0 else 1


if __name__ == "__main__":
    sys.exit(anyio.run(main))
