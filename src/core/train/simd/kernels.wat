;; Pipette's SIMD training kernels (issue 16), run on the TF.js wasm backend's own memory (imported), so
;; they read and write tensors where they lie. Every pointer is a byte offset into that memory; lengths
;; count float32 elements. Each loop takes 4 floats at a time (f32x4) and finishes the rest one by one.
;; Built into kernels-wasm.ts by scripts/build-wasm.mjs (npm run build:wasm); a unit test checks that the
;; two agree. A threaded TF.js shares its memory between threads, so the script also builds this module
;; with the import declared shared (its one difference).
(module
  (import "env" "memory" (memory 1))

  ;; One Adam step (see fused-adam.ts): for each i,
  ;;   m' = m b1 + g c1;  v' = v b2 + (g g) c2;  w' = ((m' / d1) / (sqrt(v' / d2) + eps)) nlr + w
  ;; in float32, in TF.js's order of operations, written to ow, om, ov.
  (func (export "adam")
    (param $w i32) (param $m i32) (param $v i32) (param $g i32)
    (param $ow i32) (param $om i32) (param $ov i32) (param $n i32)
    (param $b1 f32) (param $c1 f32) (param $b2 f32) (param $c2 f32)
    (param $d1 f32) (param $d2 f32) (param $eps f32) (param $nlr f32)
    (local $i i32) (local $at i32) (local $end4 i32)
    (local $g4 v128) (local $m4 v128) (local $v4 v128)
    (local $gs f32) (local $ms f32) (local $vs f32)
    ;; the largest multiple of 4 not above n
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $done4
      (loop $four
        (br_if $done4 (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $g4 (v128.load (i32.add (local.get $g) (local.get $at))))
        (local.set $m4
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $m) (local.get $at))) (f32x4.splat (local.get $b1)))
            (f32x4.mul (local.get $g4) (f32x4.splat (local.get $c1)))))
        (local.set $v4
          (f32x4.add
            (f32x4.mul (v128.load (i32.add (local.get $v) (local.get $at))) (f32x4.splat (local.get $b2)))
            (f32x4.mul (f32x4.mul (local.get $g4) (local.get $g4)) (f32x4.splat (local.get $c2)))))
        (v128.store (i32.add (local.get $om) (local.get $at)) (local.get $m4))
        (v128.store (i32.add (local.get $ov) (local.get $at)) (local.get $v4))
        (v128.store (i32.add (local.get $ow) (local.get $at))
          (f32x4.add
            (f32x4.mul
              (f32x4.div
                (f32x4.div (local.get $m4) (f32x4.splat (local.get $d1)))
                (f32x4.add
                  (f32x4.sqrt (f32x4.div (local.get $v4) (f32x4.splat (local.get $d2))))
                  (f32x4.splat (local.get $eps))))
              (f32x4.splat (local.get $nlr)))
            (v128.load (i32.add (local.get $w) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $four)))
    (block $done
      (loop $one
        (br_if $done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (local.set $gs (f32.load (i32.add (local.get $g) (local.get $at))))
        (local.set $ms
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $m) (local.get $at))) (local.get $b1))
            (f32.mul (local.get $gs) (local.get $c1))))
        (local.set $vs
          (f32.add
            (f32.mul (f32.load (i32.add (local.get $v) (local.get $at))) (local.get $b2))
            (f32.mul (f32.mul (local.get $gs) (local.get $gs)) (local.get $c2))))
        (f32.store (i32.add (local.get $om) (local.get $at)) (local.get $ms))
        (f32.store (i32.add (local.get $ov) (local.get $at)) (local.get $vs))
        (f32.store (i32.add (local.get $ow) (local.get $at))
          (f32.add
            (f32.mul
              (f32.div
                (f32.div (local.get $ms) (local.get $d1))
                (f32.add (f32.sqrt (f32.div (local.get $vs) (local.get $d2))) (local.get $eps)))
              (local.get $nlr))
            (f32.load (i32.add (local.get $w) (local.get $at)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
  )

  ;; out[r, c] = x[r, c] + bias[c] for rows x channels (a convolution's or dense layer's bias add).
  (func (export "bias_add") (param $x i32) (param $bias i32) (param $out i32) (param $rows i32) (param $channels i32)
    (local $r i32) (local $c i32) (local $row i32) (local $end4 i32) (local $at i32)
    (local.set $end4 (i32.and (local.get $channels) (i32.const -4)))
    (block $rows_done
      (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.shl (i32.mul (local.get $r) (local.get $channels)) (i32.const 2)))
        (local.set $c (i32.const 0))
        (block $four_done
          (loop $four
            (br_if $four_done (i32.ge_u (local.get $c) (local.get $end4)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
            (v128.store (i32.add (local.get $out) (local.get $at))
              (f32x4.add
                (v128.load (i32.add (local.get $x) (local.get $at)))
                (v128.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $four)))
        (block $one_done
          (loop $one
            (br_if $one_done (i32.ge_u (local.get $c) (local.get $channels)))
            (local.set $at (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))
            (f32.store (i32.add (local.get $out) (local.get $at))
              (f32.add
                (f32.load (i32.add (local.get $x) (local.get $at)))
                (f32.load (i32.add (local.get $bias) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $one)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row)))
  )

  ;; out[c] = sum over r of x[r, c], rows added in order (a bias's gradient: the sum over batch and positions).
  ;; out must be zeroed by the caller.
  (func (export "column_sum") (param $x i32) (param $out i32) (param $rows i32) (param $cols i32)
    (local $r i32) (local $c i32) (local $row i32) (local $end4 i32) (local $at i32)
    (local.set $end4 (i32.and (local.get $cols) (i32.const -4)))
    (block $rows_done
      (loop $each_row
        (br_if $rows_done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $row (i32.add (local.get $x) (i32.shl (i32.mul (local.get $r) (local.get $cols)) (i32.const 2))))
        (local.set $c (i32.const 0))
        (block $four_done
          (loop $four
            (br_if $four_done (i32.ge_u (local.get $c) (local.get $end4)))
            (local.set $at (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
            (v128.store (local.get $at)
              (f32x4.add (v128.load (local.get $at)) (v128.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $four)))
        (block $one_done
          (loop $one
            (br_if $one_done (i32.ge_u (local.get $c) (local.get $cols)))
            (local.set $at (i32.add (local.get $out) (i32.shl (local.get $c) (i32.const 2))))
            (f32.store (local.get $at)
              (f32.add (f32.load (local.get $at)) (f32.load (i32.add (local.get $row) (i32.shl (local.get $c) (i32.const 2))))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $one)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $each_row)))
  )

  ;; ReLU's gradient: out = dy * (x > 0 ? 1 : 0), as TF.js's mul(dy, cast(step(x))) but in one pass.
  (func (export "relu_grad") (param $dy i32) (param $x i32) (param $out i32) (param $n i32)
    (local $i i32) (local $at i32) (local $end4 i32)
    (local.set $end4 (i32.and (local.get $n) (i32.const -4)))
    (block $four_done
      (loop $four
        (br_if $four_done (i32.ge_u (local.get $i) (local.get $end4)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (v128.store (i32.add (local.get $out) (local.get $at))
          (f32x4.mul
            (v128.load (i32.add (local.get $dy) (local.get $at)))
            (v128.and
              (f32x4.gt (v128.load (i32.add (local.get $x) (local.get $at))) (f32x4.splat (f32.const 0)))
              (f32x4.splat (f32.const 1)))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $four)))
    (block $one_done
      (loop $one
        (br_if $one_done (i32.ge_u (local.get $i) (local.get $n)))
        (local.set $at (i32.shl (local.get $i) (i32.const 2)))
        (f32.store (i32.add (local.get $out) (local.get $at))
          (f32.mul
            (f32.load (i32.add (local.get $dy) (local.get $at)))
            (select (f32.const 1) (f32.const 0)
              (f32.gt (f32.load (i32.add (local.get $x) (local.get $at))) (f32.const 0)))))
        (local.set $i (i32.add (local.get $i) (i32.const 1)))
        (br $one)))
  )

  ;; MaxPoolGrad, NHWC: each output's gradient goes to the first largest input of its window (row by row,
  ;; strictly greater, as TF.js's cpu maxPoolPositions; a window of NaN or -Infinity only passes none on);
  ;; overlapping windows add up. Four channels at a time: their window maxima and places in f32x4/i32x4.
  ;; dx must be zeroed by the caller.
  (func $scatter (param $dx i32) (param $at i32) (param $g f32)
    (if (i32.ge_s (local.get $at) (i32.const 0))
      (then
        (f32.store (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2)))
          (f32.add (f32.load (i32.add (local.get $dx) (i32.shl (local.get $at) (i32.const 2)))) (local.get $g))))))

  (func (export "max_pool_grad")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32)
    (param $strideH i32) (param $strideW i32) (param $fh i32) (param $fw i32) (param $padTop i32) (param $padLeft i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $c i32) (local $y i32) (local $xx i32)
    (local $yS i32) (local $yE i32) (local $xS i32) (local $xE i32) (local $o i32) (local $base i32) (local $e i32)
    (local $end4 i32) (local $best v128) (local $idx v128) (local $gt v128) (local $g v128) (local $v v128)
    (local $bestS f32) (local $idxS i32) (local $vS f32)
    (local.set $end4 (i32.and (local.get $C) (i32.const -4)))
    (block $b_done (loop $b_loop
      (br_if $b_done (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $base (i32.mul (i32.mul (i32.mul (local.get $b) (local.get $inH)) (local.get $inW)) (local.get $C)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $yS (i32.sub (i32.mul (local.get $oy) (local.get $strideH)) (local.get $padTop)))
        (local.set $yE (i32.add (local.get $yS) (local.get $fh)))
        (if (i32.lt_s (local.get $yS) (i32.const 0)) (then (local.set $yS (i32.const 0))))
        (if (i32.gt_s (local.get $yE) (local.get $inH)) (then (local.set $yE (local.get $inH))))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $outW)))
          (local.set $xS (i32.sub (i32.mul (local.get $ox) (local.get $strideW)) (local.get $padLeft)))
          (local.set $xE (i32.add (local.get $xS) (local.get $fw)))
          (if (i32.lt_s (local.get $xS) (i32.const 0)) (then (local.set $xS (i32.const 0))))
          (if (i32.gt_s (local.get $xE) (local.get $inW)) (then (local.set $xE (local.get $inW))))
          ;; four channels at a time
          (local.set $c (i32.const 0))
          (block $c4_done (loop $c4_loop
            (br_if $c4_done (i32.ge_u (local.get $c) (local.get $end4)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $idx (i32x4.splat (i32.const -1)))
            (local.set $y (local.get $yS))
            (block $y_done (loop $y_loop
              (br_if $y_done (i32.ge_s (local.get $y) (local.get $yE)))
              (local.set $xx (local.get $xS))
              (block $x_done (loop $x_loop
                (br_if $x_done (i32.ge_s (local.get $xx) (local.get $xE)))
                (local.set $e (i32.add (local.get $base)
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $y) (local.get $inW)) (local.get $xx)) (local.get $C)) (local.get $c))))
                (local.set $v (v128.load (i32.add (local.get $x) (i32.shl (local.get $e) (i32.const 2)))))
                (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
                (local.set $idx (v128.bitselect
                  (i32x4.add (i32x4.splat (local.get $e)) (v128.const i32x4 0 1 2 3))
                  (local.get $idx) (local.get $gt)))
                (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
                (br $x_loop)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br $y_loop)))
            (local.set $g (v128.load (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2)))))
            (call $scatter (local.get $dx) (i32x4.extract_lane 0 (local.get $idx)) (f32x4.extract_lane 0 (local.get $g)))
            (call $scatter (local.get $dx) (i32x4.extract_lane 1 (local.get $idx)) (f32x4.extract_lane 1 (local.get $g)))
            (call $scatter (local.get $dx) (i32x4.extract_lane 2 (local.get $idx)) (f32x4.extract_lane 2 (local.get $g)))
            (call $scatter (local.get $dx) (i32x4.extract_lane 3 (local.get $idx)) (f32x4.extract_lane 3 (local.get $g)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $c4_loop)))
          ;; the remaining channels one by one
          (block $c_done (loop $c_loop
            (br_if $c_done (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $bestS (f32.const -inf))
            (local.set $idxS (i32.const -1))
            (local.set $y (local.get $yS))
            (block $y1_done (loop $y1_loop
              (br_if $y1_done (i32.ge_s (local.get $y) (local.get $yE)))
              (local.set $xx (local.get $xS))
              (block $x1_done (loop $x1_loop
                (br_if $x1_done (i32.ge_s (local.get $xx) (local.get $xE)))
                (local.set $e (i32.add (local.get $base)
                  (i32.add (i32.mul (i32.add (i32.mul (local.get $y) (local.get $inW)) (local.get $xx)) (local.get $C)) (local.get $c))))
                (local.set $vS (f32.load (i32.add (local.get $x) (i32.shl (local.get $e) (i32.const 2)))))
                (if (f32.gt (local.get $vS) (local.get $bestS))
                  (then (local.set $bestS (local.get $vS)) (local.set $idxS (local.get $e))))
                (local.set $xx (i32.add (local.get $xx) (i32.const 1)))
                (br $x1_loop)))
              (local.set $y (i32.add (local.get $y) (i32.const 1)))
              (br $y1_loop)))
            (call $scatter (local.get $dx) (local.get $idxS)
              (f32.load (i32.add (local.get $dy) (i32.shl (i32.add (local.get $o) (local.get $c)) (i32.const 2)))))
            (local.set $c (i32.add (local.get $c) (i32.const 1)))
            (br $c_loop)))
          (local.set $o (i32.add (local.get $o) (local.get $C)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $b_loop)))
  )

  ;; dst[n, b, a, s] = src[n, a, b, s] for n < batch, a < A, b < B, s < S: every transpose TF.js's training
  ;; needs once adjacent axes are merged (tensor.ts: a matrix, a batch of matrices, or blocks of S floats).
  ;; S = 1 goes by 4x4 tiles in registers; larger S copies runs of S floats.
  (func (export "transpose")
    (param $src i32) (param $dst i32) (param $batch i32) (param $A i32) (param $B i32) (param $S i32)
    (local $n i32) (local $a i32) (local $b i32) (local $s i32) (local $A4 i32) (local $B4 i32)
    (local $from i32) (local $to i32) (local $rowBytes i32) (local $colBytes i32)
    (local $r0 v128) (local $r1 v128) (local $r2 v128) (local $r3 v128) (local $t0 v128) (local $t1 v128) (local $t2 v128) (local $t3 v128)
    (local.set $A4 (i32.and (local.get $A) (i32.const -4)))
    (local.set $B4 (i32.and (local.get $B) (i32.const -4)))
    (block $n_done (loop $n_loop
      (br_if $n_done (i32.ge_u (local.get $n) (local.get $batch)))
      (if (i32.eq (local.get $S) (i32.const 1))
        (then
          (local.set $rowBytes (i32.shl (local.get $B) (i32.const 2)))
          (local.set $colBytes (i32.shl (local.get $A) (i32.const 2)))
          ;; 4x4 tiles
          (local.set $a (i32.const 0))
          (block $a_done (loop $a_loop
            (br_if $a_done (i32.ge_u (local.get $a) (local.get $A4)))
            (local.set $b (i32.const 0))
            (block $b_done (loop $b_loop
              (br_if $b_done (i32.ge_u (local.get $b) (local.get $B4)))
              (local.set $from (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $B)) (local.get $b)) (i32.const 2))))
              (local.set $r0 (v128.load (local.get $from)))
              (local.set $r1 (v128.load (i32.add (local.get $from) (local.get $rowBytes))))
              (local.set $r2 (v128.load (i32.add (local.get $from) (i32.shl (local.get $rowBytes) (i32.const 1)))))
              (local.set $r3 (v128.load (i32.add (local.get $from) (i32.mul (local.get $rowBytes) (i32.const 3)))))
              (local.set $t0 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r0) (local.get $r1)))
              (local.set $t1 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r0) (local.get $r1)))
              (local.set $t2 (i8x16.shuffle 0 1 2 3 16 17 18 19 4 5 6 7 20 21 22 23 (local.get $r2) (local.get $r3)))
              (local.set $t3 (i8x16.shuffle 8 9 10 11 24 25 26 27 12 13 14 15 28 29 30 31 (local.get $r2) (local.get $r3)))
              (local.set $to (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $A)) (local.get $a)) (i32.const 2))))
              (v128.store (local.get $to) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t0) (local.get $t2)))
              (v128.store (i32.add (local.get $to) (local.get $colBytes)) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t0) (local.get $t2)))
              (v128.store (i32.add (local.get $to) (i32.shl (local.get $colBytes) (i32.const 1))) (i8x16.shuffle 0 1 2 3 4 5 6 7 16 17 18 19 20 21 22 23 (local.get $t1) (local.get $t3)))
              (v128.store (i32.add (local.get $to) (i32.mul (local.get $colBytes) (i32.const 3))) (i8x16.shuffle 8 9 10 11 12 13 14 15 24 25 26 27 28 29 30 31 (local.get $t1) (local.get $t3)))
              (local.set $b (i32.add (local.get $b) (i32.const 4)))
              (br $b_loop)))
            (local.set $a (i32.add (local.get $a) (i32.const 4)))
            (br $a_loop)))
          ;; the edges: rows from A4 on (every column), columns from B4 on (rows below A4)
          (local.set $a (i32.const 0))
          (block $ea_done (loop $ea_loop
            (br_if $ea_done (i32.ge_u (local.get $a) (local.get $A)))
            (local.set $b (select (i32.const 0) (local.get $B4) (i32.ge_u (local.get $a) (local.get $A4))))
            (block $eb_done (loop $eb_loop
              (br_if $eb_done (i32.ge_u (local.get $b) (local.get $B)))
              (f32.store
                (i32.add (local.get $dst) (i32.shl (i32.add (i32.mul (local.get $b) (local.get $A)) (local.get $a)) (i32.const 2)))
                (f32.load (i32.add (local.get $src) (i32.shl (i32.add (i32.mul (local.get $a) (local.get $B)) (local.get $b)) (i32.const 2)))))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $eb_loop)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $ea_loop))))
        (else
          ;; runs of S floats
          (local.set $a (i32.const 0))
          (block $ra_done (loop $ra_loop
            (br_if $ra_done (i32.ge_u (local.get $a) (local.get $A)))
            (local.set $b (i32.const 0))
            (block $rb_done (loop $rb_loop
              (br_if $rb_done (i32.ge_u (local.get $b) (local.get $B)))
              (local.set $from (i32.add (local.get $src) (i32.shl (i32.mul (i32.add (i32.mul (local.get $a) (local.get $B)) (local.get $b)) (local.get $S)) (i32.const 2))))
              (local.set $to (i32.add (local.get $dst) (i32.shl (i32.mul (i32.add (i32.mul (local.get $b) (local.get $A)) (local.get $a)) (local.get $S)) (i32.const 2))))
              (local.set $s (i32.const 0))
              (block $s4_done (loop $s4_loop
                (br_if $s4_done (i32.gt_u (i32.add (local.get $s) (i32.const 4)) (local.get $S)))
                (v128.store (i32.add (local.get $to) (i32.shl (local.get $s) (i32.const 2))) (v128.load (i32.add (local.get $from) (i32.shl (local.get $s) (i32.const 2)))))
                (local.set $s (i32.add (local.get $s) (i32.const 4)))
                (br $s4_loop)))
              (block $s_done (loop $s_loop
                (br_if $s_done (i32.ge_u (local.get $s) (local.get $S)))
                (f32.store (i32.add (local.get $to) (i32.shl (local.get $s) (i32.const 2))) (f32.load (i32.add (local.get $from) (i32.shl (local.get $s) (i32.const 2)))))
                (local.set $s (i32.add (local.get $s) (i32.const 1)))
                (br $s_loop)))
              (local.set $b (i32.add (local.get $b) (i32.const 1)))
              (br $rb_loop)))
            (local.set $a (i32.add (local.get $a) (i32.const 1)))
            (br $ra_loop)))))
      (local.set $src (i32.add (local.get $src) (i32.shl (i32.mul (i32.mul (local.get $A) (local.get $B)) (local.get $S)) (i32.const 2))))
      (local.set $dst (i32.add (local.get $dst) (i32.shl (i32.mul (i32.mul (local.get $A) (local.get $B)) (local.get $S)) (i32.const 2))))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br $n_loop)))
  )

  ;; A convolution's filter gradient, NHWC, directly: dw[r, c, ci, co] += x[b, iy, ix, ci] dy[b, oy, ox, co]
  ;; over every output position and in-bounds filter tap (iy = oy strideH + r - padTop, likewise ix), four
  ;; output channels at a time (cout a multiple of 4). For few input channels, where a matrix product
  ;; would mostly repack its operands. dw must be zeroed by the caller.
  (func (export "filter_grad")
    (param $x i32) (param $dy i32) (param $dw i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $cin i32) (param $outH i32) (param $outW i32) (param $cout i32)
    (param $strideH i32) (param $strideW i32) (param $fh i32) (param $fw i32) (param $padTop i32) (param $padLeft i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $r i32) (local $c i32) (local $ci i32) (local $co i32)
    (local $iy i32) (local $ix i32) (local $dyp i32) (local $xp i32) (local $wp i32) (local $at i32) (local $coutBytes i32)
    (local $xv v128)
    (local.set $coutBytes (i32.shl (local.get $cout) (i32.const 2)))
    (local.set $dyp (local.get $dy))
    (block $b_done (loop $b_loop
      (br_if $b_done (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $outW)))
          (local.set $r (i32.const 0))
          (block $r_done (loop $r_loop
            (br_if $r_done (i32.ge_u (local.get $r) (local.get $fh)))
            (local.set $iy (i32.sub (i32.add (i32.mul (local.get $oy) (local.get $strideH)) (local.get $r)) (local.get $padTop)))
            (if (i32.lt_u (local.get $iy) (local.get $inH))
              (then
                (local.set $c (i32.const 0))
                (block $c_done (loop $c_loop
                  (br_if $c_done (i32.ge_u (local.get $c) (local.get $fw)))
                  (local.set $ix (i32.sub (i32.add (i32.mul (local.get $ox) (local.get $strideW)) (local.get $c)) (local.get $padLeft)))
                  (if (i32.lt_u (local.get $ix) (local.get $inW))
                    (then
                      (local.set $xp (i32.add (local.get $x)
                        (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH)) (local.get $iy)) (local.get $inW)) (local.get $ix)) (local.get $cin)) (i32.const 2))))
                      (local.set $wp (i32.add (local.get $dw)
                        (i32.mul (i32.mul (i32.add (i32.mul (local.get $r) (local.get $fw)) (local.get $c)) (local.get $cin)) (local.get $coutBytes))))
                      (local.set $ci (i32.const 0))
                      (block $ci_done (loop $ci_loop
                        (br_if $ci_done (i32.ge_u (local.get $ci) (local.get $cin)))
                        (local.set $xv (f32x4.splat (f32.load (i32.add (local.get $xp) (i32.shl (local.get $ci) (i32.const 2))))))
                        (local.set $co (i32.const 0))
                        (block $co_done (loop $co_loop
                          (br_if $co_done (i32.ge_u (local.get $co) (local.get $coutBytes)))
                          (local.set $at (i32.add (local.get $wp) (local.get $co)))
                          (v128.store (local.get $at)
                            (f32x4.add (v128.load (local.get $at))
                              (f32x4.mul (local.get $xv) (v128.load (i32.add (local.get $dyp) (local.get $co))))))
                          (local.set $co (i32.add (local.get $co) (i32.const 16)))
                          (br $co_loop)))
                        (local.set $wp (i32.add (local.get $wp) (local.get $coutBytes)))
                        (local.set $ci (i32.add (local.get $ci) (i32.const 1)))
                        (br $ci_loop)))))
                  (local.set $c (i32.add (local.get $c) (i32.const 1)))
                  (br $c_loop)))))
            (local.set $r (i32.add (local.get $r) (i32.const 1)))
            (br $r_loop)))
          (local.set $dyp (i32.add (local.get $dyp) (local.get $coutBytes)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $b_loop)))
  )

  ;; C[m, n] = A[m, k] B[k, n] (+ bias[n]) (then max 0 if relu), row-major, every operand as it lies: the
  ;; products of training, whose right operand XNNPACK would first pack (wasm-matmul.ts). Four rows of C
  ;; at a time (rows past m read the last row and are not stored), across in tiles of 8 columns (8 f32x4
  ;; sums in registers), then one of 4, then single columns. Each sum starts from the bias (or 0) and adds
  ;; the products over k in order, as XNNPACK's kernels do: the results are the same, bit for bit.
  ;; One k step a round, A's four rows read at fixed distances from one pointer: two steps a round with
  ;; four row pointers ran at 28 GFLOP/s on the MLP preset's first layer (Node), this at 38-40; tiles of
  ;; 5 to 7 rows, or 12 columns, ran at 23-31 (V8 keeps 16 vector registers).
  ;; bias 0: none.
  (func (export "gemm")
    (param $a i32) (param $b i32) (param $c i32) (param $m i32) (param $k i32) (param $n i32) (param $bias i32) (param $relu i32)
    (local $i i32) (local $j i32) (local $kk i32) (local $kb i32) (local $nb i32) (local $rows i32)
    (local $a0 i32) (local $a1 i32) (local $a2 i32) (local $a3 i32) (local $p0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $pb i32) (local $pc i32) (local $end i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128) (local $zero v128)
    (local $x f32) (local $f0 f32) (local $f1 f32) (local $f2 f32) (local $f3 f32)
    (local.set $kb (i32.shl (local.get $k) (i32.const 2)))
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $zero (v128.const i32x4 0 0 0 0))
    (block $i_done (loop $i_loop
      (br_if $i_done (i32.ge_u (local.get $i) (local.get $m)))
      (local.set $rows (i32.sub (local.get $m) (local.get $i)))
      (local.set $a0 (i32.add (local.get $a) (i32.mul (local.get $i) (local.get $kb))))
      (local.set $a1 (select (i32.add (local.get $a0) (local.get $kb)) (local.get $a0) (i32.gt_u (local.get $rows) (i32.const 1))))
      (local.set $a2 (select (i32.add (local.get $a1) (local.get $kb)) (local.get $a1) (i32.gt_u (local.get $rows) (i32.const 2))))
      (local.set $a3 (select (i32.add (local.get $a2) (local.get $kb)) (local.get $a2) (i32.gt_u (local.get $rows) (i32.const 3))))
      (local.set $o1 (i32.sub (local.get $a1) (local.get $a0)))
      (local.set $o2 (i32.sub (local.get $a2) (local.get $a0)))
      (local.set $o3 (i32.sub (local.get $a3) (local.get $a0)))
      (local.set $j (i32.const 0))
      ;; 8 columns at a time
      (block $j8_done (loop $j8_loop
        (br_if $j8_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
        (local.set $b0 (local.get $zero))
        (local.set $b1 (local.get $zero))
        (if (local.get $bias) (then
          (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $b1 (v128.load offset=16 (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $c00 (local.get $b0)) (local.set $c01 (local.get $b1))
        (local.set $c10 (local.get $b0)) (local.set $c11 (local.get $b1))
        (local.set $c20 (local.get $b0)) (local.set $c21 (local.get $b1))
        (local.set $c30 (local.get $b0)) (local.set $c31 (local.get $b1))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $p0 (local.get $a0))
        (local.set $end (i32.add (local.get $a0) (local.get $kb)))
        ;; one k step a round: A's four rows read at fixed distances from p0
        (block $k_done (loop $k_loop
          (br_if $k_done (i32.ge_u (local.get $p0) (local.get $end)))
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $b1 (v128.load offset=16 (local.get $pb)))
          (local.set $s (v128.load32_splat (local.get $p0)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $p0) (local.get $o1))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $p0) (local.get $o2))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $s (v128.load32_splat (i32.add (local.get $p0) (local.get $o3))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
          (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $p0 (i32.add (local.get $p0) (i32.const 4)))
          (br $k_loop)))
        (if (local.get $relu) (then
          (local.set $c00 (f32x4.max (local.get $c00) (local.get $zero)))
          (local.set $c01 (f32x4.max (local.get $c01) (local.get $zero)))
          (local.set $c10 (f32x4.max (local.get $c10) (local.get $zero)))
          (local.set $c11 (f32x4.max (local.get $c11) (local.get $zero)))
          (local.set $c20 (f32x4.max (local.get $c20) (local.get $zero)))
          (local.set $c21 (f32x4.max (local.get $c21) (local.get $zero)))
          (local.set $c30 (f32x4.max (local.get $c30) (local.get $zero)))
          (local.set $c31 (f32x4.max (local.get $c31) (local.get $zero)))))
        (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
        (v128.store (local.get $pc) (local.get $c00)) (v128.store offset=16 (local.get $pc) (local.get $c01))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (v128.store (local.get $pc) (local.get $c10)) (v128.store offset=16 (local.get $pc) (local.get $c11))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (v128.store (local.get $pc) (local.get $c20)) (v128.store offset=16 (local.get $pc) (local.get $c21))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (v128.store (local.get $pc) (local.get $c30)) (v128.store offset=16 (local.get $pc) (local.get $c31))))
        (local.set $j (i32.add (local.get $j) (i32.const 8)))
        (br $j8_loop)))
      ;; then 4
      (if (i32.le_u (i32.add (local.get $j) (i32.const 4)) (local.get $n)) (then
        (local.set $b0 (local.get $zero))
        (if (local.get $bias) (then (local.set $b0 (v128.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $c00 (local.get $b0))
        (local.set $c10 (local.get $b0))
        (local.set $c20 (local.get $b0))
        (local.set $c30 (local.get $b0))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (i32.const 0))
        (block $k_done (loop $k_loop
          (br_if $k_done (i32.ge_u (local.get $kk) (local.get $kb)))
          (local.set $b0 (v128.load (local.get $pb)))
          (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (v128.load32_splat (i32.add (local.get $a0) (local.get $kk))) (local.get $b0))))
          (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (v128.load32_splat (i32.add (local.get $a1) (local.get $kk))) (local.get $b0))))
          (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (v128.load32_splat (i32.add (local.get $a2) (local.get $kk))) (local.get $b0))))
          (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (v128.load32_splat (i32.add (local.get $a3) (local.get $kk))) (local.get $b0))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
          (br $k_loop)))
        (if (local.get $relu) (then
          (local.set $c00 (f32x4.max (local.get $c00) (local.get $zero)))
          (local.set $c10 (f32x4.max (local.get $c10) (local.get $zero)))
          (local.set $c20 (f32x4.max (local.get $c20) (local.get $zero)))
          (local.set $c30 (f32x4.max (local.get $c30) (local.get $zero)))))
        (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
        (v128.store (local.get $pc) (local.get $c00))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (v128.store (local.get $pc) (local.get $c10))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (v128.store (local.get $pc) (local.get $c20))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (v128.store (local.get $pc) (local.get $c30))))
        (local.set $j (i32.add (local.get $j) (i32.const 4)))))
      ;; then one by one
      (block $j1_done (loop $j1_loop
        (br_if $j1_done (i32.ge_u (local.get $j) (local.get $n)))
        (local.set $x (f32.const 0))
        (if (local.get $bias) (then (local.set $x (f32.load (i32.add (local.get $bias) (i32.shl (local.get $j) (i32.const 2)))))))
        (local.set $f0 (local.get $x))
        (local.set $f1 (local.get $x))
        (local.set $f2 (local.get $x))
        (local.set $f3 (local.get $x))
        (local.set $pb (i32.add (local.get $b) (i32.shl (local.get $j) (i32.const 2))))
        (local.set $kk (i32.const 0))
        (block $k_done (loop $k_loop
          (br_if $k_done (i32.ge_u (local.get $kk) (local.get $kb)))
          (local.set $x (f32.load (local.get $pb)))
          (local.set $f0 (f32.add (local.get $f0) (f32.mul (f32.load (i32.add (local.get $a0) (local.get $kk))) (local.get $x))))
          (local.set $f1 (f32.add (local.get $f1) (f32.mul (f32.load (i32.add (local.get $a1) (local.get $kk))) (local.get $x))))
          (local.set $f2 (f32.add (local.get $f2) (f32.mul (f32.load (i32.add (local.get $a2) (local.get $kk))) (local.get $x))))
          (local.set $f3 (f32.add (local.get $f3) (f32.mul (f32.load (i32.add (local.get $a3) (local.get $kk))) (local.get $x))))
          (local.set $pb (i32.add (local.get $pb) (local.get $nb)))
          (local.set $kk (i32.add (local.get $kk) (i32.const 4)))
          (br $k_loop)))
        (if (local.get $relu) (then
          (local.set $f0 (f32.max (local.get $f0) (f32.const 0)))
          (local.set $f1 (f32.max (local.get $f1) (f32.const 0)))
          (local.set $f2 (f32.max (local.get $f2) (f32.const 0)))
          (local.set $f3 (f32.max (local.get $f3) (f32.const 0)))))
        (local.set $pc (i32.add (local.get $c) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
        (f32.store (local.get $pc) (local.get $f0))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (f32.store (local.get $pc) (local.get $f1))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (f32.store (local.get $pc) (local.get $f2))))
        (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
        (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (f32.store (local.get $pc) (local.get $f3))))
        (local.set $j (i32.add (local.get $j) (i32.const 1)))
        (br $j1_loop)))
      (local.set $i (i32.add (local.get $i) (i32.const 4)))
      (br $i_loop)))
  )

  ;; A valid convolution's filter gradient (no padding, dilation 1), NHWC: dw[k, n] += P[m, k] dy[m, n]
  ;; summed over the output pixels m, P the patch matrix (not written: patch entry k of
  ;; pixel m lies at the pixel's start + (k / run) rowBytes + (k % run) floats). Image by image (its x and
  ;; dy stay in cache), in tiles of 4 rows of dw (past K: the last row again, not stored) by 8 columns,
  ;; then one of 4; n must be a multiple of 4. dw must be zeroed by the caller.
  (func (export "filter_grad_valid")
    (param $x i32) (param $dy i32) (param $dw i32) (param $batch i32) (param $outH i32) (param $outW i32) (param $n i32) (param $K i32)
    (param $run i32) (param $rowBytes i32) (param $pixelBytes i32) (param $rowStep i32) (param $imageBytes i32)
    (local $b i32) (local $i i32) (local $j i32) (local $kk i32) (local $rows i32) (local $oy i32) (local $nb i32) (local $dyRowBytes i32)
    (local $image i32) (local $dyImage i32) (local $rowBase i32) (local $px i32) (local $pd i32) (local $pc i32) (local $end i32)
    (local $o0 i32) (local $o1 i32) (local $o2 i32) (local $o3 i32)
    (local $c00 v128) (local $c01 v128) (local $c10 v128) (local $c11 v128) (local $c20 v128) (local $c21 v128) (local $c30 v128) (local $c31 v128)
    (local $b0 v128) (local $b1 v128) (local $s v128)
    (local.set $nb (i32.shl (local.get $n) (i32.const 2)))
    (local.set $dyRowBytes (i32.mul (local.get $outW) (local.get $nb)))
    (local.set $image (local.get $x))
    (local.set $dyImage (local.get $dy))
    (block $b_done (loop $b_loop
      (br_if $b_done (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $i (i32.const 0))
      (block $i_done (loop $i_loop
        (br_if $i_done (i32.ge_u (local.get $i) (local.get $K)))
        (local.set $rows (i32.sub (local.get $K) (local.get $i)))
        (local.set $kk (local.get $i))
        (local.set $o0 (i32.add (i32.mul (i32.div_u (local.get $kk) (local.get $run)) (local.get $rowBytes)) (i32.shl (i32.rem_u (local.get $kk) (local.get $run)) (i32.const 2))))
        (local.set $kk (select (i32.add (local.get $i) (i32.const 1)) (i32.sub (local.get $K) (i32.const 1)) (i32.gt_u (local.get $rows) (i32.const 1))))
        (local.set $o1 (i32.add (i32.mul (i32.div_u (local.get $kk) (local.get $run)) (local.get $rowBytes)) (i32.shl (i32.rem_u (local.get $kk) (local.get $run)) (i32.const 2))))
        (local.set $kk (select (i32.add (local.get $i) (i32.const 2)) (i32.sub (local.get $K) (i32.const 1)) (i32.gt_u (local.get $rows) (i32.const 2))))
        (local.set $o2 (i32.add (i32.mul (i32.div_u (local.get $kk) (local.get $run)) (local.get $rowBytes)) (i32.shl (i32.rem_u (local.get $kk) (local.get $run)) (i32.const 2))))
        (local.set $kk (select (i32.add (local.get $i) (i32.const 3)) (i32.sub (local.get $K) (i32.const 1)) (i32.gt_u (local.get $rows) (i32.const 3))))
        (local.set $o3 (i32.add (i32.mul (i32.div_u (local.get $kk) (local.get $run)) (local.get $rowBytes)) (i32.shl (i32.rem_u (local.get $kk) (local.get $run)) (i32.const 2))))
        (local.set $j (i32.const 0))
        (block $j8_done (loop $j8_loop
          (br_if $j8_done (i32.gt_u (i32.add (local.get $j) (i32.const 8)) (local.get $n)))
          (local.set $pc (i32.add (local.get $dw) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $c00 (v128.load (local.get $pc)))
          (local.set $c01 (v128.load offset=16 (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c10 (v128.load (local.get $pc)))
          (local.set $c11 (v128.load offset=16 (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c20 (v128.load (local.get $pc)))
          (local.set $c21 (v128.load offset=16 (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c30 (v128.load (local.get $pc)))
          (local.set $c31 (v128.load offset=16 (local.get $pc)))
          (local.set $pd (i32.add (local.get $dyImage) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $rowBase (local.get $image))
          (local.set $oy (i32.const 0))
          (block $oy_done (loop $oy_loop
            (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
            (local.set $px (local.get $rowBase))
            (local.set $end (i32.add (local.get $pd) (local.get $dyRowBytes)))
            (block $ox_done (loop $ox_loop
              (br_if $ox_done (i32.ge_u (local.get $pd) (local.get $end)))
              (local.set $b0 (v128.load (local.get $pd)))
              (local.set $b1 (v128.load offset=16 (local.get $pd)))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o0))))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c01 (f32x4.add (local.get $c01) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c11 (f32x4.add (local.get $c11) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o2))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c21 (f32x4.add (local.get $c21) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o3))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $c31 (f32x4.add (local.get $c31) (f32x4.mul (local.get $s) (local.get $b1))))
              (local.set $px (i32.add (local.get $px) (local.get $pixelBytes)))
              (local.set $pd (i32.add (local.get $pd) (local.get $nb)))
              (br $ox_loop)))
            (local.set $rowBase (i32.add (local.get $rowBase) (local.get $rowStep)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $oy_loop)))
          (local.set $pc (i32.add (local.get $dw) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
          (v128.store (local.get $pc) (local.get $c00)) (v128.store offset=16 (local.get $pc) (local.get $c01))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (v128.store (local.get $pc) (local.get $c10)) (v128.store offset=16 (local.get $pc) (local.get $c11))))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (v128.store (local.get $pc) (local.get $c20)) (v128.store offset=16 (local.get $pc) (local.get $c21))))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (v128.store (local.get $pc) (local.get $c30)) (v128.store offset=16 (local.get $pc) (local.get $c31))))
          (local.set $j (i32.add (local.get $j) (i32.const 8)))
          (br $j8_loop)))
        (if (i32.lt_u (local.get $j) (local.get $n)) (then
          (local.set $pc (i32.add (local.get $dw) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
          (local.set $c00 (v128.load (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c10 (v128.load (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c20 (v128.load (local.get $pc)))
          (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (local.set $pc (i32.add (local.get $pc) (local.get $nb)))))
          (local.set $c30 (v128.load (local.get $pc)))
          (local.set $pd (i32.add (local.get $dyImage) (i32.shl (local.get $j) (i32.const 2))))
          (local.set $rowBase (local.get $image))
          (local.set $oy (i32.const 0))
          (block $oy_done (loop $oy_loop
            (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
            (local.set $px (local.get $rowBase))
            (local.set $end (i32.add (local.get $pd) (local.get $dyRowBytes)))
            (block $ox_done (loop $ox_loop
              (br_if $ox_done (i32.ge_u (local.get $pd) (local.get $end)))
              (local.set $b0 (v128.load (local.get $pd)))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o0))))
              (local.set $c00 (f32x4.add (local.get $c00) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o1))))
              (local.set $c10 (f32x4.add (local.get $c10) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o2))))
              (local.set $c20 (f32x4.add (local.get $c20) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $s (v128.load32_splat (i32.add (local.get $px) (local.get $o3))))
              (local.set $c30 (f32x4.add (local.get $c30) (f32x4.mul (local.get $s) (local.get $b0))))
              (local.set $px (i32.add (local.get $px) (local.get $pixelBytes)))
              (local.set $pd (i32.add (local.get $pd) (local.get $nb)))
              (br $ox_loop)))
            (local.set $rowBase (i32.add (local.get $rowBase) (local.get $rowStep)))
            (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
            (br $oy_loop)))
          (local.set $pc (i32.add (local.get $dw) (i32.add (i32.mul (local.get $i) (local.get $nb)) (i32.shl (local.get $j) (i32.const 2)))))
          (v128.store (local.get $pc) (local.get $c00))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 1)) (then (v128.store (local.get $pc) (local.get $c10))))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 2)) (then (v128.store (local.get $pc) (local.get $c20))))
          (local.set $pc (i32.add (local.get $pc) (local.get $nb)))
          (if (i32.gt_u (local.get $rows) (i32.const 3)) (then (v128.store (local.get $pc) (local.get $c30))))))
        (local.set $i (i32.add (local.get $i) (i32.const 4)))
        (br $i_loop)))
      (local.set $image (i32.add (local.get $image) (local.get $imageBytes)))
      (local.set $dyImage (i32.add (local.get $dyImage) (i32.mul (local.get $outH) (local.get $dyRowBytes))))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $b_loop)))
  )

  ;; MaxPoolGrad, NHWC, for windows that tile the input (strides equal to the window, no padding): each
  ;; input of a window gets the window's gradient if it is the window's first largest (as max_pool_grad),
  ;; else 0, written once, four channels at a time (channels a multiple of 4). Inputs past the last window
  ;; are not written: the caller zeroes dx when there are any.
  (func (export "max_pool_grad_tiles")
    (param $x i32) (param $dy i32) (param $dx i32)
    (param $batch i32) (param $inH i32) (param $inW i32) (param $C i32) (param $outH i32) (param $outW i32) (param $fh i32) (param $fw i32)
    (local $b i32) (local $oy i32) (local $ox i32) (local $c i32) (local $wy i32) (local $wx i32) (local $p i32)
    (local $rowBytes i32) (local $window i32) (local $at i32) (local $g v128)
    (local $best v128) (local $idx v128) (local $gt v128) (local $v v128)
    (local.set $rowBytes (i32.shl (i32.mul (local.get $inW) (local.get $C)) (i32.const 2)))
    (block $b_done (loop $b_loop
      (br_if $b_done (i32.ge_u (local.get $b) (local.get $batch)))
      (local.set $oy (i32.const 0))
      (block $oy_done (loop $oy_loop
        (br_if $oy_done (i32.ge_u (local.get $oy) (local.get $outH)))
        (local.set $ox (i32.const 0))
        (block $ox_done (loop $ox_loop
          (br_if $ox_done (i32.ge_u (local.get $ox) (local.get $outW)))
          ;; byte offset of the window's first input, channel 0
          (local.set $window (i32.shl (i32.mul (i32.add (i32.mul (i32.add (i32.mul (local.get $b) (local.get $inH))
            (i32.mul (local.get $oy) (local.get $fh))) (local.get $inW)) (i32.mul (local.get $ox) (local.get $fw))) (local.get $C)) (i32.const 2)))
          (local.set $c (i32.const 0))
          (block $c_done (loop $c_loop
            (br_if $c_done (i32.ge_u (local.get $c) (local.get $C)))
            (local.set $best (f32x4.splat (f32.const -inf)))
            (local.set $idx (i32x4.splat (i32.const -1)))
            (local.set $p (i32.const 0))
            (local.set $wy (i32.const 0))
            (block $y_done (loop $y_loop
              (br_if $y_done (i32.ge_u (local.get $wy) (local.get $fh)))
              (local.set $at (i32.add (i32.add (local.get $window) (i32.mul (local.get $wy) (local.get $rowBytes))) (i32.shl (local.get $c) (i32.const 2))))
              (local.set $wx (i32.const 0))
              (block $x_done (loop $x_loop
                (br_if $x_done (i32.ge_u (local.get $wx) (local.get $fw)))
                (local.set $v (v128.load (i32.add (local.get $x) (local.get $at))))
                (local.set $gt (f32x4.gt (local.get $v) (local.get $best)))
                (local.set $best (v128.bitselect (local.get $v) (local.get $best) (local.get $gt)))
                (local.set $idx (v128.bitselect (i32x4.splat (local.get $p)) (local.get $idx) (local.get $gt)))
                (local.set $at (i32.add (local.get $at) (i32.shl (local.get $C) (i32.const 2))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (local.set $wx (i32.add (local.get $wx) (i32.const 1)))
                (br $x_loop)))
              (local.set $wy (i32.add (local.get $wy) (i32.const 1)))
              (br $y_loop)))
            (local.set $g (v128.load (local.get $dy)))
            (local.set $dy (i32.add (local.get $dy) (i32.const 16)))
            (local.set $p (i32.const 0))
            (local.set $wy (i32.const 0))
            (block $y2_done (loop $y2_loop
              (br_if $y2_done (i32.ge_u (local.get $wy) (local.get $fh)))
              (local.set $at (i32.add (i32.add (local.get $window) (i32.mul (local.get $wy) (local.get $rowBytes))) (i32.shl (local.get $c) (i32.const 2))))
              (local.set $wx (i32.const 0))
              (block $x2_done (loop $x2_loop
                (br_if $x2_done (i32.ge_u (local.get $wx) (local.get $fw)))
                (v128.store (i32.add (local.get $dx) (local.get $at))
                  (v128.and (local.get $g) (i32x4.eq (local.get $idx) (i32x4.splat (local.get $p)))))
                (local.set $at (i32.add (local.get $at) (i32.shl (local.get $C) (i32.const 2))))
                (local.set $p (i32.add (local.get $p) (i32.const 1)))
                (local.set $wx (i32.add (local.get $wx) (i32.const 1)))
                (br $x2_loop)))
              (local.set $wy (i32.add (local.get $wy) (i32.const 1)))
              (br $y2_loop)))
            (local.set $c (i32.add (local.get $c) (i32.const 4)))
            (br $c_loop)))
          (local.set $ox (i32.add (local.get $ox) (i32.const 1)))
          (br $ox_loop)))
        (local.set $oy (i32.add (local.get $oy) (i32.const 1)))
        (br $oy_loop)))
      (local.set $b (i32.add (local.get $b) (i32.const 1)))
      (br $b_loop)))
  )
)
