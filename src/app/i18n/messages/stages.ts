import { defineMessages } from '../catalog';

/** What each stage that is not built yet will do. Shown instead of any made-up result. */
export const stages = defineMessages({
  en: {
    'notBuilt.title': 'Not built yet.',
    'notBuilt.lead': 'Nothing here is computed, so nothing here is shown. When it is built, this stage will:',
  },
  'zh-TW': {
    'notBuilt.title': '尚未建置。',
    'notBuilt.lead': '這裡沒有任何計算，因此不顯示任何結果。建置完成後，這個階段將能：',
  },
});
