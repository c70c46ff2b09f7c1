// How check scripts report: one line per assertion, `PASS name` or `FAIL name: why`, which the
// runner counts. A script exits non-zero when anything failed.

let failures = 0;

/** Records one assertion; `detail` explains a failure (what was seen, what was expected). */
export function check(name, ok, detail = '') {
  if (ok) {
    console.log(`PASS ${name}`);
  } else {
    failures += 1;
    console.log(`FAIL ${name}: ${detail}`);
  }
  return ok;
}

/** Records a failure for an exception that ended a script early. */
export function crashed(name, err) {
  failures += 1;
  console.log(`FAIL ${name}: ${err?.stack ?? err}`);
}

/** Exit code for the script. */
export function exitCode() {
  return failures === 0 ? 0 : 1;
}

/** A JWT's payload, decoded without verification (for reporting what a token says). */
export function jwtPayload(token) {
  try {
    return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
}

/** The parameters of a `Bearer` WWW-Authenticate challenge (quoted or token values). */
export function bearerParams(header) {
  const params = {};
  if (!header || !/^\s*Bearer\b/i.test(header)) return params;
  const re = /([A-Za-z_][A-Za-z0-9_-]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,]+))/g;
  for (const m of header.matchAll(re)) {
    params[m[1]] = m[2] !== undefined ? m[2].replace(/\\(.)/g, '$1') : m[3];
  }
  return params;
}
