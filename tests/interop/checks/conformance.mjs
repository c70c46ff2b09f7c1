// The MCP conformance suite's server scenarios against the fixture server (through the bearer
// proxy). Each scenario passes when none of its checks failed; the failing set must be exactly the
// scenarios in `expected-failures`. Guards against the suite's known false passes: a server
// without the fixture tools passes `tools-call-simple-text` and `tools-call-error` with a "tool not
// found" error result, so the fixtures' own texts are checked too.
//
// Scenarios that end with warnings must be exactly those in `expected-warnings` (a new warning, or
// one that went away, fails), so a warning cannot hide a regression.
//
// Usage: node conformance.mjs --url http://127.0.0.1:PORT/mcp --out DIR [--expected FILE]
//        [--expected-warnings FILE]

import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

import { check, exitCode } from '../lib/report.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const { values: opts } = parseArgs({
  options: {
    url: { type: 'string' },
    out: { type: 'string' },
    expected: { type: 'string', default: join(here, '..', 'expected-failures') },
    'expected-warnings': { type: 'string', default: join(here, '..', 'expected-warnings') },
  },
});

const FIXTURES = [
  'test_simple_text', 'test_image_content', 'test_audio_content', 'test_embedded_resource',
  'test_multiple_content_types', 'test_error_handling', 'test_tool_with_logging',
  'test_tool_with_progress', 'json_schema_2020_12_tool',
];

/** A list file: `scenario-name  reason` per line, `#` comments. */
const readList = (file) => new Map(
  readFileSync(file, 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const [name, ...reason] = line.split(/\s+/);
      return [name, reason.join(' ')];
    }),
);
const expected = readList(opts.expected);
const expectedWarnings = readList(opts['expected-warnings']);

const suite = join(here, '..', 'node_modules', '@modelcontextprotocol', 'conformance', 'dist', 'index.js');
const listed = spawnSync(process.execPath, [suite, 'list', '--server'], { encoding: 'utf8' });
const scenarios = [...listed.stdout.matchAll(/^\s*-\s+(\S+)/gm)].map((m) => m[1]);
check('conformance: suite lists server scenarios', scenarios.length > 0, listed.stderr || listed.stdout);
const unknown = [...expected.keys()].filter((name) => !scenarios.includes(name));
check('conformance: expected-failures names only real scenarios', unknown.length === 0,
  `unknown: ${unknown.join(', ')}`);
const unknownWarnings = [...expectedWarnings.keys()].filter((name) => !scenarios.includes(name));
check('conformance: expected-warnings names only real scenarios', unknownWarnings.length === 0,
  `unknown: ${unknownWarnings.join(', ')}`);

const run = spawnSync(process.execPath, [suite, 'server', '--url', opts.url, '--suite', 'all', '-o', opts.out], {
  encoding: 'utf8',
  timeout: 120_000,
});
const total = /Total: (\d+) passed, (\d+) failed/.exec(run.stdout ?? '');
check('conformance: suite ran to its summary', total !== null,
  `exit ${run.status}, signal ${run.signal}\n${(run.stdout ?? '').slice(-2000)}\n${(run.stderr ?? '').slice(-2000)}`);

/** Checks of each scenario, from the suite's result directories `server-<name>-<timestamp>/checks.json`. */
const results = new Map();
for (const dir of readdirSync(opts.out)) {
  const m = /^server-(.+)-\d{4}-\d{2}-\d{2}T[\d-]+Z$/.exec(dir);
  if (!m) continue;
  results.set(m[1], JSON.parse(readFileSync(join(opts.out, dir, 'checks.json'), 'utf8')));
}

for (const name of scenarios) {
  const checks = results.get(name);
  if (!checks) {
    check(`conformance ${name}`, false, 'no results written');
    continue;
  }
  const failed = checks.filter((c) => c.status === 'FAILURE');
  const passed = checks.filter((c) => c.status === 'SUCCESS');
  const why = failed.map((c) => `${c.id}: ${c.errorMessage}`).join('; ');
  const warned = checks.filter((c) => c.status === 'WARNING');
  const notes = warned.map((c) => `${c.id}: ${c.errorMessage ?? c.details?.message}`).join('; ');
  if (warned.length > 0 && !expectedWarnings.has(name)) {
    check(`conformance ${name}: no unexpected warnings`, false,
      `${notes} (if expected, list it in expected-warnings with the reason)`);
  } else if (warned.length === 0 && expectedWarnings.has(name)) {
    check(`conformance ${name}: warns as listed`, false, 'no warning any more: remove it from expected-warnings');
  } else if (warned.length > 0) {
    // Not counted as passed or failed: an expected warning is neither.
    console.log(`XWARN conformance ${name}: ${expectedWarnings.get(name)} (${notes})`);
  }
  if (expected.has(name)) {
    // Expected to fail only for lack of the feature: the method or fixture tool does not exist, or
    // (subscriptions) the server's documented "not supported" refusal.
    const forOtherReasons = failed.filter((c) => !/MCP error (-32601: (method not found|resources\/(un)?subscribe is not supported)|-32602: unknown tool)/.test(c.errorMessage ?? ''));
    if (failed.length === 0) {
      check(`conformance ${name}`, false, 'passed although listed in expected-failures: remove it from the list');
    } else if (forOtherReasons.length > 0) {
      check(`conformance ${name}`, false, `expected to fail only for a missing method or tool, but: ${why}`);
    } else {
      // Not counted as passed or failed: an expected failure is neither.
      console.log(`XFAIL conformance ${name}: ${expected.get(name)} (${failed[0].errorMessage})`);
    }
  } else if (passed.length === 0 && failed.length === 0) {
    // Made only of warnings (listed, or failed above): nothing to pass or fail.
  } else {
    check(`conformance ${name}`, failed.length === 0, why);
  }
}

// False-pass guards: the fixtures exist and answered with their own content.
const detail = (name, id) => results.get(name)?.find((c) => c.id === id)?.details;
const listedTools = detail('tools-list', 'tools-list')?.tools ?? [];
check('conformance: tools/list has every fixture tool', FIXTURES.every((t) => listedTools.includes(t)),
  `listed: ${listedTools.join(', ')}`);
const simple = detail('tools-call-simple-text', 'tools-call-simple-text')?.result;
check('conformance: test_simple_text answered with its own text',
  simple?.isError !== true && simple?.content?.[0]?.text === 'This is a simple text response for testing.',
  JSON.stringify(simple));
const error = detail('tools-call-error', 'tools-call-error')?.result;
check('conformance: test_error_handling failed with its own message (not "tool not found")',
  error?.isError === true && error?.content?.[0]?.text === 'This tool intentionally returns an error for testing',
  JSON.stringify(error));
const logs = detail('tools-call-with-logging', 'tools-call-with-logging')?.logs ?? [];
check('conformance: test_tool_with_logging streamed its three log messages in order',
  JSON.stringify(logs.map((l) => l.data)) === JSON.stringify(['Tool execution started', 'Tool processing data', 'Tool execution completed']),
  JSON.stringify(logs));

// The notifications arrive on an SSE reply to the tools/call POST itself (a stateless server has
// no other stream), in order, before the result; a quiet tool gets plain JSON.
async function callRaw(name, meta) {
  const response = await fetch(opts.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-11-25',
    },
    body: JSON.stringify({ jsonrpc: '2.0', id: 7, method: 'tools/call', params: { name, arguments: {}, _meta: meta } }),
    signal: AbortSignal.timeout(10_000),
  });
  return { type: response.headers.get('content-type') ?? '', body: await response.text() };
}
try {
  const streamed = await callRaw('test_tool_with_progress', { progressToken: 'p1' });
  const events = streamed.body.split(/\r?\n\r?\n/).map((e) => e.split(/\r?\n/).filter((l) => l.startsWith('data:'))
    .map((l) => l.slice(5).trim()).join('')).filter(Boolean).map((d) => JSON.parse(d));
  const methods = events.map((e) => e.method ?? (e.result ? 'result' : 'error'));
  check('conformance: progress arrives on an SSE reply, three notifications then the result',
    streamed.type.startsWith('text/event-stream')
      && JSON.stringify(methods) === JSON.stringify(['notifications/progress', 'notifications/progress', 'notifications/progress', 'result'])
      && JSON.stringify(events.slice(0, 3).map((e) => e.params.progress)) === '[0,50,100]',
    `content-type ${streamed.type}; events ${JSON.stringify(events).slice(0, 600)}`);
  const quiet = await callRaw('test_simple_text', {});
  check('conformance: a tool that sends nothing gets a plain JSON reply',
    quiet.type.startsWith('application/json') && JSON.parse(quiet.body).result?.content?.[0]?.type === 'text',
    `content-type ${quiet.type}; body ${quiet.body.slice(0, 300)}`);
} catch (err) {
  check('conformance: raw SSE checks', false, err.stack);
}

process.exit(exitCode());
