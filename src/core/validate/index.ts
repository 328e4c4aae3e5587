/** Data validation (issue 4): statistics, schema, anomalies, drift and skew. Pure: no DOM, no IndexedDB. */
export * from './stats';
export * from './schema';
export * from './anomalies';
export * from './drift';
export { HyperLogLog, KllSketch, ValueCounter, valueKey, MAX_KEY_LENGTH } from './sketches';
