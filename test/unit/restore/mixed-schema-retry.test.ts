import { describe, expect, it } from 'vitest';
import { insertRetryingMixedSchema } from '../../../src/restore/mixed-schema-retry.js';
import type { InsertOutcome } from '../../../src/restore/raw-insert.js';

const docs = (n: number): Buffer[] => Array.from({ length: n }, (_, i) => Buffer.from([i]));

/** What a server answering these inserts returned, in order; records what it was sent. */
function scripted(answers: InsertOutcome[]): {
  send: (d: readonly Buffer[]) => Promise<InsertOutcome>;
  sent: number[][];
} {
  const sent: number[][] = [];
  return {
    sent,
    send: async (documents) => {
      sent.push(documents.map((d) => d[0] as number));
      const answer = answers.shift();
      if (!answer) throw new Error('unexpected insert');
      return answer;
    },
  };
}

const outcome = (fields: Partial<InsertOutcome>): InsertOutcome => ({
  inserted: 0,
  duplicates: 0,
  failures: 0,
  firstError: undefined,
  mixedSchemaRefused: [],
  ...fields,
});

describe('insertRetryingMixedSchema', () => {
  it('without refusals: one insert, no collMod', async () => {
    const server = scripted([outcome({ inserted: 4 })]);
    let allowed = 0;
    const result = await insertRetryingMixedSchema(docs(4), {
      send: server.send,
      ordered: false,
      allowMixedSchema: async () => void (allowed += 1),
    });
    expect(result).toEqual(outcome({ inserted: 4 }));
    expect(server.sent).toEqual([[0, 1, 2, 3]]);
    expect(allowed).toBe(0);
  });

  it('unordered: sends again only the refused buckets, after allowing mixed schema; counts each once', async () => {
    const server = scripted([
      outcome({
        inserted: 3,
        duplicates: 1,
        failures: 3,
        firstError: 'other (code 2)',
        mixedSchemaRefused: [1, 4],
      }),
      outcome({ inserted: 2 }),
    ]);
    let allowed = 0;
    const result = await insertRetryingMixedSchema(docs(7), {
      send: server.send,
      ordered: false,
      allowMixedSchema: async () => void (allowed += 1),
    });
    expect(server.sent).toEqual([
      [0, 1, 2, 3, 4, 5, 6],
      [1, 4],
    ]);
    expect(allowed).toBe(1);
    expect(result).toEqual(
      outcome({ inserted: 5, duplicates: 1, failures: 1, firstError: 'other (code 2)' }),
    );
  });

  it('ordered: sends again everything from the first refused bucket on', async () => {
    const server = scripted([
      outcome({ inserted: 2, failures: 1, firstError: 'mixed (code 408)', mixedSchemaRefused: [2] }),
      outcome({ inserted: 3 }),
    ]);
    const result = await insertRetryingMixedSchema(docs(5), {
      send: server.send,
      ordered: true,
      allowMixedSchema: async () => undefined,
    });
    expect(server.sent).toEqual([
      [0, 1, 2, 3, 4],
      [2, 3, 4],
    ]);
    expect(result).toEqual(outcome({ inserted: 5 }));
  });

  it('a bucket refused again stays a failure, with the second answer’s reason', async () => {
    const server = scripted([
      outcome({ failures: 1, firstError: 'mixed (code 408)', mixedSchemaRefused: [0] }),
      outcome({ failures: 1, firstError: 'still mixed (code 408)', mixedSchemaRefused: [0] }),
    ]);
    const result = await insertRetryingMixedSchema(docs(1), {
      send: server.send,
      ordered: false,
      allowMixedSchema: async () => undefined,
    });
    expect(result).toMatchObject({ inserted: 0, failures: 1, firstError: 'still mixed (code 408)' });
  });
});
