import { defineMessages } from '../catalog';

/**
 * Why an optimization was refused (core/optimize/errors.ts OptimizeErrorWhy, keys optimize.why.<code>.<why>):
 * the {detail} of optimize.error.cannot-quantize and label-mismatch. A bad-option why is a sentence of its
 * own (it replaces "{field} is out of range"). Kept apart from optimize.ts for its length; spread into it.
 */
export const optimizeWhy = defineMessages({
  en: {
    'optimize.why.cannot-quantize.weight-data': 'weight "{weight}" does not fit the weight data',
    'optimize.why.cannot-quantize.byte-count': 'the weight data holds {bytes} bytes, but the manifest lists {listed}',
    'optimize.why.cannot-quantize.non-finite': 'weight "{weight}" holds {value} at index {index}; a model with non-finite weights cannot be quantized (it was probably trained with a diverging loss)',
    'optimize.why.cannot-quantize.float16-range': 'weight "{weight}" has a value of magnitude {value}, beyond float16\'s largest {max}; use 8-bit or 16-bit affine quantization instead',
    'optimize.why.cannot-quantize.nothing-worth': 'every float32 weight has fewer than {minElements} values (or was skipped), so the size would not change',

    'optimize.why.label-mismatch.missing-labels': 'the teacher does not know {missingCount, plural, one {# class} other {# classes}} of this data ({missing})',
    'optimize.why.label-mismatch.extra-labels': 'the teacher also predicts {extraCount, plural, one {# class} other {# classes}} this data does not have ({extra})',
    'optimize.why.label-mismatch.missing-and-extra': 'the teacher does not know {missing}, and it also predicts {extra}, which this data does not have',
    'optimize.why.label-mismatch.duplicate-label': 'a class name appears twice',
    'optimize.why.label-mismatch.outputs': 'the teacher has {teacher} outputs, the labels {student} classes',
    'optimize.why.label-mismatch.unknown-class': 'the model was trained on other classes; "{value}" in column "{column}" is not one of them',

    'optimize.why.bad-option.no-teacher-spec': 'The teacher has no layer description (it was imported without one), so no narrower student can be made of it: give hidden sizes instead.',
    'optimize.why.bad-option.invalid-student': 'The student is not a valid model: {issues}',
    'optimize.why.bad-option.empty-train': 'The training split has no rows.',
    'optimize.why.bad-option.early-stopping': 'Early stopping cannot be used while pruning: it could end fine-tuning before the schedule reaches its final sparsity.',
  },
  'zh-TW': {
    'optimize.why.cannot-quantize.weight-data': '權重「{weight}」與權重資料不符。',
    'optimize.why.cannot-quantize.byte-count': '權重資料有 {bytes} 位元組，但權重清單列出的是 {listed} 位元組。',
    'optimize.why.cannot-quantize.non-finite': '權重「{weight}」在索引 {index} 的值為 {value}；含有非有限值權重的模型無法量化（它可能是在損失發散時訓練出來的）。',
    'optimize.why.cannot-quantize.float16-range': '權重「{weight}」有絕對值為 {value} 的值，超過 float16 的最大值 {max}；請改用 8 位元或 16 位元的仿射量化。',
    'optimize.why.cannot-quantize.nothing-worth': '每個 float32 權重的值都少於 {minElements} 個（或已被略過），量化後大小不會改變。',

    'optimize.why.label-mismatch.missing-labels': '教師模型不認得這份資料中的 {missingCount} 個類別（{missing}）。',
    'optimize.why.label-mismatch.extra-labels': '教師模型還會預測這份資料沒有的 {extraCount} 個類別（{extra}）。',
    'optimize.why.label-mismatch.missing-and-extra': '教師模型不認得 {missing}，而且還會預測這份資料沒有的 {extra}。',
    'optimize.why.label-mismatch.duplicate-label': '有類別名稱重複出現。',
    'optimize.why.label-mismatch.outputs': '教師模型有 {teacher} 個輸出，標籤卻有 {student} 個類別。',
    'optimize.why.label-mismatch.unknown-class': '模型是以其他類別訓練的；欄位「{column}」中的「{value}」不在其中。',

    'optimize.why.bad-option.no-teacher-spec': '教師模型沒有層的描述（匯入時就沒有），因此無法從它做出較窄的學生模型：請改為指定隱藏層大小。',
    'optimize.why.bad-option.invalid-student': '學生模型不是有效的模型：{issues}',
    'optimize.why.bad-option.empty-train': '訓練集沒有任何列。',
    'optimize.why.bad-option.early-stopping': '剪枝時不能使用提前停止：它可能在排程達到最終稀疏度之前就結束微調。',
  },
});
