// What a browser does in the authorization code flow, for headless clients: follow the authorize
// URL through the authorization server's redirects (login, consent) with a cookie jar, and stop at
// the client's redirect URI to read the `code` (or the `error`) from it.

/** A minimal cookie jar: name → value, ignoring paths (the provider's cookie names are unique). */
export class CookieJar {
  #cookies = new Map();

  store(response) {
    for (const line of response.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const eq = pair.indexOf('=');
      if (eq < 0) continue;
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attributes.some((a) => {
        const [k, v = ''] = a.trim().split('=');
        if (k.toLowerCase() === 'max-age') return Number(v) <= 0;
        if (k.toLowerCase() === 'expires') return Date.parse(v) < Date.now();
        return false;
      });
      if (expired || value === '') this.#cookies.delete(name);
      else this.#cookies.set(name, value);
    }
  }

  header() {
    return [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

/**
 * Follows `authorizeUrl` until a redirect to `redirectUri`, and returns that redirect's query
 * parameters (`code` and `state`, or `error` and `error_description`).
 */
export async function followAuthorization(authorizeUrl, redirectUri, jar = new CookieJar()) {
  let url = new URL(authorizeUrl);
  for (let hop = 0; hop < 12; hop += 1) {
    if (url.href.startsWith(redirectUri)) {
      return Object.fromEntries(url.searchParams);
    }
    const response = await fetch(url, {
      redirect: 'manual',
      headers: { cookie: jar.header() },
      signal: AbortSignal.timeout(10_000),
    });
    jar.store(response);
    const location = response.headers.get('location');
    if (response.status < 300 || response.status >= 400 || !location) {
      const body = await response.text();
      throw new Error(`authorization stopped at ${url.pathname} with HTTP ${response.status}: ${body.slice(0, 300)}`);
    }
    await response.body?.cancel();
    url = new URL(location, url);
  }
  throw new Error('authorization did not reach the redirect URI within 12 redirects');
}
