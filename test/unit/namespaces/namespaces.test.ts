import { describe, expect, it } from 'vitest';
import { ErrorCode, MongoBackupConfigError, MongoBackupUsageError } from '../../../src/errors.js';
import {
  createNamespaceRenamer,
  createNamespaceSelector,
  escapeNamespacePattern,
  pairNamespaceRenames,
  splitNamespace,
} from '../../../src/namespaces/index.js';
import type { NamespaceRename, NamespaceSelectorOptions } from '../../../src/namespaces/index.js';

type SelectCase = [
  description: string,
  options: NamespaceSelectorOptions,
  namespace: string,
  selected: boolean,
];

const selectCases: SelectCase[] = [
  ['include defaults to *', {}, 'a.b', true],
  ['default * also matches a bare name', {}, 'anything', true],
  ['default * matches the empty string', {}, '', true],
  ['* crosses dots (doc example: test.* matches test.a.b)', { include: ['test.*'] }, 'test.a.b', true],
  ['* matches the empty string after the dot', { include: ['test.*'] }, 'test.', true],
  ['the dot is literal, so test.* needs it', { include: ['test.*'] }, 'test', false],
  ['the pattern matches the whole namespace, not a prefix', { include: ['test.a'] }, 'test.ab', false],
  ['the pattern matches the whole namespace, not a suffix', { include: ['est.a'] }, 'test.a', false],
  ['*.* needs a dot', { include: ['*.*'] }, 'stuff', false],
  ['*.* matches a dotted collection', { include: ['*.*'] }, 'prod.turbo.encabulators', true],
  ['star inside the collection part', { include: ['*.user*'] }, 'stuff.users', true],
  ['empty match inside a word', { include: ['a.*b'] }, 'a.b', true],
  ['two stars in a row', { include: ['**'] }, 'x', true],
  ['\\* is a literal star', { include: ['pr\\*d.*'] }, 'pr*d.users', true],
  ['\\* does not match other characters', { include: ['pr\\*d.*'] }, 'prod.users', false],
  [
    'a backslash before another character just makes it literal',
    { include: ['pr\\*d\\.*'] },
    'pr*d.magic',
    true,
  ],
  ['so \\. does not match a backslash', { include: ['pr\\*d\\.*'] }, 'pr*d\\.magic', false],
  ['\\\\ is a literal backslash', { include: ['a\\\\b.*'] }, 'a\\b.c', true],
  ['\\\\* is a literal backslash then a wildcard', { include: ['a\\\\*'] }, 'a\\bc', true],
  ['regex metacharacters are literal', { include: ['a.b(c)+[d]?^{2}|e/'] }, 'a.b(c)+[d]?^{2}|e/', true],
  ['regex metacharacters do not act as regex', { include: ['a.b(c)+'] }, 'a.bcc', false],
  ['the dot is not a regex wildcard', { include: ['a.b.c'] }, 'aXb.c', false],
  ['non-ASCII names are literal', { include: ['restaurants.cafés'] }, 'restaurants.cafés', true],
  ['exclude wins over include', { include: ['shop.*'], exclude: ['shop.tmp*'] }, 'shop.tmp_1', false],
  ['include without matching exclude', { include: ['shop.*'], exclude: ['shop.tmp*'] }, 'shop.orders', true],
  ['not included at all', { include: ['shop.*'], exclude: ['shop.tmp*'] }, 'blog.posts', false],
  ['exclude alone keeps the default include', { exclude: ['*.system.*'] }, 'a.b', true],
  ['exclude alone removes its matches', { exclude: ['*.system.*'] }, 'a.system.js', false],
  ['--db X means X.*', { db: 'shop' }, 'shop.orders', true],
  ['--db X includes dotted collections', { db: 'shop' }, 'shop.orders.2024', true],
  ['--db X does not include a longer database name', { db: 'shop' }, 'shopping.orders', false],
  ['--db name is literal: a*b', { db: 'a*b' }, 'a*b.c', true],
  ['--db name is literal: a*b is not a pattern', { db: 'a*b' }, 'aXb.c', false],
  ['--db name is literal: backslash', { db: 'a\\b' }, 'a\\b.c', true],
  ['--db X --collection Y means X.Y', { db: 'shop', collection: 'orders' }, 'shop.orders', true],
  ['--collection is exact', { db: 'shop', collection: 'orders' }, 'shop.orders2', false],
  ['--collection is literal', { db: 's', collection: 'o*' }, 's.o*', true],
  ['--collection is literal, not a wildcard', { db: 's', collection: 'o*' }, 's.ox', false],
  ['--db adds to nsInclude (first list)', { include: ['a.*'], db: 'b' }, 'a.x', true],
  ['--db adds to nsInclude (--db)', { include: ['a.*'], db: 'b' }, 'b.x', true],
  ['--db adds to nsInclude (neither)', { include: ['a.*'], db: 'b' }, 'c.x', false],
  ['--excludeCollection c means *.c', { excludeCollections: ['tmp'] }, 'a.tmp', false],
  ['--excludeCollection is exact', { excludeCollections: ['tmp'] }, 'a.tmp2', true],
  ['--excludeCollection: * before .c crosses dots', { excludeCollections: ['tmp'] }, 'a.b.tmp', false],
  ['--excludeCollection name is literal', { excludeCollections: ['t*'] }, 'a.tx', true],
  ['--excludeCollection with --db', { db: 'a', excludeCollections: ['tmp'] }, 'a.tmp', false],
];

describe('createNamespaceSelector', () => {
  it.each(selectCases)('%s', (_description, options, namespace, selected) => {
    expect(createNamespaceSelector(options)(namespace)).toBe(selected);
  });

  it('stays fast on patterns with many stars (no backtracking blow-up)', () => {
    const selected = createNamespaceSelector({ include: ['*a*a*a*a*a*a*a*a*a*a*a*a*b'] });
    const started = performance.now();
    expect(selected(`${'a'.repeat(120)}.${'a'.repeat(120)}`)).toBe(false);
    expect(selected(`${'a'.repeat(120)}.${'a'.repeat(119)}b`)).toBe(true);
    expect(performance.now() - started).toBeLessThan(1000);
  });
});

type RenameCase = [description: string, pairs: NamespaceRename[], namespace: string, renamed: string];

const renameCases: RenameCase[] = [
  [
    'doc example: *.* -> *_x.* (first * stops at the first dot)',
    [{ from: '*.*', to: '*_x.*' }],
    'a.b.c',
    'a_x.b.c',
  ],
  ['doc example: $db$.$coll$ -> $coll$.$db$', [{ from: '$db$.$coll$', to: '$coll$.$db$' }], 'a.b.c', 'b.c.a'],
  ['*.* -> *_test.*', [{ from: '*.*', to: '*_test.*' }], 'stuff.users', 'stuff_test.users'],
  [
    'stars cross dots in the last position',
    [{ from: '*.*', to: '*_test.*' }],
    'prod.turbo.encabulators',
    'prod_test.turbo.encabulators',
  ],
  ['no pair matches: unchanged', [{ from: 'a.*', to: 'b.*' }], 'c.d', 'c.d'],
  ['a single * may take the dots', [{ from: '*', to: 'x.*' }], 'a.b', 'x.a.b'],
  ['*.b: the star takes what it must to reach the end', [{ from: '*.b', to: '*.c' }], 'x.y.b', 'x.y.c'],
  ['three stars, each as short as possible', [{ from: '*.*.*', to: '*-*-*' }], 'a.b.c.d', 'a-b-c.d'],
  ['a star matching the empty string', [{ from: 'a.*', to: 'b.*' }], 'a.', 'b.'],
  [
    'the n-th * of nsTo takes the n-th match, in order',
    [{ from: '*.*', to: '*.*_copy' }],
    'db.c',
    'db.c_copy',
  ],
  ['literal-only pair', [{ from: 'a.b', to: 'c.d' }], 'a.b', 'c.d'],
  ['literal-only pair matches the whole name only', [{ from: 'a.b', to: 'c.d' }], 'a.bc', 'a.bc'],
  [
    'escaped star on both sides',
    [{ from: 'pr\\*d\\\\.*', to: 'st\\*g\\\\ing.*' }],
    'pr*d\\.users',
    'st*g\\ing.users',
  ],
  ['escaped star in nsTo stays a literal star', [{ from: 'a.*', to: 'b.\\**' }], 'a.x', 'b.*x'],
  ['non-ASCII literal names', [{ from: 'restaurants.cafés', to: 'ÿœp.tāx' }], 'restaurants.cafés', 'ÿœp.tāx'],
  [
    'variables: an empty variable name is allowed',
    [{ from: '$db$.user$$', to: 'test.user$$_$db$' }],
    'stuff.user',
    'test.user_stuff',
  ],
  [
    'variables: the empty-named variable takes the tail',
    [{ from: '$db$.user$$', to: 'test.user$$_$db$' }],
    'stuff.users',
    'test.users_stuff',
  ],
  [
    'variables: names may hold regex metacharacters',
    [{ from: '$:)*$.us(?:2)er$?$', to: 'test.us(?:2)er$?$_$:)*$' }],
    'stuff.us(?:2)ers',
    'test.us(?:2)ers_stuff',
  ],
  ['variables: * is literal', [{ from: '$db$.a*b', to: '$db$.c' }], 'x.a*b', 'x.c'],
  [
    'variables: * is literal, so it does not match other text',
    [{ from: '$db$.a*b', to: '$db$.c' }],
    'x.aXb',
    'x.aXb',
  ],
  ['variables: backslash is literal', [{ from: '$db$.a\\b', to: '$db$.c' }], 'x.a\\b', 'x.c'],
  ['variables may repeat in nsTo', [{ from: '$db$.$c$', to: '$db$.$c$_$db$' }], 'a.b', 'a.b_a'],
  ['variables may be left unused in nsTo', [{ from: '$db$.$c$', to: '$db$.fixed' }], 'a.b', 'a.fixed'],
  ['variables match the empty string', [{ from: '$db$.x$rest$', to: '$db$.y$rest$' }], 'a.x', 'a.y'],
  [
    'several pairs: the last matching pair wins',
    [
      { from: '*.*', to: '*_x.*' },
      { from: '$db$.$coll$', to: '$coll$.$db$' },
    ],
    'a.b.c',
    'b.c.a',
  ],
  [
    'several pairs: order reversed, the other one wins',
    [
      { from: '$db$.$coll$', to: '$coll$.$db$' },
      { from: '*.*', to: '*_x.*' },
    ],
    'a.b.c',
    'a_x.b.c',
  ],
  [
    'several pairs: a later pair that does not match does not hide an earlier one',
    [
      { from: 'a.*', to: 'x.*' },
      { from: 'b.*', to: 'y.*' },
    ],
    'a.1',
    'x.1',
  ],
  ['no pairs: identity', [], 'a.b', 'a.b'],
];

describe('createNamespaceRenamer', () => {
  it.each(renameCases)('%s', (_description, pairs, namespace, renamed) => {
    expect(createNamespaceRenamer(pairs)(namespace)).toBe(renamed);
  });
});

type ErrorCase = [description: string, build: () => unknown, message: RegExp];

const patternErrorCases: ErrorCase[] = [
  [
    '$ in nsInclude',
    () => createNamespaceSelector({ include: ['$.user$'] }),
    /nsInclude.*no "\$".*found "\$" at position 0/,
  ],
  [
    '$ at the end of nsInclude',
    () => createNamespaceSelector({ include: ['*.user$'] }),
    /found "\$" at position 6/,
  ],
  ['$ in nsExclude', () => createNamespaceSelector({ exclude: ['a$'] }), /nsExclude/],
  [
    'a lone trailing backslash',
    () => createNamespaceSelector({ include: ['a.b\\'] }),
    /final backslash.*found the end/,
  ],
  [
    'a variable twice in nsFrom',
    () => createNamespaceRenamer([{ from: '$db$.user$db$', to: 'test.user-$db$' }]),
    /nsFrom.*each \$variable\$ at most once, found \$db\$ more than once/,
  ],
  [
    'an odd number of $ in nsFrom',
    () => createNamespaceRenamer([{ from: '$db$.us$er$table$', to: 'test.user$table$_$db$' }]),
    /nsFrom.*expected an even number of "\$".*found 5/,
  ],
  [
    'an odd number of $ in nsTo',
    () => createNamespaceRenamer([{ from: '$db$.x', to: '$db.x' }]),
    /nsTo.*found 1/,
  ],
  [
    'nsTo using a variable nsFrom does not define',
    () => createNamespaceRenamer([{ from: '$db$.$c$', to: '$x$.$c$' }]),
    /nsTo.*only variables defined by nsFrom "\$db\$\.\$c\$" \(\$db\$, \$c\$\), found \$x\$/,
  ],
  [
    'different numbers of * (nsTo has fewer)',
    () => createNamespaceRenamer([{ from: '*.*', to: '*' }]),
    /as many unescaped "\*" as nsFrom "\*\.\*" \(2\), found 1/,
  ],
  [
    'different numbers of * (an escaped star does not count)',
    () => createNamespaceRenamer([{ from: 'a.*', to: 'b.\\*' }]),
    /\(1\), found 0/,
  ],
  [
    '$ in nsTo when nsFrom has no variables',
    () => createNamespaceRenamer([{ from: 'a.*', to: '$x$.*' }]),
    /nsTo.*no "\$" since nsFrom "a\.\*" defines no \$variables\$/,
  ],
  [
    'a bad pair after good ones is still reported',
    () =>
      createNamespaceRenamer([
        { from: 'a.*', to: 'b.*' },
        { from: 'a.*', to: 'b' },
      ]),
    /nsTo pattern "b"/,
  ],
];

describe('pattern errors', () => {
  it.each(patternErrorCases)('%s', (_description, build, message) => {
    let thrown: unknown;
    try {
      build();
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MongoBackupUsageError);
    expect(thrown).toMatchObject({ code: ErrorCode.INVALID_NAMESPACE_PATTERN });
    expect((thrown as Error).message).toMatch(/expected .*found/);
    expect((thrown as Error).message).toMatch(message);
  });
});

const optionErrorCases: ErrorCase[] = [
  [
    '--collection without --db',
    () => createNamespaceSelector({ collection: 'c' }),
    /"collection" needs "db"/,
  ],
  [
    '--collection with --excludeCollection',
    () => createNamespaceSelector({ db: 'a', collection: 'c', excludeCollections: ['d'] }),
    /cannot be combined/,
  ],
  [
    'include given as a string',
    () => createNamespaceSelector({ include: 'a.*' } as unknown as NamespaceSelectorOptions),
    /include: Invalid input: expected array/,
  ],
  [
    'an unknown selector option',
    () => createNamespaceSelector({ nsInclude: ['a.*'] } as unknown as NamespaceSelectorOptions),
    /Unrecognized key: "nsInclude"/,
  ],
  ['an empty --db', () => createNamespaceSelector({ db: '' }), /db:/],
  [
    'a rename pair that is not two strings',
    () => createNamespaceRenamer([{ from: 'a.*' }] as unknown as NamespaceRename[]),
    /0\.to/,
  ],
  [
    'nsFrom and nsTo counts differ',
    () => pairNamespaceRenames(['a.*', 'b.*'], ['c.*']),
    /found 2 nsFrom and 1 nsTo/,
  ],
];

describe('option errors', () => {
  it.each(optionErrorCases)('%s', (_description, build, message) => {
    expect(build).toThrow(MongoBackupConfigError);
    expect(build).toThrow(message);
    try {
      build();
    } catch (error) {
      expect(error).toMatchObject({ code: ErrorCode.INVALID_OPTIONS });
      expect((error as MongoBackupConfigError).issues.length).toBeGreaterThan(0);
    }
  });
});

describe('pairNamespaceRenames', () => {
  it('pairs the lists in order', () => {
    expect(pairNamespaceRenames(['a.*', '$d$.x'], ['b.*', '$d$.y'])).toEqual([
      { from: 'a.*', to: 'b.*' },
      { from: '$d$.x', to: '$d$.y' },
    ]);
  });
});

describe('escapeNamespacePattern', () => {
  it.each([
    ['plain', 'plain'],
    ['', ''],
    ['bl*h*\\', 'bl\\*h\\*\\\\'],
    ['(blah)', '(blah)'],
  ])('escapes %j as %j', (text, escaped) => {
    expect(escapeNamespacePattern(text)).toBe(escaped);
  });

  it('builds patterns that match the text literally', () => {
    const name = 'we*ird\\db';
    const selected = createNamespaceSelector({ include: [`${escapeNamespacePattern(name)}.*`] });
    expect(selected(`${name}.c`)).toBe(true);
    expect(selected('weXird\\db.c')).toBe(false);
  });
});

describe('splitNamespace', () => {
  it.each([
    ['shop.orders', { db: 'shop', collection: 'orders' }],
    ['shop.orders.2024', { db: 'shop', collection: 'orders.2024' }],
    ['.oplog', { db: '', collection: 'oplog' }],
    ['nodot', { db: 'nodot', collection: '' }],
    ['db.', { db: 'db', collection: '' }],
  ])('splits %j at the first dot', (namespace, expected) => {
    expect(splitNamespace(namespace)).toEqual(expected);
  });
});
