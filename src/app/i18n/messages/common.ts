import { defineMessages } from '../catalog';

export const common = defineMessages({
  en: {
    'app.name': 'Pipette',
    'app.tagline': 'The production-ML lifecycle in one browser tab',
    'action.cancel': 'Cancel',
    'action.confirm': 'Confirm',
    'action.delete': 'Delete',
    'action.save': 'Save',
    'action.close': 'Close',
  },
  'zh-TW': {
    'app.name': 'Pipette',
    'app.tagline': '在一個瀏覽器分頁中走完整個生產級機器學習生命週期',
    'action.cancel': '取消',
    'action.confirm': '確認',
    'action.delete': '刪除',
    'action.save': '儲存',
    'action.close': '關閉',
  },
});
