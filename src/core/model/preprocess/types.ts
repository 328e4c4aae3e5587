/** What fitPreprocess is asked for, and the plain-JSON statistics it learns (saved with runs and bundles). */
import type { ColumnType } from '../../data/types';
import type { InputSpec } from '../model-spec';

export type FeatureEncoding = 'standardize' | 'boolean' | 'onehot' | 'bagOfWords' | 'tokens' | 'image';

export interface FeatureChoice {
  column: string;
  /** Default: by column type (numbers standardize, booleans 0/1, categories one-hot, text bag of words, images pixels). */
  encoding?: FeatureEncoding;
}

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
  /** The column's type in the dataset the stats were fitted on. */
  sourceType: ColumnType;
  /** Where this feature's slots start in the vector, and how many it takes. */
  offset: number;
  slots: number;
  /** Missing values in the training rows (imputed as documented per encoding). */
  missingInTrain: number;
}

export type FeatureStats =
  | (FeatureBase & { encoding: 'standardize'; mean: number; std: number })
  | (FeatureBase & { encoding: 'boolean'; mean: number })
  | (FeatureBase & { encoding: 'onehot'; categories: string[] })
  | (FeatureBase & { encoding: 'bagOfWords'; vocabulary: string[] })
  | (FeatureBase & { encoding: 'tokens'; vocabulary: string[]; length: number })
  | (FeatureBase & { encoding: 'image'; height: number; width: number; channels: 1 | 3 });

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
