import { describe, expect, it } from 'vitest';

import {
  redactError,
  redactSecrets,
  redactUri,
  UNPARSEABLE_URI_PLACEHOLDER,
} from '../../../src/connections/index.js';

describe('redactUri', () => {
  const table: { name: string; uri: string; expected: string }[] = [
    { name: 'no credentials', uri: 'mongodb://localhost:27017', expected: 'mongodb://localhost:27017' },
    {
      name: 'user and password',
      uri: 'mongodb://app:hunter2@localhost:27017/shop',
      expected: 'mongodb://***:***@localhost:27017/shop',
    },
    {
      name: 'srv',
      uri: 'mongodb+srv://app:hunter2@cluster0.ab1cd.mongodb.net/shop?retryWrites=true&w=majority',
      expected: 'mongodb+srv://***:***@cluster0.ab1cd.mongodb.net/shop?retryWrites=true&w=majority',
    },
    {
      name: 'upper-case scheme',
      uri: 'MONGODB+SRV://app:hunter2@cluster0.example.net',
      expected: 'mongodb+srv://***:***@cluster0.example.net',
    },
    {
      name: 'multiple hosts',
      uri: 'mongodb://app:hunter2@db1:27017,db2:27018,db3/admin?replicaSet=rs0&authSource=admin',
      expected: 'mongodb://***:***@db1:27017,db2:27018,db3/admin?replicaSet=rs0&authSource=admin',
    },
    {
      name: 'IPv6 hosts',
      uri: 'mongodb://app:hunter2@[::1]:27017,[fe80::1]:27018/?directConnection=false',
      expected: 'mongodb://***:***@[::1]:27017,[fe80::1]:27018/?directConnection=false',
    },
    {
      name: 'percent-encoded special characters',
      uri: `mongodb://app%40corp:${encodeURIComponent('p@ss:w/o?r#d%')}@db:27017/`,
      expected: 'mongodb://***:***@db:27017/',
    },
    {
      name: 'unescaped @ in the password',
      uri: 'mongodb://app:p@ss@db:27017/shop',
      expected: 'mongodb://***:***@db:27017/shop',
    },
    {
      name: 'unescaped / ? # in the password (ambiguous: over-redacted)',
      uri: 'mongodb://app:pa/ss?w#rd@db:27017/shop',
      expected: 'mongodb://***:***@db:27017/shop',
    },
    {
      name: 'user only (X.509)',
      uri: 'mongodb://CN=client,O=corp@db/?authMechanism=MONGODB-X509',
      expected: 'mongodb://***@db/?authMechanism=MONGODB-X509',
    },
    { name: 'empty password', uri: 'mongodb://app:@db', expected: 'mongodb://***:***@db' },
    {
      name: 'secret query options',
      uri:
        'mongodb://db/?tls=true&tlsCertificateKeyFilePassword=kf-secret' +
        '&authMechanism=MONGODB-AWS&authMechanismProperties=AWS_SESSION_TOKEN:tok123',
      expected:
        'mongodb://db/?tls=true&tlsCertificateKeyFilePassword=***&authMechanism=MONGODB-AWS&authMechanismProperties=***',
    },
    {
      name: 'query without path',
      uri: 'mongodb://u:p@db?ssl=true',
      expected: 'mongodb://***:***@db?ssl=true',
    },
    { name: 'no host at all', uri: 'mongodb://', expected: 'mongodb://' },
    { name: 'another scheme', uri: 'postgres://u:p@db:5432', expected: UNPARSEABLE_URI_PLACEHOLDER },
    { name: 'no scheme', uri: 'app:hunter2@db:27017', expected: UNPARSEABLE_URI_PLACEHOLDER },
    { name: 'empty string', uri: '', expected: UNPARSEABLE_URI_PLACEHOLDER },
    { name: 'garbage', uri: '%%%:::@@@', expected: UNPARSEABLE_URI_PLACEHOLDER },
  ];

  it.each(table)('$name', ({ uri, expected }) => {
    expect(redactUri(uri)).toBe(expected);
  });

  it.each(table)('never returns the password: $name', ({ uri }) => {
    const redacted = redactUri(uri);
    for (const secret of ['hunter2', 'p@ss', 'pa/ss', 'kf-secret', 'tok123', 'app%40corp']) {
      expect(redacted).not.toContain(secret);
    }
  });
});

describe('redactSecrets', () => {
  const uri = `mongodb://backup:${encodeURIComponent('s3cr&t pw')}@db1:27017,db2:27017/?replicaSet=rs0`;

  it('redacts a known connection string and its password wherever it appears', () => {
    const text = `connecting to ${uri} failed; password "s3cr&t pw" rejected (encoded: s3cr%26t%20pw)`;
    const scrubbed = redactSecrets(text, [uri]);
    expect(scrubbed).toBe(
      'connecting to mongodb://***:***@db1:27017,db2:27017/?replicaSet=rs0 failed; password "***" rejected (encoded: ***)',
    );
  });

  it('redacts connection strings it was not told about', () => {
    expect(redactSecrets('retrying mongodb+srv://x:y@c.example.net/db, then mongodb://h')).toBe(
      'retrying mongodb+srv://***:***@c.example.net/db, then mongodb://h',
    );
  });

  it('scrubs generic user:pass@ patterns and other schemes', () => {
    expect(redactSecrets('proxy http://me:pw@proxy:3128 and ftp://anon@files')).toBe(
      'proxy http://***@proxy:3128 and ftp://***@files',
    );
    expect(redactSecrets('auth as admin:hunter2@db.local:27017 failed')).toBe(
      'auth as ***:***@db.local:27017 failed',
    );
  });

  it('scrubs secret assignments', () => {
    expect(redactSecrets('password=hunter2 user=bob "apiToken": "abc123" pwd: x1')).toBe(
      'password=*** user=bob "apiToken": "***" pwd: ***',
    );
  });

  it('treats a known entry that is not a connection string as a literal secret', () => {
    expect(redactSecrets('the key is k3y-value, remember k3y-value', ['k3y-value'])).toBe(
      'the key is ***, remember ***',
    );
  });

  it('leaves ordinary text alone', () => {
    const text = 'Authentication failed. Server selection timed out after 500 ms; e-mail ops@example.com';
    expect(redactSecrets(text, ['mongodb://localhost'])).toBe(text);
  });
});

describe('redactError', () => {
  it('copies an error chain with messages and stacks scrubbed, keeping name and code', () => {
    const uri = 'mongodb://app:hunter2@db:27017';
    const root = Object.assign(new Error(`socket closed for ${uri}`), { code: 'ECONNRESET' });
    const top = Object.assign(new Error('login with hunter2 failed', { cause: root }), {
      name: 'MongoServerError',
      code: 18,
      codeName: 'AuthenticationFailed',
      client: { uri },
    });
    const copy = redactError(top, [uri]);
    expect(copy).not.toBe(top);
    expect(copy.name).toBe('MongoServerError');
    expect(copy.message).toBe('login with *** failed');
    expect(copy).toMatchObject({ code: 18, codeName: 'AuthenticationFailed' });
    expect(copy).not.toHaveProperty('client');
    const cause = copy.cause as Error & { code?: string };
    expect(cause.message).toBe('socket closed for mongodb://***:***@db:27017');
    expect(cause.code).toBe('ECONNRESET');
    const everything = JSON.stringify([copy.stack, cause.stack, copy.message, cause.message]);
    expect(everything).not.toContain('hunter2');
  });

  it('wraps non-errors', () => {
    expect(redactError('mongodb://a:b@c').message).toBe('mongodb://***:***@c');
  });
});
