/** The settings types and rules agree with the stages they come from. */
import { describe, expect, it } from 'vitest';
import { ALIAS_PATTERN } from '../../../src/core/pipeline/settings';
import type { TrainHyperparameters } from '../../../src/core/pipeline/spec';
import { isValidAlias, SUGGESTED_ALIASES } from '../../../src/services/registry';
import type { Hyperparameters } from '../../../src/store/training-records';

// the Trainer's hyperparameters are exactly the Train stage's (a compile-time check: typecheck fails otherwise)
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const sameHyper: Same<TrainHyperparameters, Hyperparameters> = true;

describe('settings rules', () => {
  it("a Pusher's alias follows the registry's rule for alias names", () => {
    expect(sameHyper).toBe(true);
    const samples = [...SUGGESTED_ALIASES, 'canary-2', 'v1.2_b', 'Production', '-prod', '', 'a'.repeat(40), 'a'.repeat(41), 'prod uction', 'prod/2'];
    expect(samples.map((s) => ALIAS_PATTERN.test(s))).toEqual(samples.map(isValidAlias));
    // and the samples hold both answers
    expect(new Set(samples.map(isValidAlias))).toEqual(new Set([true, false]));
  });
});
