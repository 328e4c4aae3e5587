/**
 * The exported pipeline.py and module.py are Python: the bundled Lezer grammar parses them without an error
 * node (always), and CPython compiles them where python3 exists. Nothing here runs TFX (it is not
 * installable here): the README says the export was parsed and compiled, not run.
 */
import { describe, expect, it } from 'vitest';
import { toTfxPipeline } from '../../../src/core/pipeline/export/tfx-pipeline';
import { DEMO_CONTEXT, demoPipeline, richPipeline } from './fixture';
import { hasPython, pyCompile, syntaxErrors } from './python-syntax';

const demo = toTfxPipeline(demoPipeline(), DEMO_CONTEXT);
const exported = toTfxPipeline(richPipeline(), DEMO_CONTEXT);

describe('the TFX export is Python', () => {
  it('pipeline.py and module.py of the demo and the richer pipeline parse with the Python grammar', () => {
    for (const out of [demo, exported]) {
      expect(syntaxErrors(out['pipeline.py'])).toEqual([]);
      expect(syntaxErrors(out['module.py'])).toEqual([]);
      expect(out['module.py']).toContain('def preprocessing_fn(inputs):');
      expect(out['module.py']).toContain('def run_fn(fn_args):');
    }
  });

  it('the grammar check fails on a broken file (one parenthesis left open)', () => {
    const broken = exported['module.py'].replace('tft.scale_to_0_1(values["Beak Depth (mm)"])', 'tft.scale_to_0_1(values["Beak Depth (mm)"]');
    expect(broken).not.toBe(exported['module.py']);
    expect(syntaxErrors(broken).length).toBeGreaterThan(0);
  });

  // CI may lack Python: this check runs only where python3 is on PATH. The grammar check above always runs.
  it.skipIf(!hasPython())('python3 -m py_compile compiles both files', () => {
    for (const out of [demo, exported]) {
      const ok = pyCompile({ 'pipeline.py': out['pipeline.py'], 'module.py': out['module.py'] });
      expect(ok.stderr).toBe('');
      expect(ok.status).toBe(0);
    }
    const broken = pyCompile({ 'module.py': exported['module.py'].replace('def run_fn(fn_args):', 'def run_fn(fn_args)') });
    expect(broken.status).not.toBe(0);
  });
});
