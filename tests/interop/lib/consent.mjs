// The user at the development authorization server's consent page (db-server with no --issuer),
// for headless clients: open the authorize URL, read the form (its hidden fields, its cookie, the
// scope boxes and whether each starts ticked), answer it as a click on Approve or Deny would, and
// read the code (or the error) from the redirect to the client.

/** The consent form of an HTML page: hidden fields and scope boxes. */
export function parseConsentPage(html) {
  const hidden = (name) => html.match(new RegExp(`name="${name}" value="([^"]*)"`))?.[1];
  const scopes = [...html.matchAll(/<input type="checkbox" name="scope" value="([^"]*)"( checked)?>/g)]
    .map((m) => ({ name: m[1], checked: m[2] !== undefined }));
  return { request: hidden('request'), csrf: hidden('csrf'), scopes };
}

/**
 * Opens `authorizeUrl`; on the consent page, answers `decision` ('approve' or 'deny') with the
 * boxes as they start plus `alsoTick` (or exactly `scopes` when given). Returns the redirect's query parameters and the
 * page (its HTML and parsed form), or `page: undefined` when the server redirected at once.
 */
export async function answerConsent(authorizeUrl, redirectUri, { decision = 'approve', scopes, alsoTick = [] } = {}) {
  const url = new URL(authorizeUrl);
  const shown = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(10_000) });
  if (shown.status >= 300 && shown.status < 400) {
    const location = new URL(shown.headers.get('location'), url);
    if (!location.href.startsWith(redirectUri)) throw new Error(`authorize redirected elsewhere: ${location}`);
    return { params: Object.fromEntries(location.searchParams), page: undefined };
  }
  const html = await shown.text();
  if (shown.status !== 200) throw new Error(`authorize answered HTTP ${shown.status}: ${html.slice(0, 300)}`);
  const form = parseConsentPage(html);
  if (!form.request || !form.csrf) throw new Error(`no consent form in: ${html.slice(0, 300)}`);
  const cookie = (shown.headers.getSetCookie()[0] ?? '').split(';')[0];
  const body = new URLSearchParams({ request: form.request, csrf: form.csrf, decision });
  const ticked = form.scopes.filter((s) => s.checked || alsoTick.includes(s.name)).map((s) => s.name);
  for (const scope of scopes ?? ticked) {
    body.append('scope', scope);
  }
  const answered = await fetch(new URL(url.pathname, url.origin), {
    method: 'POST',
    redirect: 'manual',
    headers: { cookie, origin: url.origin, 'content-type': 'application/x-www-form-urlencoded' },
    body,
    signal: AbortSignal.timeout(10_000),
  });
  const location = answered.headers.get('location');
  if (answered.status < 300 || answered.status >= 400 || !location) {
    throw new Error(`consent answer got HTTP ${answered.status}: ${(await answered.text()).slice(0, 300)}`);
  }
  const back = new URL(location, url);
  if (!back.href.startsWith(redirectUri)) throw new Error(`consent redirected elsewhere: ${back}`);
  return { params: Object.fromEntries(back.searchParams), page: { html, ...form } };
}
