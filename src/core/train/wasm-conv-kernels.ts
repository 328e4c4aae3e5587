/**
 * The wasm backend's convolution and pooling gradients (see wasm-kernels.ts for why they replace the
 * backend's own). Semantics follow the cpu backend's kernels (tfjs-backend-cpu): strides,
 * 'same'/'valid'/explicit padding, NHWC or NCHW for convolutions; dilations are always 1 (TF.js's conv2d
 * and maxPool gradients refuse dilated ones). The filter gradient of an unpadded NHWC convolution is a
 * product by the SIMD module that reads the patches where they lie in x (filter_grad_valid); the other
 * convolution gradients are im2col plus a matrix product (wasm-matmul.ts): the patch matrices are written
 * in JS straight into the wasm heap, and the product always runs as [rows, inner] x [inner, cols] without
 * transposes.
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { inHeap, native, offsetOf, simd, type Info, type KernelArgs } from './wasm-kernel-base';
import { product } from './wasm-matmul';
import { transpose } from './wasm-step-kernels';

type Shape4 = [number, number, number, number];
type Conv2DInfo = tf.backend_util.Conv2DInfo;

/**
 * From this many input channels a padded NHWC filter gradient takes the batch-inner patch order
 * (filterGradientBatchInner); below, transposing dy costs more than the contiguous reads save (with
 * 1 channel each patch row is already one run of x).
 */
const BATCH_INNER_FROM_CHANNELS = 4;

/** Element strides of a 4-D tensor's batch, row, column and channel axes in either layout. */
interface Strides {
  batch: number;
  row: number;
  col: number;
  channel: number;
}

function stridesOf(height: number, width: number, channels: number, channelsLast: boolean): Strides {
  return channelsLast
    ? { batch: height * width * channels, row: width * channels, col: channels, channel: 1 }
    : { batch: channels * height * width, row: width, col: 1, channel: height * width };
}

/** dy as a [batch * outHeight * outWidth, outChannels] matrix: NHWC already is one; NCHW is copied. */
function dyMatrix(backend: BackendWasm, dy: Info, info: Conv2DInfo): { matrix: Info; owned: boolean } {
  if (info.dataFormat === 'channelsLast') return { matrix: dy, owned: false };
  const { batchSize, outHeight, outWidth, outChannels } = info;
  // allocate before taking views: a heap that grows detaches the views taken earlier
  const matrix = backend.makeOutput([batchSize * outHeight * outWidth, outChannels], 'float32');
  const src = backend.typedArrayFromHeap(dy) as Float32Array;
  const dst = backend.typedArrayFromHeap(matrix) as Float32Array;
  const plane = outHeight * outWidth;
  for (let b = 0; b < batchSize; b++) {
    for (let c = 0; c < outChannels; c++) {
      const from = (b * outChannels + c) * plane;
      for (let p = 0; p < plane; p++) dst[(b * plane + p) * outChannels + c] = src[from + p]!;
    }
  }
  return { matrix, owned: true };
}

/** The output columns ox whose filter tap c lands inside the input: ox * stride + c - left in [0, inWidth). */
function insideColumns(c: number, info: Conv2DInfo): [number, number] {
  const { inWidth, outWidth, strideWidth } = info;
  const left = info.padInfo.left;
  const start = Math.min(outWidth, Math.max(0, Math.ceil((left - c) / strideWidth)));
  return [start, Math.max(start, Math.min(outWidth, Math.ceil((inWidth + left - c) / strideWidth)))];
}

/** Whether no filter tap of any output falls outside x (no padding on any side). */
function unpadded(info: Conv2DInfo): boolean {
  const { top, left, bottom, right } = info.padInfo;
  return top === 0 && left === 0 && bottom === 0 && right === 0;
}

/**
 * Where an unpadded NHWC convolution's patches lie in x, for filter_grad_valid (bytes): a patch is
 * filterHeight runs of filterWidth * inChannels floats, one input row apart.
 */
function patchLayout(info: Conv2DInfo) {
  const { inHeight, inWidth, inChannels, strideHeight, strideWidth, filterWidth } = info;
  const rowBytes = 4 * inWidth * inChannels;
  return { run: filterWidth * inChannels, rowBytes, pixelBytes: 4 * strideWidth * inChannels, rowStep: strideHeight * rowBytes, imageBytes: inHeight * rowBytes };
}

/**
 * The transposed patch matrix: row k = (filter row, filter column, input channel), column m = (batch,
 * output row, output column), holding the input value under that filter tap, 0 in the padding.
 * Walked by input row: one output row's taps of all channels read one short stretch of x (in cache).
 * Where neighbouring output columns read neighbouring inputs (one channel, stride 1), a row is one copy.
 */
function fillPatchesTransposed(heap: Float32Array, x: number, info: Conv2DInfo, out: number): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const s = stridesOf(inHeight, inWidth, inChannels, info.dataFormat === 'channelsLast');
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const columns = batchSize * outHeight * outWidth;
  const step = strideWidth * s.col;
  for (let r = 0; r < filterHeight; r++) {
    for (let c = 0; c < filterWidth; c++) {
      const [oxStart, oxEnd] = insideColumns(c, info);
      const k0 = (r * filterWidth + c) * inChannels;
      for (let b = 0, m0 = 0; b < batchSize; b++) {
        for (let oy = 0; oy < outHeight; oy++, m0 += outWidth) {
          const iy = oy * strideHeight + r - top;
          const inside = iy >= 0 && iy < inHeight;
          // x index of (b, iy, ix, 0) at ix = c - left (ox = 0)
          const rowBase = x + b * s.batch + iy * s.row + (c - left) * s.col;
          for (let ci = 0; ci < inChannels; ci++) {
            const at = out + (k0 + ci) * columns + m0;
            if (!inside) {
              heap.fill(0, at, at + outWidth);
              continue;
            }
            if (oxStart > 0) heap.fill(0, at, at + oxStart);
            if (oxEnd < outWidth) heap.fill(0, at + oxEnd, at + outWidth);
            const from = rowBase + ci * s.channel;
            if (step === 1) heap.copyWithin(at + oxStart, from + oxStart, from + oxEnd);
            else for (let ox = oxStart; ox < oxEnd; ox++) heap[at + ox] = heap[from + ox * step]!;
          }
        }
      }
    }
  }
}

/** A gradient kernel's convolution geometry (dilation 1: TF.js refuses gradients of dilated convolutions). */
function convInfo(
  inShape: number[],
  filterShape: number[],
  attrs: Pick<tf.Conv2DBackpropFilterAttrs, 'strides' | 'pad' | 'dataFormat' | 'dimRoundingMode'>,
): Conv2DInfo {
  const format = tf.backend_util.convertConv2DDataFormat(attrs.dataFormat);
  return tf.backend_util.computeConv2DInfo(inShape as Shape4, filterShape as Shape4, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode, false, format);
}

/** The backend's own Transpose of t viewed with `shape`. */
function transposedAs(backend: BackendWasm, t: Info, shape: number[], perm: number[]): Info {
  return transpose({ inputs: { x: { ...t, shape } }, attrs: { perm }, backend });
}

/**
 * dW of an NHWC convolution with the batch as the innermost column order: column m = (output row,
 * output column, batch). x is transposed to [height, width, channel, batch] first, so each patch
 * matrix entry run over the batch is one contiguous copy (64 values for a batch of 64) instead of a
 * value read every `channels` apart; dy is transposed to match. The Small CNN's filter gradients in a
 * training step (its second convolution has 16 channels): 11.3 -> 9.7 ms (tests/bench/cnn-wasm.profile.ts;
 * unpadded convolutions such as the Small CNN's now take filterGradientValid).
 */
function filterGradientBatchInner(wasm: BackendWasm, x: Info, dy: Info, info: Conv2DInfo): Info {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const columns = batchSize * outHeight * outWidth;
  const rows = filterHeight * filterWidth * inChannels;
  const xT = transposedAs(wasm, x, [batchSize, inHeight * inWidth * inChannels], [1, 0]);
  const dyM = transposedAs(wasm, dy, [batchSize, outHeight * outWidth, outChannels], [1, 0, 2]);
  const patches = wasm.makeOutput([rows, columns], 'float32');
  const from = inHeap(wasm, xT);
  const heap = from.heap;
  const pixelStep = inChannels * batchSize;
  for (let r = 0, k = inHeap(wasm, patches).at; r < filterHeight; r++) {
    for (let c = 0; c < filterWidth; c++) {
      for (let ci = 0; ci < inChannels; ci++) {
        for (let oy = 0; oy < outHeight; oy++) {
          const iy = oy * strideHeight + r - info.padInfo.top;
          for (let ox = 0; ox < outWidth; ox++, k += batchSize) {
            const ix = ox * strideWidth + c - info.padInfo.left;
            if (iy < 0 || iy >= inHeight || ix < 0 || ix >= inWidth) {
              heap.fill(0, k, k + batchSize);
              continue;
            }
            const at = from.at + (iy * inWidth + ix) * pixelStep + ci * batchSize;
            heap.copyWithin(k, at, at + batchSize);
          }
        }
      }
    }
  }
  wasm.disposeData(xT.dataId);
  const dW = product(wasm, patches, dyM, rows, columns, outChannels);
  wasm.disposeData(patches.dataId);
  wasm.disposeData(dyM.dataId);
  return { dataId: dW.dataId, shape: info.filterShape, dtype: 'float32' };
}

/**
 * dW of a padded NHWC convolution with few input channels by the SIMD module, without patches: a matrix
 * product of [fh*fw*cin, M] x [M, cout] with so few rows spends its time repacking dy (which changes every
 * step): 3.5 ms in a training step of the Small CNN's first convolution against about 2 ms here (unpadded
 * ones now take filterGradientValid).
 */
function filterGradientDirect(wasm: BackendWasm, x: Info, dy: Info, info: Conv2DInfo): Info {
  const dW = wasm.makeOutput(info.filterShape, 'float32');
  (wasm.typedArrayFromHeap(dW) as Float32Array).fill(0);
  simd(wasm).filter_grad(
    offsetOf(wasm, x), offsetOf(wasm, dy), offsetOf(wasm, dW),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.outChannels,
    info.strideHeight, info.strideWidth, info.filterHeight, info.filterWidth, info.padInfo.top, info.padInfo.left,
  );
  return dW;
}

/**
 * dW of an unpadded NHWC convolution by filter_grad_valid, reading the patches in x (out channels a
 * multiple of 4): no patch matrix to write (4.5 MB for the Small CNN's second convolution on a batch of
 * 64) and no transposes. The Small CNN's filter gradients, batch of 64, Node, 1 thread
 * (tests/bench/cnn-kernels.profile.ts): 1->16 1.71 -> 0.46 ms (the direct kernel before), 16->32 2.71 ->
 * 1.87 ms (batch-inner patches and the gemm before).
 */
function filterGradientValid(wasm: BackendWasm, x: Info, dy: Info, info: Conv2DInfo): Info {
  const dW = wasm.makeOutput(info.filterShape, 'float32');
  (wasm.typedArrayFromHeap(dW) as Float32Array).fill(0);
  const at = patchLayout(info);
  simd(wasm).filter_grad_valid(
    offsetOf(wasm, x), offsetOf(wasm, dy), offsetOf(wasm, dW), info.batchSize, info.outHeight, info.outWidth, info.outChannels,
    info.filterHeight * at.run, at.run, at.rowBytes, at.pixelBytes, at.rowStep, at.imageBytes,
  );
  return dW;
}

/** dW[fh, fw, cin, cout] = patches^T [fh*fw*cin, M] x dy [M, cout], M = batch * outHeight * outWidth. */
export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  const info = convInfo(x.shape, a.filterShape, a);
  if (info.dataFormat === 'channelsLast' && unpadded(info) && info.outChannels % 4 === 0) return filterGradientValid(wasm, x, dy, info);
  if (info.dataFormat === 'channelsLast' && info.inChannels >= BATCH_INNER_FROM_CHANNELS) return filterGradientBatchInner(wasm, x, dy, info);
  if (info.dataFormat === 'channelsLast' && info.outChannels % 4 === 0) return filterGradientDirect(wasm, x, dy, info);
  const inner = info.batchSize * info.outHeight * info.outWidth;
  const rows = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = wasm.makeOutput([rows, inner], 'float32');
  const heapX = inHeap(wasm, x);
  fillPatchesTransposed(heapX.heap, heapX.at, info, inHeap(wasm, patches).at);
  const dyM = dyMatrix(wasm, dy, info);
  const dW = product(wasm, patches, dyM.matrix, rows, inner, info.outChannels);
  wasm.disposeData(patches.dataId);
  if (dyM.owned) wasm.disposeData(dyM.matrix.dataId);
  return { dataId: dW.dataId, shape: info.filterShape, dtype: 'float32' };
}

/** The filter [fh*fw*cin, cout] transposed to [cout, fh*fw*cin] (small: copied in JS). */
function filterTransposed(backend: BackendWasm, filter: Info, rows: number, cols: number): Info {
  const out = backend.makeOutput([cols, rows], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) dst[c * rows + r] = src[r * cols + c]!;
  return out;
}

/**
 * Scatter-add the patch gradients [M, fh*fw*cin] back onto the input's positions (col2im). In NHWC the
 * taps of one filter row that land inside the input are one run in both arrays, added in one plain loop.
 */
function addPatches(patches: Float32Array, info: Conv2DInfo, dx: Float32Array): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const s = stridesOf(inHeight, inWidth, inChannels, info.dataFormat === 'channelsLast');
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowLength = filterWidth * inChannels;
  const patchSize = filterHeight * rowLength;
  dx.fill(0);
  let patch = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      const rStart = Math.max(0, top - oy * strideHeight);
      const rEnd = Math.min(filterHeight, inHeight + top - oy * strideHeight);
      for (let ox = 0; ox < outWidth; ox++, patch += patchSize) {
        const ix0 = ox * strideWidth - left;
        const cStart = Math.max(0, -ix0);
        const cEnd = Math.min(filterWidth, inWidth - ix0);
        if (cEnd <= cStart) continue;
        for (let r = rStart; r < rEnd; r++) {
          const iy = oy * strideHeight + r - top;
          const from = patch + r * rowLength + cStart * inChannels;
          const to = b * s.batch + iy * s.row + (ix0 + cStart) * s.col;
          if (s.channel === 1) {
            const n = (cEnd - cStart) * inChannels;
            for (let k = 0; k < n; k++) dx[to + k] += patches[from + k]!;
            continue;
          }
          for (let c = cStart, k = from, at = to; c < cEnd; c++, at += s.col) {
            for (let ci = 0; ci < inChannels; ci++, k++) dx[at + ci * s.channel] += patches[k]!;
          }
        }
      }
    }
  }
}

/**
 * dx of a stride-1 NHWC convolution as the backend's own (XNNPACK) Conv2D: dy correlated with the
 * filter turned 180 degrees and its channel axes swapped, dy padded by (filter - 1 - the forward pad) on
 * the leading sides and by what makes the output the input's size on the trailing ones. Null when that
 * does not apply (strides, NCHW, a forward pad as large as the filter): then col2im.
 */
function inputGradientByConv(backend: BackendWasm, dy: Info, filter: Info, info: Conv2DInfo): Info | null {
  const { filterHeight: fh, filterWidth: fw, inHeight, inWidth, outHeight, outWidth, inChannels, outChannels } = info;
  if (info.dataFormat !== 'channelsLast' || info.strideHeight !== 1 || info.strideWidth !== 1) return null;
  const top = fh - 1 - info.padInfo.top;
  const left = fw - 1 - info.padInfo.left;
  const bottom = inHeight - outHeight + fh - 1 - top;
  const right = inWidth - outWidth + fw - 1 - left;
  if (Math.min(top, left, bottom, right) < 0) return null;
  const turned = backend.makeOutput([fh, fw, outChannels, inChannels], 'float32');
  const src = backend.typedArrayFromHeap(filter) as Float32Array;
  const dst = backend.typedArrayFromHeap(turned) as Float32Array;
  for (let r = 0, to = 0; r < fh; r++) {
    for (let c = 0; c < fw; c++) {
      const from = ((fh - 1 - r) * fw + (fw - 1 - c)) * inChannels * outChannels;
      for (let co = 0; co < outChannels; co++) for (let ci = 0; ci < inChannels; ci++, to++) dst[to] = src[from + ci * outChannels + co]!;
    }
  }
  const pad = [[0, 0], [top, bottom], [left, right], [0, 0]];
  const attrs = { strides: 1, dilations: 1, pad, dataFormat: 'NHWC', dimRoundingMode: undefined } as unknown as tf.NamedAttrMap;
  const dx = native('Conv2D')({ inputs: { x: dy, filter: turned }, attrs, backend }) as Info;
  backend.disposeData(turned.dataId);
  return dx;
}

/** dx = col2im(dy [M, cout] x W^T [cout, fh*fw*cin]), or one convolution where the strides are 1. */
export function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  const info = convInfo(a.inputShape, filter.shape, a);
  const byConv = inputGradientByConv(wasm, dy, filter, info);
  if (byConv) return byConv;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const dyM = dyMatrix(wasm, dy, info);
  const wT = filterTransposed(wasm, filter, patchSize, info.outChannels);
  const patches = product(wasm, dyM.matrix, wT, rows, info.outChannels, patchSize);
  wasm.disposeData(wT.dataId);
  if (dyM.owned) wasm.disposeData(dyM.matrix.dataId);
  const dx = wasm.makeOutput(info.inShape, 'float32');
  addPatches(wasm.typedArrayFromHeap(patches) as Float32Array, info, wasm.typedArrayFromHeap(dx) as Float32Array);
  wasm.disposeData(patches.dataId);
  return dx;
}

/**
 * MaxPoolGrad (NHWC, as TF.js's pools): each output's gradient goes to the first largest input of its
 * window in row-major order, as the cpu backend's maxPoolPositions (a window of only NaN or -Infinity
 * passes nothing on); windows that overlap add up. By the SIMD module, four channels at a time (5.8 ms a
 * step of the Small CNN as a JS loop over the windows, about 1.5 ms in wasm).
 */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): Info {
  const wasm = backend as BackendWasm;
  const { dy, input } = inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  const info = tf.backend_util.computePool2DInfo(input.shape as Shape4, filterSize, strides, 1, pad, dimRoundingMode);
  const dx = wasm.makeOutput(input.shape, 'float32');
  // windows side by side, all inside the input (2x2 pools of stride 2 with 'valid' padding): each input
  // written once, no zeroing first and no scatter (the Small CNN's first pool, batch of 64, Node: 0.88 ->
  // 0.55 ms)
  const [coveredHeight, coveredWidth] = [info.outHeight * info.strideHeight, info.outWidth * info.strideWidth];
  const tiles =
    info.strideHeight === info.effectiveFilterHeight && info.strideWidth === info.effectiveFilterWidth && info.padInfo.top === 0 &&
    info.padInfo.left === 0 && coveredHeight <= info.inHeight && coveredWidth <= info.inWidth && info.inChannels % 4 === 0;
  if (tiles) {
    // every input inside a window is written; those past the last window are not
    if (coveredHeight < info.inHeight || coveredWidth < info.inWidth) (wasm.typedArrayFromHeap(dx) as Float32Array).fill(0);
    simd(wasm).max_pool_grad_tiles(
      offsetOf(wasm, input), offsetOf(wasm, dy), offsetOf(wasm, dx),
      info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth, info.effectiveFilterHeight, info.effectiveFilterWidth,
    );
    return dx;
  }
  (wasm.typedArrayFromHeap(dx) as Float32Array).fill(0);
  simd(wasm).max_pool_grad(
    offsetOf(wasm, input), offsetOf(wasm, dy), offsetOf(wasm, dx),
    info.batchSize, info.inHeight, info.inWidth, info.inChannels, info.outHeight, info.outWidth,
    info.strideHeight, info.strideWidth, info.effectiveFilterHeight, info.effectiveFilterWidth, info.padInfo.top, info.padInfo.left,
  );
  return dx;
}
