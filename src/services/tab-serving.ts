/**
 * The tab's TF Serving routes, answered in the training worker (issue 15): a request the service worker
 * passed on through an app window is answered by core/serving's handler over the project's registry
 * (servedNames: a name's versions and its aliases as labels), each version a Layers servable loaded once
 * and kept. A request that ran a model on raw rows is logged to servingRequests, one record per example,
 * as the predict panel logs its rows, so the Validate stage's skew check and the drift trigger see it.
 */
import { ServedModels } from '../core/serving/models';
import { handle } from '../core/serving/handler';
import { answeredClasses, loggedRows, recordingRun } from '../core/serving/request-log';
import { errorResponse } from '../core/serving/response';
import { parseRoute } from '../core/serving/route';
import { layersServable } from '../core/serving/tfjs-model';
import type { ServableModel, Tensor } from '../core/serving/types';
import type { TF } from '../core/model/model-spec';
import type { TabServeRequest, TabServeResult } from '../protocol/tab-serving';
import type { PipetteDB } from '../store/db';
import type { ServingRequestRecord } from '../store/validation-records';
import { listAliases, listModels } from './registry';
import type { ModelService } from './registry-model';
import { Recent } from './recent';
import { servedNames } from './served-list';

/** The rows of a raw-rows request as the request log keeps them (NaN and null are missing values). */
export function rawRows(inputs: Record<string, Tensor>): ServingRequestRecord['features'][] {
  // a raw-rows model's inputs are one scalar per example, so each cell is one value
  return loggedRows(inputs) as ServingRequestRecord['features'][];
}

export class TabServing {
  readonly #tf: TF;
  readonly #db: PipetteDB;
  readonly #models: ModelService;
  /** Loaded versions by model id, most recently used last. */
  readonly #servables: Recent<ServableModel>;

  constructor(deps: { tf: TF; db: PipetteDB; models: ModelService }, keep = 8) {
    this.#tf = deps.tf;
    this.#db = deps.db;
    this.#models = deps.models;
    this.#servables = new Recent(keep, (m) => m.dispose?.());
  }

  /** The versions and labels of the name a request names (none when its route does not read). */
  async #servedFor(req: TabServeRequest): Promise<{ served: ServedModels; ids: Map<string, string> }> {
    const served = new ServedModels();
    const ids = new Map<string, string>();
    let name: string;
    try {
      name = parseRoute(req.method, req.path).name;
    } catch {
      return { served, ids };
    }
    const [models, aliases] = await Promise.all([listModels(this.#db, req.projectId), listAliases(this.#db, req.projectId)]);
    const entry = servedNames(models, aliases).find((n) => n.name === name);
    for (const v of entry?.versions ?? []) {
      const servable = await this.#servables.get(v.modelId, async () => {
        const { model, metadata } = await this.#models.load(v.modelId);
        return layersServable(this.#tf, model, metadata);
      });
      served.setVersion(name, v.version, servable);
      ids.set(`${name}/${v.version}`, v.modelId);
    }
    for (const [label, version] of Object.entries(entry?.labels ?? {})) served.setLabel(name, label, version);
    return { served, ids };
  }

  /** Answer one request with the project's models; never throws (a fault is the handler's 500). */
  async serve(req: TabServeRequest): Promise<TabServeResult> {
    // what the model was run on (once per predict, classify or regress request)
    const { run, runs } = recordingRun((resolved, inputs) => resolved.model.predict(inputs));
    let served: ServedModels;
    let ids: Map<string, string>;
    try {
      ({ served, ids } = await this.#servedFor(req));
    } catch (e) {
      // a version that would not load: a 500 with its reason, as the handler answers a fault
      return { status: 500, body: errorResponse(e instanceof Error ? e.message : String(e)), code: 'internal' };
    }
    const response = await handle(req, served, { run });
    const done = runs[0];
    if (response.status === 200 && done && done.resolved.model.inputKind === 'raw_rows') {
      const modelId = ids.get(`${done.resolved.name}/${done.resolved.version}`)!;
      const at = Date.now();
      await this.#db.servingRequests.bulkAdd(rawRows(done.inputs).map((features) => ({ projectId: req.projectId, modelId, at, features })));
    }
    return { status: response.status, body: response.body, model: response.model, version: response.version, api: response.api, code: response.code, classes: answeredClasses(response.status, done) };
  }
}
