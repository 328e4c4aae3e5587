/**
 * The SIMD kernels' committed build (src/core/train/simd/kernels-wasm.ts) is the one kernels.wat
 * compiles to: edit the .wat, run `npm run build:wasm`, commit both. What the kernels compute is tested
 * against the cpu backend in wasm-kernels.test.ts.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { kernelsWasmSource } from '../../../scripts/wasm-source.mjs';

it('kernels-wasm.ts is kernels.wat compiled (npm run build:wasm)', async () => {
  const dir = join(process.cwd(), 'src/core/train/simd');
  const built = await kernelsWasmSource(readFileSync(join(dir, 'kernels.wat'), 'utf8'));
  expect(readFileSync(join(dir, 'kernels-wasm.ts'), 'utf8')).toBe(built);
});

it('refuses a kernels.wat whose memory import it cannot make shared', async () => {
  await expect(kernelsWasmSource('(module (memory 1))')).rejects.toThrow('kernels.wat must import its memory as (import "env" "memory" (memory 1))');
});
