/** The text of src/core/train/simd/kernels-wasm.ts for a kernels.wat (wasm-source.mjs). */
export function kernelsWasmSource(wat: string): Promise<string>;
