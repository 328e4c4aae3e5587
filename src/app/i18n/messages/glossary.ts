/**
 * The zh-TW glossary: one Taiwan term per concept, used in every catalog of this folder. When a
 * translation needs one of these concepts, use `zh`; never any of `avoid` (mainland or mixed forms, and
 * English words left in the text). tests/unit/i18n/glossary.test.ts checks every zh-TW message against
 * `avoid`. Punctuation in zh-TW text is full-width (，。：；「」（）？！), except inside code, numbers
 * and names such as TF.js.
 *
 * Sources: the Ministry of Education's terminology (terms.naer.edu.tw) and the zh-TW documentation of
 * Windows (登錄 for registry) and TensorFlow (激勵函數 for activation function).
 */
export interface GlossaryEntry {
  /** The English term in the en catalog. */
  en: string;
  /** The one zh-TW term. */
  zh: string;
  /** Forms that must not appear in zh-TW text. */
  avoid: readonly string[];
  note?: string;
}

export const ZH_TW_GLOSSARY: readonly GlossaryEntry[] = [
  { en: 'Registry (model registry)', zh: '模型登錄', avoid: ['註冊表', '注册表', '註冊中心'], note: 'Taiwan uses 登錄 for a registry (Windows: 登錄檔)' },
  { en: 'worker (Web Worker)', zh: '背景執行緒', avoid: ['worker', 'Worker', '工作線程', '線程'], note: 'the data worker = 資料背景執行緒; the training worker = 訓練背景執行緒' },
  { en: 'activation function', zh: '激勵函數', avoid: ['激活函數', '激活函数', '啟動函數'] },
  { en: 'data', zh: '資料', avoid: ['數據'] },
  { en: 'schema', zh: '結構描述', avoid: ['模式（schema）', '架構描述'] },
  { en: 'drift', zh: '漂移', avoid: [] },
  { en: 'skew (training/serving)', zh: '偏差', avoid: ['偏斜'] },
  { en: 'threshold', zh: '門檻', avoid: ['閾值', '阈值'] },
  { en: 'default', zh: '預設', avoid: ['默認'] },
  { en: 'file', zh: '檔案', avoid: ['文件'] },
  { en: 'import / export', zh: '匯入／匯出', avoid: ['導入', '導出'] },
  { en: 'algorithm', zh: '演算法', avoid: ['算法'] },
  { en: 'network', zh: '網路', avoid: ['網絡'] },
  { en: 'memory', zh: '記憶體', avoid: ['內存'] },
  { en: 'cache', zh: '快取', avoid: ['緩存'] },
  { en: 'optimize', zh: '最佳化', avoid: ['優化'] },
  { en: 'image', zh: '影像', avoid: ['圖像'] },
  { en: 'settings', zh: '設定', avoid: ['設置'] },
  { en: 'support', zh: '支援', avoid: ['支持'] },
  { en: 'load', zh: '載入', avoid: ['加載'] },
];
