/** What fitPreprocess is asked for, and the plain-JSON statistics it learns (saved with runs and bundles). */
import type { ColumnType } from '../../data/types';
import type { FittedTransform } from '../../transform/fitted';
import type { InputSpec } from '../model-spec';

/** How one raw column becomes model input. */
export type ColumnEncoding = 'standardize' | 'boolean' | 'onehot' | 'bagOfWords' | 'tokens' | 'image';
/** A column's encoding, or 'transform': every feature comes from a fitted transform (the Transform stage). */
export type FeatureEncoding = ColumnEncoding | 'transform';

/** The transform version a model reads its features from (its record in the store's transforms). */
export interface TransformRef {
  id: string;
  name: string;
  version: number;
}

export type FeatureChoice =
  | {
      column: string;
      /** Default: by column type (numbers standardize, booleans 0/1, categories one-hot, text bag of words, images pixels). */
      encoding?: ColumnEncoding;
    }
  /**
   * The outputs of a fitted transform as the features (it must be the only choice): the transform reads
   * the raw columns it names, so training, evaluation and serving apply the same fixed function. `column`
   * names it for people ("penguins-prep v1"). `outputs`: train on these output steps only (their slots in
   * the fitted layout's order); absent, on every output.
   */
  | { column: string; encoding: 'transform'; transform: TransformRef; fitted: FittedTransform; outputs?: readonly string[] };

export type Task = 'classification' | 'regression';

export interface PreprocessOptions {
  features: readonly (string | FeatureChoice)[];
  label: string;
  task: Task;
  /**
   * The label's statistics when the targets come from elsewhere (a label set's probabilities): the label
   * column is then not read here; `label` is still refused as a feature.
   */
  labelStats?: LabelStats;
  /** Most one-hot slots per categorical column; rarer values share the unknown slot (default 100). */
  maxCategories?: number;
  text?: {
    /** How a text column is encoded by default (default 'bagOfWords'). */
    mode?: 'bagOfWords' | 'tokens';
    /** Most vocabulary words, by how many training texts contain them (default 1000). */
    maxVocabulary?: number;
    /** Token sequence length (default: the 95th percentile of training texts, at most 256). */
    sequenceLength?: number;
  };
  image?: {
    /** 1 = grayscale, 3 = RGB (default: 1 if the first training image is gray, else 3). */
    channels?: 1 | 3;
  };
}

interface FeatureBase {
  column: string;
  /** Where this feature's slots start in the vector, and how many it takes. */
  offset: number;
  slots: number;
  /** Missing values in the training rows (imputed as documented per encoding; a transform's steps say how they treat them). */
  missingInTrain: number;
}

interface ColumnBase extends FeatureBase {
  /** The column's type in the dataset the stats were fitted on. */
  sourceType: ColumnType;
}

export type FeatureStats =
  | (ColumnBase & { encoding: 'standardize'; mean: number; std: number })
  | (ColumnBase & { encoding: 'boolean'; mean: number })
  | (ColumnBase & { encoding: 'onehot'; categories: string[] })
  | (ColumnBase & { encoding: 'bagOfWords'; vocabulary: string[] })
  | (ColumnBase & { encoding: 'tokens'; vocabulary: string[]; length: number })
  | (ColumnBase & { encoding: 'image'; height: number; width: number; channels: 1 | 3 })
  /**
   * A transform's outputs, slots laid out as fitted.features says (slot names from its slotNames); it
   * reads the raw columns fitted.columns lists. missingInTrain counts training rows with a missing input.
   * A model on some of the outputs keeps the transform with only those steps marked as outputs
   * (withOutputs), so the app, transform.json and reader.js all give exactly the model's input.
   */
  | (FeatureBase & { encoding: 'transform'; transform: TransformRef; fitted: FittedTransform });

/** A feature read from one raw column (every encoding but 'transform'). */
export type ColumnFeatureStats = Exclude<FeatureStats, { encoding: 'transform' }>;
/** A model's features from a transform. */
export type TransformFeatureStats = Extract<FeatureStats, { encoding: 'transform' }>;

export type LabelStats =
  | { column: string; sourceType: ColumnType; task: 'classification'; classes: string[]; counts: number[] }
  /** The model learns (y - mean) / std; decodeRegression undoes it. */
  | { column: string; sourceType: ColumnType; task: 'regression'; mean: number; std: number };

export interface PreprocessStats {
  version: 1;
  features: FeatureStats[];
  label: LabelStats;
  /** The model input these features make. */
  input: InputSpec;
  /** A name per vector slot for tabular inputs ("island=Biscoe", "words:price"), else empty. */
  slotNames: string[];
  trainRows: number;
  /** Things worth telling the person that did not stop the fit (constant columns, capped categories). */
  warnings: string[];
}
