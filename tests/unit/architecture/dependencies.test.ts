/**
 * The layer rules of docs/ARCHITECTURE.md, read off the import graph of src/ and workers/ so that they are
 * enforced, not described:
 * 1. src/core imports nothing from protocol, store, services, app or ui (it runs in workers and Node).
 * 2. Page code (src/main.ts, src/app, src/ui) never pulls TF.js or Arrow in at run time, directly or
 *    through any chain of runtime imports (type-only imports are erased and do not count).
 * 3. Components (src/ui/**\/*.svelte) do not import store or services; the state classes do. Components
 *    that still do are listed below; the list may only shrink.
 * 4. Packages that run only when a person asks (the `yaml` serializer of the pipeline export) are imported
 *    dynamically, never statically, so they get a chunk of their own and stay out of the main bundle.
 * 5. src/cli (the command-line runner, Node only) imports from src/ only core and itself: never protocol,
 *    store, services, app or ui (type-only imports included: it is built on its own for Node).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');

interface Edge {
  /** The specifier as written (bare package names stay as they are). */
  spec: string;
  /** The resolved file, relative to the root, for relative specifiers. */
  file?: string;
  /** Erased by TypeScript: `import type`, `export type`, or only `type` names in the braces. */
  typeOnly: boolean;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|svelte)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveFile(from: string, spec: string): string | undefined {
  const base = resolve(dirname(from), spec.replace(/\?.*$/, ''));
  for (const candidate of [base, `${base}.ts`, `${base}.svelte.ts`, join(base, 'index.ts')]) {
    try {
      if (statSync(candidate).isFile()) return relative(root, candidate);
    } catch {
      /* try the next */
    }
  }
  return undefined;
}

const STATIC = /(?:^|\n)\s*(import|export)\s+(type\s+)?([^'";]*?)\s*from\s*['"]([^'"]+)['"]/g;
const BARE = /(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
const DYNAMIC = /import\(\s*['"]([^'"]+)['"]\s*\)/g;

function importsOf(path: string, dynamic = true): Edge[] {
  const text = readFileSync(path, 'utf8');
  const edges: Edge[] = [];
  const add = (spec: string, typeOnly: boolean) => edges.push({ spec, typeOnly, file: spec.startsWith('.') ? resolveFile(path, spec) : undefined });
  for (const m of text.matchAll(STATIC)) {
    const clause = m[3]!;
    const names = /^\{([^}]*)\}$/.exec(clause.trim())?.[1];
    const onlyTypes = names !== undefined && names.split(',').map((n) => n.trim()).filter(Boolean).every((n) => n.startsWith('type '));
    add(m[4]!, m[2] !== undefined || onlyTypes);
  }
  for (const m of text.matchAll(BARE)) add(m[1]!, false);
  if (dynamic) for (const m of text.matchAll(DYNAMIC)) add(m[1]!, false);
  return edges;
}

const files = [...sourceFiles(join(root, 'src')), ...sourceFiles(join(root, 'workers'))];
const graph = new Map(files.map((f) => [relative(root, f), importsOf(f)]));
/** The same graph without dynamic import() edges: what lands in a file's own chunk. */
const staticGraph = new Map(files.map((f) => [relative(root, f), importsOf(f, false)]));

/** Packages imported only with import(): the page loads them when a person asks for what they do. */
const ON_DEMAND_PACKAGES = ['yaml'];

/** The packages and files a file reaches through runtime imports (a `?worker&url` import is a URL, not code). */
function runtimeReach(start: string): { packages: Set<string>; via: Map<string, string> } {
  const packages = new Set<string>();
  const via = new Map<string, string>([[start, '']]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift()!;
    for (const e of graph.get(file) ?? []) {
      if (e.typeOnly || e.spec.includes('?worker')) continue;
      if (!e.spec.startsWith('.')) {
        packages.add(e.spec);
        if (!via.has(e.spec)) via.set(e.spec, file);
      } else if (e.file && !via.has(e.file)) {
        via.set(e.file, file);
        queue.push(e.file);
      }
    }
  }
  return { packages, via };
}

function chain(via: Map<string, string>, end: string): string {
  const path = [end];
  for (let at = via.get(end); at; at = via.get(at)) path.unshift(at);
  return path.join(' -> ');
}

/** Rule 1's violations in a graph. */
function coreViolations(g: Map<string, Edge[]> = graph): string[] {
  const out: string[] = [];
  for (const [file, edges] of g) {
    if (!file.startsWith('src/core/')) continue;
    for (const e of edges) if (e.file && /^src\/(protocol|store|services|app|ui)\//.test(e.file)) out.push(`${file} imports ${e.file}`);
  }
  return out;
}

/** Rule 5's violations: a src/cli file importing a src/ file outside core and cli. */
function cliViolations(g: Map<string, Edge[]> = graph): string[] {
  const out: string[] = [];
  for (const [file, edges] of g) {
    if (!file.startsWith('src/cli/')) continue;
    for (const e of edges) if (e.file?.startsWith('src/') && !/^src\/(core|cli)\//.test(e.file)) out.push(`${file} imports ${e.file}`);
  }
  return out;
}

/** Files that import an on-demand package statically (rule 4). */
function staticOnDemandImports(g: Map<string, Edge[]> = staticGraph): string[] {
  return [...g].flatMap(([file, edges]) => edges.filter((e) => !e.typeOnly && ON_DEMAND_PACKAGES.includes(e.spec)).map((e) => `${file} imports ${e.spec}`));
}

/** Components that import the store or services at run time (state classes own those calls). */
function componentsUsingStoreOrServices(g = graph): string[] {
  return [...g]
    .filter(([file, edges]) => file.startsWith('src/ui/') && file.endsWith('.svelte') && edges.some((e) => !e.typeOnly && e.file && /^src\/(store|services)\//.test(e.file)))
    .map(([file]) => file)
    .sort();
}

describe('layer rules', () => {
  it('reads the import graph (a sanity check of the parser)', () => {
    const edges = graph.get('src/core/table/view.ts')!;
    expect(edges).toContainEqual({ spec: 'apache-arrow', typeOnly: true, file: undefined });
    expect(edges).toContainEqual({ spec: '../data/types', typeOnly: true, file: 'src/core/data/types.ts' });
    expect(graph.get('workers/train.worker.ts')!.some((e) => e.spec === '@tensorflow/tfjs' && !e.typeOnly)).toBe(true);
  });

  it('src/core imports nothing from protocol, store, services, app or ui', () => {
    expect(coreViolations()).toEqual([]);
    // A planted violation is caught.
    const planted = new Map(graph);
    planted.set('src/core/label/planted.ts', [{ spec: '../../store/db', file: 'src/store/db.ts', typeOnly: false }]);
    expect(coreViolations(planted)).toEqual(['src/core/label/planted.ts imports src/store/db.ts']);
  });

  it('page code never pulls TF.js or Arrow in at run time', () => {
    const page = [...graph.keys()].filter((f) => f === 'src/main.ts' || f.startsWith('src/app/') || f.startsWith('src/ui/'));
    expect(page.length).toBeGreaterThan(50);
    const leaks: string[] = [];
    for (const file of page) {
      const { packages, via } = runtimeReach(file);
      for (const p of packages) if (/^@tensorflow\/|^apache-arrow/.test(p)) leaks.push(chain(via, p));
    }
    expect(leaks).toEqual([]);
    // The training worker does reach TF.js the same way, so the walk is able to find it.
    expect(runtimeReach('workers/train.worker.ts').packages.has('@tensorflow/tfjs')).toBe(true);
  });

  it('components render: none imports the store or services at run time (state classes act)', () => {
    expect(componentsUsingStoreOrServices()).toEqual([]);
    // A planted violation is caught; a type-only import is allowed.
    const planted = new Map(graph);
    planted.set('src/ui/data/Planted.svelte', [{ spec: '../../services/table', file: 'src/services/table.ts', typeOnly: false }]);
    planted.set('src/ui/data/Typed.svelte', [{ spec: '../../store/db', file: 'src/store/db.ts', typeOnly: true }]);
    expect(componentsUsingStoreOrServices(planted)).toEqual(['src/ui/data/Planted.svelte']);
  });

  it('src/cli imports only core (and itself) from src/', () => {
    expect(cliViolations()).toEqual([]);
    // the runner is there and does import core
    expect(graph.get('src/cli/main.ts')!.some((e) => e.file === 'src/core/pipeline/runner.ts')).toBe(true);
    // Planted violations are caught, a type-only one too.
    const planted = new Map(graph);
    planted.set('src/cli/planted.ts', [
      { spec: '../services/validate', file: 'src/services/validate.ts', typeOnly: false },
      { spec: '../app/format', file: 'src/app/format.ts', typeOnly: true },
      { spec: '../core/pipeline/spec', file: 'src/core/pipeline/spec.ts', typeOnly: false },
    ]);
    expect(cliViolations(planted)).toEqual(['src/cli/planted.ts imports src/services/validate.ts', 'src/cli/planted.ts imports src/app/format.ts']);
  });

  it('on-demand packages (yaml) are imported only with import(), never statically', () => {
    expect(staticOnDemandImports()).toEqual([]);
    // the pipeline export does load yaml, dynamically
    expect(graph.get('src/core/pipeline/export/kfp.ts')!.some((e) => e.spec === 'yaml')).toBe(true);
    // A planted static import is caught.
    const planted = new Map(staticGraph);
    planted.set('src/core/pipeline/export/planted.ts', [{ spec: 'yaml', typeOnly: false }]);
    expect(staticOnDemandImports(planted)).toEqual(['src/core/pipeline/export/planted.ts imports yaml']);
  });
});
