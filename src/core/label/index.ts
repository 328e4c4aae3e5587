/**
 * Weak supervision core (issue 5): labeling functions and their sandboxed runner, Snorkel's LF summary,
 * majority vote and the Dawid-Skene label model, agreement between labelers, uncertainty sampling, and the
 * spam demo's functions. Pure TypeScript; the page should import only types from here and run the rest in
 * a worker (the runner itself starts workers/lf.worker.ts through the factory it is given).
 */
export {
  ABSTAIN,
  applyNoCode,
  applyNoCodeLf,
  compileMatcher,
  emptyLabelMatrix,
  keywordMatcher,
  lfColumn,
  setLfColumn,
  validateLf,
  type Cell,
  type CodeLf,
  type ColumnValues,
  type Columns,
  type CompareOp,
  type KeywordLf,
  type LabelMatrix,
  type LfSpec,
  type Matcher,
  type NoCodeLf,
  type RegexLf,
  type ThresholdLf,
} from './lf';
export { applyLabelingFunctions, LfRunner, type LfReport, type LfRunnerOptions, type LfStatus, type WorkerLike } from './runner';
export { LabelError, lfSpecError, type LabelErrorCode, type LabelErrorDetails } from './errors';
export { lfSummary, type LfStats, type LfSummary } from './analysis';
export { fitLabelModel, majorityVote, predictLabels, type LabelModelOptions, type LabelModelResult, type TieBreak } from './label-model';
export { breakAbstains, goldClassReader, scoreLabels, type LabelScore } from './score';
export { cohenKappa, fleissKappa, type CohenResult } from './agreement';
export { uncertainty, uncertaintyOrder, type UncertaintyStrategy } from './active';
export { HAM, SPAM, SPAM_CLASSES, SPAM_COLUMNS, SPAM_LFS } from './spam-lfs';
