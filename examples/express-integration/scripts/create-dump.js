#!/usr/bin/env node
/**
 * The billing backend's dump client, unchanged in use (plain Node 20, no build step):
 *
 *   AUTH_TOKEN=<jwt> node scripts/create-dump.js create
 *   AUTH_TOKEN=<jwt> npm run dump:create            (or: yarn dump:create)
 *
 * Calls POST /auth/api/dump/create with the token as a Bearer token and prints where the dump went. The server is
 * BASE_URL, else http://localhost:$PORT, else http://localhost:3000 (the example's port; the billing backend used
 * 3020: set PORT=3020 or BASE_URL). Exit codes: 0 done, 1 the server refused or failed, 2 usage. The token is never
 * printed.
 */
const USAGE = 'Usage: AUTH_TOKEN=<jwt> node scripts/create-dump.js create';

const [command] = process.argv.slice(2);
if (command !== 'create') {
  console.error(
    command === undefined || command === 'help' ? USAGE : `Unknown command "${command}". ${USAGE}`,
  );
  process.exit(2);
}
const token = (process.env.AUTH_TOKEN ?? '').trim();
if (token === '') {
  console.error(`AUTH_TOKEN is not set: log in, copy your JWT, then export AUTH_TOKEN=<token>. ${USAGE}`);
  process.exit(2);
}
const baseUrl = process.env.BASE_URL?.trim() || `http://localhost:${process.env.PORT?.trim() || '3000'}`;

let url;
try {
  url = new URL('/auth/api/dump/create', baseUrl);
} catch {
  console.error(`BASE_URL is not a URL: ${JSON.stringify(baseUrl)}`);
  process.exit(2);
}

console.log(`Creating a compressed dump through ${url.href} ...`);
let response;
try {
  response = await fetch(url, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  });
} catch (error) {
  console.error(
    `Could not reach ${url.origin}: ${error.cause?.message ?? error.message}. Is the server running?`,
  );
  process.exit(1);
}

const answer = await response.json().catch(() => undefined);
if (!response.ok || answer?.success !== true) {
  const code = answer?.code ?? response.statusText;
  console.error(`Dump failed: ${response.status} ${code}: ${answer?.message ?? '(no details)'}`);
  if (response.status === 401) console.error('Check that AUTH_TOKEN is a valid, unexpired admin token.');
  process.exit(1);
}

const { data } = answer;
console.log(answer.message ?? 'Database dump created successfully');
console.log(`  File:        ${data.filePath}`);
console.log(`  Size:        ${data.fileSize} bytes (gzip)`);
console.log(`  Records:     ${data.totalRecords}`);
console.log(`  Collections: ${data.collections.length} (${data.collections.join(', ')})`);
console.log(`  Created:     ${data.createdAt}`);
console.log(`Restore with: mongorestore --gzip --archive=${data.fileName}`);
