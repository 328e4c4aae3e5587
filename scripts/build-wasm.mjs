// npm run build:wasm: compile src/core/train/simd/kernels.wat (with wabt) into kernels-wasm.ts, the
// bytes as base64 in two builds: memory imported plain, and shared (a threaded TF.js's memory). The
// generated file is committed; tests/unit/train/simd-kernels.test.ts fails when it is out of date.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { kernelsWasmSource } from './wasm-source.mjs';

const dir = fileURLToPath(new URL('../src/core/train/simd/', import.meta.url));
writeFileSync(`${dir}kernels-wasm.ts`, await kernelsWasmSource(readFileSync(`${dir}kernels.wat`, 'utf8')));
console.log('wrote src/core/train/simd/kernels-wasm.ts');
