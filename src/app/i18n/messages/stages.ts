import { defineMessages } from '../catalog';

/** What each stage that is not built yet will do. Shown instead of any made-up result. */
export const stages = defineMessages({
  en: {
    'notBuilt.title': 'Not built yet.',
    'notBuilt.lead': 'Nothing here is computed, so nothing here is shown. When it is built, this stage will:',
    'notBuilt.label': 'Label rows quickly from the keyboard, write labeling functions for weak supervision (as Snorkel does), measure agreement between labelers, and combine votes with a label model into a new label-set version.',
    'notBuilt.validate': 'Compute statistics for every column, infer and edit a schema, find rows that break it, and measure drift and training/serving skew between versions (as TensorFlow Data Validation does).',
    'notBuilt.transform': 'Define feature transformations (scaling, bucketizing, vocabularies, crosses) whose statistics are computed on training data and travel with the model (as tf.Transform does), and select features.',
    'notBuilt.train': 'Build a model from presets or layer by layer, train it in a worker on WebGPU, WebGL, WASM or CPU with live curves and checkpoints, and compare runs.',
    'notBuilt.tune': 'Search hyperparameters with random search, Hyperband or Bayesian optimization (as KerasTuner does), each trial a recorded run.',
    'notBuilt.optimize': 'Make a trained model smaller and faster: post-training quantization, magnitude pruning and knowledge distillation, compared side by side.',
    'notBuilt.evaluate': 'Evaluate a model on slices of the data with confidence intervals, set thresholds that bless or block it, check fairness across groups and explain predictions (as TFMA and the What-If Tool do).',
    'notBuilt.registry': 'Keep immutable model versions with their lineage, give them aliases such as staging and production, and export TF.js bundles for serving.',
    'notBuilt.pipelines': 'Chain the stages into a pipeline that reruns on new data, with the lineage of every artifact and execution (as TFX and ML Metadata do).',
  },
  'zh-TW': {
    'notBuilt.title': '尚未建置。',
    'notBuilt.lead': '這裡沒有任何計算，因此不顯示任何結果。建置完成後，這個階段將能：',
    'notBuilt.label': '用鍵盤快速標註資料列，撰寫標註函式進行弱監督（如 Snorkel），衡量標註者之間的一致性，並以標註模型合併投票，產生新的標註集版本。',
    'notBuilt.validate': '計算每個欄位的統計量，推斷並編輯結構描述（schema），找出違反它的資料列，並衡量版本之間的漂移與訓練／服務偏差（如 TensorFlow Data Validation）。',
    'notBuilt.transform': '定義特徵轉換（縮放、分桶、詞彙表、特徵交叉），其統計量在訓練資料上計算並隨模型一起保存（如 tf.Transform），並進行特徵選擇。',
    'notBuilt.train': '從預設範本或逐層建立模型，在背景執行緒中以 WebGPU、WebGL、WASM 或 CPU 訓練，即時顯示學習曲線、儲存檢查點，並比較多次執行。',
    'notBuilt.tune': '以隨機搜尋、Hyperband 或貝氏最佳化搜尋超參數（如 KerasTuner），每次試驗都是一筆記錄下來的執行。',
    'notBuilt.optimize': '讓訓練好的模型更小更快：訓練後量化、權重剪枝與知識蒸餾，並排比較。',
    'notBuilt.evaluate': '在資料切片上評估模型並附信賴區間，設定決定是否核可的門檻，檢查各群體間的公平性，並解釋預測（如 TFMA 與 What-If Tool）。',
    'notBuilt.registry': '保存不可變的模型版本及其來源脈絡，為版本加上 staging、production 等別名，並匯出供服務使用的 TF.js 套件。',
    'notBuilt.pipelines': '將各階段串成可在新資料上重新執行的管線，並記錄每個產出物與執行的來源脈絡（如 TFX 與 ML Metadata）。',
  },
});
