/**
 * Errors of a pipeline document and its wiring: JSON that is not a pipeline, a field of the wrong shape
 * (named by its path, e.g. components[2].inputs.schema), and a DAG that cannot run (an unknown type or
 * port, a kind mismatch, a missing input, a cycle, invalid settings). Each names the component and the
 * port or field (details), so the page says it in the person's language; the English message is for logs.
 */
import { CodedError, type SerializedCodedError } from '../errors';

export type PipelineErrorCode =
  | 'bad-json' // the text is not JSON (params.detail: the parser's words)
  | 'bad-format' // not a pipette-pipeline document (params.format: what it says it is)
  | 'bad-version' // a version this Pipette cannot read (params.version, params.supported)
  | 'bad-field' // a field of the document of the wrong shape (details.field: its path; params.expected)
  | 'missing-field' // a required field of the document is not there (details.field)
  | 'unknown-field' // a field the document or a component does not have (details.field)
  | 'missing-setting' // details.component lacks the required setting details.field
  | 'unknown-setting' // details.component's settings have no field details.field
  | 'no-components' // a pipeline without components
  | 'unknown-type' // details.component is of a type Pipette does not have (params.type)
  | 'duplicate-id' // two components share details.component as their id
  | 'unknown-port' // details.component's type has no input port details.port
  | 'unknown-source' // details.port reads from params.from, which is no component of the pipeline
  | 'unknown-output' // details.port reads params.from's port params.output, which that type does not give
  | 'kind-mismatch' // details.port expects params.expected but params.from.params.output gives params.actual
  | 'missing-input' // details.component's required input details.port is not wired (params.kind)
  | 'unknown-after' // details.component runs after params.after, which is no component of the pipeline
  | 'cycle' // the components params.components (joined by ' → ', the first again at the end) depend on each other
  | 'bad-settings' // details.component's setting details.field (a path under settings) is not params.expected
  | 'bad-tune' // details.component's (a Tuner's) search space or search settings (details.field: 'space' or 'search') have a Tune stage problem: params.tuneCode is the TuneError's code, params.param its hyperparameter, params.tuneField its setting, the rest its params
  // while running
  | 'not-runnable' // no executor runs details.component's type params.type here (the tab's host without a training worker)
  | 'no-best-trial' // details.component (a Tuner) finished its search (params.searchId) without a trial that has an objective value (params.trials trials)
  | 'anomalies' // details.component (an ExampleValidator) found params.count anomalies (params.columns) and acceptAnomalies is off
  | 'no-dataset' // details.component (an ExampleGen) names params.dataset, which is no dataset of the project
  | 'ambiguous-dataset' // details.component names the dataset params.dataset, and params.count datasets have that name
  | 'no-version' // details.component asks for version params.version of params.dataset, which has no such ready version
  | 'no-schema' // details.component (an ImportSchemaGen) names schema version params.id, which is not in the project
  | 'bad-schema' // details.component's schema is not a schema: details.field is the first wrong field (params.count problems)
  // making a pipeline from a model's lineage (from-lineage.ts); params.model names the model version
  | 'lineage-no-model' // no model version params.id in the project
  | 'lineage-imported' // the model was imported, not trained here
  | 'lineage-optimized' // an optimizer made the model from another version (make the pipeline from that one)
  | 'lineage-run-missing' // the model's training run params.id is gone
  | 'lineage-version-missing' // the run's dataset version params.version is gone
  | 'lineage-transform-missing' // the run's transform version params.id is gone
  | 'lineage-fine-tuned' // the run trained further from another model version (a Trainer starts from new weights)
  | 'lineage-label-set'; // the run learned from a label set (a Trainer reads a label column)

/** What a field should have been (params.expected of bad-field and bad-settings); the page words each. */
export type Expected =
  | 'object'
  | 'text' // non-empty text
  | 'number' // a finite number
  | 'boolean'
  | 'list'
  | 'identifier' // letters, digits and _, not starting with a digit
  | 'choice' // one of params.choices
  | 'at-least' // a number >= params.min
  | 'above' // a number > params.min
  | 'between' // a number in [params.min, params.max]
  | 'above-at-most' // a number in (params.min, params.max]
  | 'whole' // a whole number in [params.min, params.max]
  | 'whole-at-least' // a whole number >= params.min
  | 'alias' // a registry alias name
  | 'one-of-fields' // exactly one of the fields params.choices
  | 'fractions'; // train, validation and test fractions in [0, 1] that add up to 1

export interface PipelineErrorDetails {
  /** The component's id. */
  component?: string;
  /** The input port it is about. */
  port?: string;
  /** A field's path: in the document (bad-field, unknown-field) or under the component's settings (bad-settings). */
  field?: string;
  params?: Record<string, string | number>;
}

export class PipelineError extends CodedError<'PipelineError', PipelineErrorCode, PipelineErrorDetails> {
  constructor(code: PipelineErrorCode, details: PipelineErrorDetails, message: string) {
    super('PipelineError', code, details, message);
  }
}

export type SerializedPipelineError = SerializedCodedError<'PipelineError', PipelineErrorCode, PipelineErrorDetails>;
