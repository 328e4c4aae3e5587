/**
 * Student architectures for distillation, made from the teacher: either the teacher's own layers made
 * narrower (every Dense's units and Conv2D's filters times a factor), or a plain MLP of the given hidden
 * sizes on the same input. Pure arithmetic, so the page can show the student's parameter count before
 * anything is trained.
 */
import { inferShapes, validateSpec, type HeadSpec, type InputSpec, type LayerSpec, type ModelSpec } from '../model/model-spec';
import { OptimizeError, optimizeErrorWhy } from './errors';

export type StudentChoice = { kind: 'narrower'; factor: number } | { kind: 'hidden'; sizes: number[] };

/** The teacher's layers with Dense units and Conv2D filters scaled by `factor` (at least 1 each). */
export function narrowerLayers(layers: readonly LayerSpec[], factor: number): LayerSpec[] {
  return layers.map((l) => {
    if (l.type === 'dense') return { ...l, units: Math.max(1, Math.round(l.units * factor)) };
    if (l.type === 'conv2d') return { ...l, filters: Math.max(1, Math.round(l.filters * factor)) };
    return { ...l };
  });
}

/** Dense ReLU layers of the given sizes after what the input needs to become a vector. */
export function mlpLayers(input: InputSpec, sizes: readonly number[]): LayerSpec[] {
  const prefix: LayerSpec[] =
    input.kind === 'image' ? [{ type: 'flatten' }] : input.kind === 'tokens' ? [{ type: 'embedding', outputDim: 16 }, { type: 'globalAveragePooling1d' }] : [];
  return [...prefix, ...sizes.map((units): LayerSpec => ({ type: 'dense', units, activation: 'relu' }))];
}

/** Parse "64, 32" into hidden sizes; null when it is not a list of positive whole numbers. */
export function parseHiddenSizes(text: string): number[] | null {
  const parts = text.split(/[\s,]+/).filter(Boolean);
  if (parts.length === 0 || parts.length > 8) return null;
  const sizes = parts.map(Number);
  return sizes.every((s) => Number.isInteger(s) && s >= 1 && s <= 4096) ? sizes : null;
}

/**
 * The student's spec. `teacher` is the teacher's spec (null when its bundle had none: only hidden sizes
 * work then). Throws OptimizeError 'bad-option' naming the field when the choice makes no valid model.
 */
export function studentSpec(teacher: ModelSpec | null, input: InputSpec, head: HeadSpec, choice: StudentChoice, seed = 7): ModelSpec {
  let layers: LayerSpec[];
  if (choice.kind === 'narrower') {
    if (!(choice.factor > 0 && choice.factor <= 1)) {
      throw new OptimizeError('bad-option', { field: 'factor', params: { value: String(choice.factor) } }, `The width factor must be above 0 and at most 1, got ${choice.factor}`);
    }
    if (!teacher) throw optimizeErrorWhy('bad-option', 'no-teacher-spec', { field: 'student' }, 'The teacher has no layer description (it was imported without one): give hidden sizes instead');
    layers = narrowerLayers(teacher.layers, choice.factor);
  } else {
    if (!choice.sizes.length || !choice.sizes.every((s) => Number.isInteger(s) && s >= 1)) {
      throw new OptimizeError('bad-option', { field: 'hidden', params: { value: choice.sizes.join(', ') } }, `Hidden sizes must be positive whole numbers, got "${choice.sizes.join(', ')}"`);
    }
    layers = mlpLayers(input, choice.sizes);
  }
  const spec: ModelSpec = { version: 1, input, layers, head, seed };
  const issues = validateSpec(spec);
  if (issues.length) throw optimizeErrorWhy('bad-option', 'invalid-student', { field: 'student', issues }, `The student is not a valid model: ${issues.map((i) => i.message).join('; ')}`);
  return spec;
}

/** Parameters of a spec (0 when it is invalid). */
export function specParams(spec: ModelSpec): number {
  return inferShapes(spec).totalParams;
}
