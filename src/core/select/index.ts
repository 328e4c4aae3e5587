/**
 * Feature selection, pure TypeScript: scikit-learn's filter, wrapper and embedded methods over a numeric
 * design matrix, and the comparison table. Start with `prepareSelection(data)` (checks the input once),
 * then call any method on the result:
 *  - filters (filters.ts, redundancy.ts, mutual-info.ts): varianceThreshold, rRegression, fRegression,
 *    fClassif, chi2, mutualInfoClassif, mutualInfoRegression, dropCorrelated; pick with selectKBest;
 *  - wrappers (wrappers.ts): rfe, sequentialForward;
 *  - embedded (embedded.ts): l1Selection, permutationSelection;
 *  - compareSubsets and scoreByFeatureCount (compare.ts).
 * Feature indices everywhere are positions in `prepared.features` (a source column and its matrix columns).
 */
export { prepareSelection, type FeatureGroup, type Matrix, type PreparedSelection, type SelectionData, type SelectTarget, type Task } from './data';
export { SelectError, type SelectErrorCode, type SelectErrorDetails, type SelectField, type SerializedSelectError } from './errors';
export { chi2, fClassif, fRegression, rankByScore, rRegression, selectKBest, varianceThreshold, type FilterMethod, type FilterScores, type VarianceResult } from './filters';
export { dropCorrelated, type CorrelationResult, type RedundantFeature } from './redundancy';
export { mutualInfoClassif, mutualInfoRegression, type MutualInfoOptions } from './mutual-info';
export { fitModel, predictModel, type LinearModel, type ModelOptions } from './linear';
export { defaultMetric, metricFor, type ClassificationScores, type RegressionScores, type SelectMetric, type SubsetScores } from './scores';
export { rfe, sequentialForward, type CountScore, type RfeResult, type SequentialResult, type WrapperOptions } from './wrappers';
export { l1Selection, permutationSelection, type L1Options, type L1PathStep, type L1Result, type PermutationSelectionOptions, type PermutationSelectionResult } from './embedded';
export { compareSubsets, scoreByFeatureCount, type CompareOptions, type ComparisonRow, type NamedSubset } from './compare';
export { MAX_SELECT_ROWS, sampleParts, sampleRows } from './sample';
export type { LongWork } from './work';
