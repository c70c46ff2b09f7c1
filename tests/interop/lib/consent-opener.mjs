// A stand-in for the browser that a CLI client opens (`BROWSER=` this script, through a small
// shell wrapper): answers the development authorization server's consent page with the boxes as
// they start, plus those named in CONSENT_OPENER_ALSO_TICK (space-separated: what a user ticks),
// then Approve; then delivers the answer to the client's loopback callback, as
// the browser's redirect would. Each URL it opened and each page it answered is appended to the
// JSON-lines file named by CONSENT_OPENER_LOG.
//
// Usage: node consent-opener.mjs URL

import { appendFileSync } from 'node:fs';

import { answerConsent } from './consent.mjs';

const url = new URL(process.argv[2]);
const redirectUri = url.searchParams.get('redirect_uri') ?? '';
const log = (entry) => {
  if (process.env.CONSENT_OPENER_LOG) appendFileSync(process.env.CONSENT_OPENER_LOG, `${JSON.stringify(entry)}\n`);
};
try {
  const also = (process.env.CONSENT_OPENER_ALSO_TICK ?? '').split(' ').filter(Boolean);
  const { params, page } = await answerConsent(url.href, redirectUri, { alsoTick: also });
  log({ url: url.href, scopes: page?.scopes ?? null, params: Object.keys(params) });
  const callback = new URL(redirectUri);
  for (const [k, v] of Object.entries(params)) callback.searchParams.set(k, v);
  const delivered = await fetch(callback, { signal: AbortSignal.timeout(10_000) });
  await delivered.body?.cancel();
} catch (err) {
  log({ url: url.href, error: String(err) });
  process.exitCode = 1;
}
