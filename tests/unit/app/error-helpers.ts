/** Helpers of the tests that read errors as a person sees them. */

/**
 * English sentences: three or more Latin words in a row (outside {placeholders}). Single names stay: file
 * names (model.json), layer types (Dense), terms Taiwan keeps in English (epoch), a run's own name.
 */
export function englishWords(text: string): string[] {
  return text.replace(/\{\w+\}/g, '').match(/[A-Za-z]+(?:[ ,'-]+[A-Za-z]+){2,}/g) ?? [];
}

/** What `f` throws; a test fails when it throws nothing. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('did not throw');
}
