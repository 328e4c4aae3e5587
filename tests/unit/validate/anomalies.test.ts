import { describe, expect, it } from 'vitest';
import { computeStats } from '../../../src/core/validate/stats';
import { inferSchema, setRangesFromStats, updateFeature, type Schema } from '../../../src/core/validate/schema';
import { Validator, acceptAnomalies, acceptAnomaly, validateBatches, validateStats, type Anomaly } from '../../../src/core/validate/anomalies';
import { makeBatches, seeded, type Cell, type TestColumn } from './helpers';

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object') {
    Object.freeze(o);
    for (const v of Object.values(o)) deepFreeze(v);
  }
  return o;
}

/** A taxi-trips-like dataset in the shape of the TFDV tutorial. */
function taxi(n: number, seed: number) {
  const rnd = seeded(seed);
  const pick = <T>(xs: T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const rows = Array.from({ length: n }, () => ({
    payment_type: pick(['Cash', 'Credit Card', 'No Charge', 'Dispute', 'Unknown']),
    company: rnd() < 0.05 ? null : pick(['Flash Cab', 'Taxi Affiliation', 'Sun Taxi', 'Medallion Leasing']),
    trip_miles: Math.round(rnd() * 400) / 10,
    fare: Math.round((3 + rnd() * 60) * 100) / 100,
    tips: rnd() < 0.5 ? 0 : Math.round(rnd() * 1000) / 100,
    trip_start_hour: Math.floor(rnd() * 24),
    trip_start_timestamp: 1_400_000_000_000 + Math.floor(rnd() * 3e10),
    note: `trip ${Math.floor(rnd() * 1e6)}`,
    shared: rnd() < 0.2,
  }));
  return rows;
}

type Row = ReturnType<typeof taxi>[number];
const TYPES: Record<keyof Row, TestColumn['type']> = {
  payment_type: 'categorical',
  company: 'categorical',
  trip_miles: 'number',
  fare: 'number',
  tips: 'number',
  trip_start_hour: 'integer',
  trip_start_timestamp: 'datetime',
  note: 'text',
  shared: 'boolean',
};

function toColumns(rows: Partial<Row>[], names: (keyof Row)[]): TestColumn[] {
  return names.map((name) => ({ name, type: TYPES[name], values: rows.map((r) => (r[name] ?? null) as Cell) }));
}

describe('the TFDV tutorial, reproduced', () => {
  const all = Object.keys(TYPES) as (keyof Row)[];
  const train = taxi(3000, 1);
  // evaluation rows are training rows (so every other column stays inside the training domain) with
  // three changes: new payment types, the tips column dropped, and longer trips than ever seen
  const rnd = seeded(2);
  const evalRows = Array.from({ length: 1200 }, () => ({ ...train[Math.floor(rnd() * train.length)]!, company: 'Sun Taxi' }));
  const newValueRows: number[] = [];
  const farRows: number[] = [];
  evalRows.forEach((r, i) => {
    if (i % 97 === 5) {
      r.payment_type = i % 2 ? 'Prcard' : 'Pcard';
      newValueRows.push(i);
    }
    if (i % 150 === 7) {
      r.trip_miles = 45 + i / 10;
      farRows.push(i);
    }
  });
  const evalNames = all.filter((n) => n !== 'tips');

  it('reports exactly the three anomalies, with counts and example rows, and accepting them validates clean', () => {
    const trainStats = computeStats(makeBatches(toColumns(train, all), [1000, 7, 333]));
    // as in TFDV, the inferred schema pins no value ranges: the longer trips are no anomaly under it
    const inferred = deepFreeze(inferSchema(trainStats));
    const evalBatches = makeBatches(toColumns(evalRows, evalNames), [500, 3, 64]);
    expect(validateBatches(evalBatches, inferred).anomalies.map((a) => [a.column, a.kind])).toEqual([
      ['payment_type', 'out_of_domain'],
      ['tips', 'missing_column'],
    ]);
    // ranges are an explicit action ("set ranges from these statistics"), after which they are checked
    const schema = deepFreeze(setRangesFromStats(inferred, trainStats));
    // the training data is clean under its own schema
    expect(validateBatches(makeBatches(toColumns(train, all), 512), schema).anomalies).toEqual([]);

    const { anomalies, stats } = validateBatches(evalBatches, schema, null, { maxExamples: 3 });
    expect(stats.rowCount).toBe(1200);
    expect(anomalies.map((a) => [a.column, a.kind])).toEqual([
      ['payment_type', 'out_of_domain'],
      ['trip_miles', 'out_of_range'],
      ['tips', 'missing_column'],
    ]);
    const [domain, range, missing] = anomalies as [Extract<Anomaly, { kind: 'out_of_domain' }>, Extract<Anomaly, { kind: 'out_of_range' }>, Anomaly];
    expect(domain.count).toBe(newValueRows.length);
    expect(domain.approximate).toBe(false);
    // most frequent first
    expect([...domain.params.values].sort()).toEqual(['Pcard', 'Prcard']);
    expect(domain.examples.rows).toEqual(newValueRows.slice(0, 3));
    expect(domain.examples.values.sort()).toEqual(['Pcard', 'Prcard']);
    expect(domain.code).toBe('validate.anomaly.out_of_domain');
    expect(domain.description).toMatch(/^Column "payment_type" has 13 values not among its 5 allowed values: "(Pcard|Prcard)" \(\d+\), "(Pcard|Prcard)" \(\d+\)\.$/);
    expect(range.count).toBe(farRows.length);
    expect(range.params).toMatchObject({ below: 0, above: farRows.length, min: 0, max: Math.max(...train.map((r) => r.trip_miles)) });
    expect(range.examples.rows).toEqual(farRows.slice(0, 3));
    expect(range.examples.values).toEqual(farRows.slice(0, 3).map((i) => evalRows[i]!.trip_miles));
    expect(range.description).toContain('above the maximum');
    expect(missing.count).toBe(1200);
    expect(missing.description).toBe('Column "tips" is in the schema but not in the data.');

    const relaxed = acceptAnomalies(schema, anomalies);
    expect(validateBatches(evalBatches, relaxed).anomalies).toEqual([]);
    // accepting only relaxes: the training data still validates
    expect(validateBatches(makeBatches(toColumns(train, all), 4096), relaxed).anomalies).toEqual([]);
    const f = (s: Schema, n: string) => s.features.find((x) => x.name === n)!;
    expect(f(relaxed, 'payment_type').domain).toEqual({ kind: 'values', values: ['Cash', 'Credit Card', 'Dispute', 'No Charge', 'Pcard', 'Prcard', 'Unknown'] });
    expect(f(relaxed, 'trip_miles').domain).toEqual({ kind: 'range', min: 0, max: Math.max(...farRows.map((i) => evalRows[i]!.trip_miles)) });
    expect(f(relaxed, 'tips').presence).toEqual({ required: false, minFraction: 0 });
    // the statistics-only path finds the same three (range counted from the histogram)
    const fromStats = validateStats(stats, schema);
    expect(fromStats.map((a) => [a.column, a.kind, a.count])).toEqual([
      ['payment_type', 'out_of_domain', newValueRows.length],
      ['trip_miles', 'out_of_range', fromStats[1]!.count],
      ['tips', 'missing_column', 1200],
    ]);
    expect(fromStats[1]!.approximate).toBe(true);
    expect(fromStats[1]!.count).toBeGreaterThanOrEqual(1);
  });
});

describe('each anomaly kind', () => {
  const base = (): TestColumn[] => [
    { name: 'x', type: 'number', values: [1, 2, 3, 4, 5, 6] },
    { name: 'c', type: 'categorical', values: ['a', 'b', 'a', 'b', 'a', 'b'] },
  ];
  const schemaOf = (cols: TestColumn[]) => deepFreeze(inferSchema(computeStats(makeBatches(cols))));

  it('new column: reported, accepted as the feature inferred from the data', () => {
    const schema = schemaOf(base());
    const cols = [...base(), { name: 'extra', type: 'boolean' as const, values: [true, null, false, true, true, true] }];
    const batches = makeBatches(cols, 4);
    const [a, ...rest] = validateBatches(batches, schema).anomalies;
    expect(rest).toEqual([]);
    expect(a).toMatchObject({ column: 'extra', kind: 'new_column', count: 5, description: 'Column "extra" (boolean) is in the data but not in the schema.' });
    const relaxed = acceptAnomaly(schema, a!);
    expect(relaxed.features.map((f) => f.name)).toEqual(['x', 'c', 'extra']);
    expect(relaxed.features[2]!.presence).toEqual({ required: false, minFraction: 5 / 6 });
    expect(validateBatches(batches, relaxed).anomalies).toEqual([]);
  });

  it('type mismatch: reported once (other checks skipped), accepted as the data type', () => {
    const schema = schemaOf(base());
    const cols = base();
    cols[0] = { name: 'x', type: 'categorical', values: ['1', '2', '3', '4', '5', 'lots'] };
    const batches = makeBatches(cols, 5);
    const anomalies = validateBatches(batches, schema).anomalies;
    expect(anomalies).toHaveLength(1);
    expect(anomalies[0]).toMatchObject({ column: 'x', kind: 'type_mismatch', params: { expected: 'number', actual: 'categorical' }, description: 'Column "x" is categorical in the data but number in the schema.' });
    const relaxed = acceptAnomaly(schema, anomalies[0]!);
    expect(relaxed.features[0]).toMatchObject({ name: 'x', type: 'categorical', domain: { kind: 'values' } });
    expect(validateBatches(batches, relaxed).anomalies).toEqual([]);
  });

  it('integer data satisfies a number feature', () => {
    const schema = schemaOf(base());
    const cols = base();
    cols[0] = { ...cols[0]!, type: 'integer' };
    expect(validateBatches(makeBatches(cols), schema).anomalies).toEqual([]);
  });

  it('presence: a required column with missing values names the rows; accepting lowers the fraction', () => {
    const schema = schemaOf(base());
    const cols = base();
    cols[1] = { ...cols[1]!, values: ['a', null, 'a', null, null, 'b'] };
    const batches = makeBatches(cols, [1, 2]);
    const [a, ...rest] = validateBatches(batches, schema).anomalies;
    expect(rest).toEqual([]);
    expect(a).toMatchObject({
      column: 'c',
      kind: 'presence',
      code: 'validate.anomaly.presence.required',
      count: 3,
      examples: { rows: [1, 3, 4] },
      params: { required: true, observedFraction: 0.5, missing: 3, rows: 6 },
      description: 'Column "c" is required but misses a value in 3 of 6 rows.',
    });
    const relaxed = acceptAnomaly(schema, a!);
    expect(relaxed.features[1]!.presence).toEqual({ required: false, minFraction: 0.5 });
    expect(validateBatches(batches, relaxed).anomalies).toEqual([]);
    // a lower fraction than the relaxed one fires again, worded as a fraction
    const worse = makeBatches([cols[0]!, { ...cols[1]!, values: ['a', null, null, null, null, 'b'] }]);
    const [b] = validateBatches(worse, relaxed).anomalies;
    expect(b).toMatchObject({ kind: 'presence', code: 'validate.anomaly.presence.fraction', count: 4 });
    expect(b!.description).toBe('Column "c" has a value in 33.3% of rows (2 of 6); the schema expects at least 50%.');
  });

  it('range: below and above, datetimes, and NaN/Infinity are not range-checked', () => {
    const trainStats = computeStats(
      makeBatches([
        { name: 'x', type: 'number', values: [0, 10] },
        { name: 't', type: 'datetime', values: [0, 86_400_000] },
      ]),
    );
    // a date range only when the column is named explicitly
    const schema = deepFreeze(setRangesFromStats(inferSchema(trainStats), trainStats, ['x', 't']));
    const batches = makeBatches(
      [
        { name: 'x', type: 'number', values: [-1, 5, NaN, Infinity, 11, 12] },
        { name: 't', type: 'datetime', values: [0, 2 * 86_400_000, null, 5, 6, 7] },
      ],
      [2, 1],
    );
    const anomalies = validateBatches(batches, updateFeature(schema, 't', { presence: { required: false, minFraction: 0 } })).anomalies;
    expect(anomalies.map((a) => [a.column, a.kind, a.count, a.code])).toEqual([
      ['x', 'out_of_range', 3, 'validate.anomaly.out_of_range.both'],
      ['t', 'out_of_range', 1, 'validate.anomaly.out_of_range.above'],
    ]);
    expect(anomalies[0]!.examples).toEqual({ rows: [0, 4, 5], values: [-1, 11, 12] });
    expect(anomalies[0]!.description).toBe('Column "x" has values outside the range [0, 10]: 1 below the minimum (smallest -1) and 2 above the maximum (largest 12).');
    expect(anomalies[1]!.description).toBe('Column "t" has values outside the range [1970-01-01T00:00:00.000Z, 1970-01-02T00:00:00.000Z]: 1 above the maximum (largest 1970-01-03T00:00:00.000Z).');
  });

  it('values outside a text domain, listed and truncated; accepting a truncated list drops the domain', () => {
    const schema: Schema = deepFreeze({
      format: 'pipette-schema',
      version: 1,
      features: [{ name: 's', type: 'text', presence: { required: false, minFraction: 0 }, domain: { kind: 'values', values: ['ok'] }, driftThreshold: null, skewThreshold: null }],
    });
    const values = ['ok', 'n1', 'n2', 'ok', 'n3', 'n1', null, 'n4'];
    const batches = makeBatches([{ name: 's', type: 'text', values }], 3);
    const full = validateBatches(batches, schema).anomalies[0]!;
    expect(full).toMatchObject({ kind: 'out_of_domain', count: 5, examples: { rows: [1, 2, 4, 5, 7] }, params: { values: ['n1', 'n2', 'n3', 'n4'], truncated: false } });
    expect(acceptAnomaly(schema, full).features[0]!.domain).toEqual({ kind: 'values', values: ['n1', 'n2', 'n3', 'n4', 'ok'] });
    const cut = validateBatches(batches, schema, null, { maxListedValues: 2 }).anomalies[0]!;
    expect(cut).toMatchObject({ count: 5, params: { truncated: true } });
    const relaxed = acceptAnomaly(schema, cut);
    expect(relaxed.features[0]!.domain).toBeNull();
    expect(validateBatches(batches, relaxed).anomalies).toEqual([]);
  });

  it('an empty version: no rows is not a presence violation, but absent columns are missing', () => {
    const schema = schemaOf(base());
    expect(validateBatches([], schema, [{ name: 'x', type: 'number' }, { name: 'c', type: 'categorical' }]).anomalies).toEqual([]);
    expect(validateBatches([], schema).anomalies.map((a) => a.kind)).toEqual(['missing_column', 'missing_column']);
  });

  it('streams through the Validator class batch by batch', () => {
    const stats = computeStats(makeBatches(base()));
    const schema = setRangesFromStats(inferSchema(stats), stats);
    const v = new Validator(schema, [
      { name: 'x', type: 'number' },
      { name: 'c', type: 'categorical' },
    ]);
    for (const b of makeBatches([{ name: 'x', type: 'number', values: [1, 99] }, { name: 'c', type: 'categorical', values: ['a', 'zz'] }], 1)) v.add(b);
    const { anomalies } = v.finish();
    // in schema order: x, then c
    expect(anomalies.map((a) => [a.kind, a.examples.rows])).toEqual([
      ['out_of_range', [1]],
      ['out_of_domain', [1]],
    ]);
  });
});
