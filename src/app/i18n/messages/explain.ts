import { defineMessages } from '../catalog';

/** The Evaluate stage's Fairness and Explanations tabs (fairness indicators, explanations, What-If). */
export const explain = defineMessages({
  en: {
    'explain.fairness.title': 'Fairness indicators',
    'explain.fairness.notBuilt': 'Fairness indicators are not built yet.',
    'explain.explain.title': 'Explanations',
    'explain.explain.notBuilt': 'Explanations and the What-If panel are not built yet.',
  },
  'zh-TW': {
    'explain.fairness.title': '公平性指標',
    'explain.fairness.notBuilt': '公平性指標尚未建置。',
    'explain.explain.title': '解釋',
    'explain.explain.notBuilt': '解釋與假設分析（What-If）面板尚未建置。',
  },
});
