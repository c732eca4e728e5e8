/**
 * A client of the admin API: signs a short-lived admin token with JWT_SECRET (or uses ADMIN_TOKEN as given),
 * asks for a backup, and prints the report. An optional JSON body asks for a one-off dump instead:
 *
 *   JWT_SECRET=... npm run client
 *   JWT_SECRET=... npm run client -- '{"databases":["shop"],"gzip":false}'
 *
 * BASE_URL defaults to http://127.0.0.1:3000. The token is never printed.
 */
import { signAdminToken } from './auth.js';

const baseUrl = process.env['BASE_URL'] ?? 'http://127.0.0.1:3000';
const body = process.argv[2] ?? '{}';

let token: string;
try {
  token = process.env['ADMIN_TOKEN'] || signAdminToken(process.env['JWT_SECRET'] ?? '', { expiresIn: 60 });
  JSON.parse(body);
} catch (error) {
  console.error(
    `Set ADMIN_TOKEN, or JWT_SECRET to sign one, and give a JSON body: ${(error as Error).message}`,
  );
  process.exit(2);
}

const url = new URL('/admin/backups', baseUrl);
const response = await fetch(url, {
  method: 'POST',
  headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
  body,
}).catch((error: unknown) => {
  console.error(`Could not reach ${url.href}: ${(error as Error).message}`);
  process.exit(1);
});

const answer: unknown = await response.json().catch(() => undefined);
if (!response.ok) {
  const error = (answer as { error?: { code?: string; message?: string } } | undefined)?.error;
  console.error(
    `${response.status} ${error?.code ?? response.statusText}: ${error?.message ?? '(no details)'}`,
  );
  process.exit(1);
}
console.log(JSON.stringify(answer, null, 2));
