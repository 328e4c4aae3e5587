/**
 * Why a project file is refused. Each code names the place: the zip entry, the table, the record (its
 * position in its entry) and the field, so the page can say exactly what is wrong in the person's
 * language. Nothing of a refused file stays in the database (services/project-file-import.ts).
 */
import { CodedError, type SerializedCodedError } from '../errors';

export type ProjectFileErrorCode =
  | 'not-project-file' // not a zip at all (no zip signature)
  | 'truncated' // the file ends early: no zip directory, or params.entry reaches past the end
  | 'foreign' // a zip, but no Pipette manifest (params.why: 'no-manifest' | 'format' | 'bad-manifest')
  | 'newer-format' // params.version: made by a newer Pipette than this one reads (params.supported)
  | 'missing-entry' // params.entry: listed in the manifest, absent from the zip
  | 'checksum' // params.entry (of params.table): its SHA-256 differs from the manifest's
  | 'bad-entry' // params.entry (of params.table): not the JSON records it should be
  | 'unknown-table' // params.table: a table this version of Pipette does not have
  | 'bad-record' // params.table, params.entry, params.record (1-based), params.field: a record that does not belong
  | 'count-mismatch' // params.table, params.expected, params.actual: records read differ from the manifest's count
  | 'bad-compression'; // params.entry: compressed with a method other than stored or deflate

export interface ProjectFileErrorDetails {
  params?: Record<string, string | number>;
}

export class ProjectFileError extends CodedError<'ProjectFileError', ProjectFileErrorCode, ProjectFileErrorDetails> {
  constructor(code: ProjectFileErrorCode, details: ProjectFileErrorDetails, message: string) {
    super('ProjectFileError', code, details, message);
  }
}

export type SerializedProjectFileError = SerializedCodedError<'ProjectFileError', ProjectFileErrorCode, ProjectFileErrorDetails>;
