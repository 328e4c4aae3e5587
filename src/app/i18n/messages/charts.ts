import { defineMessages } from '../catalog';

/** The chart widgets (src/ui/widgets/charts) and the colour theme switch. */
export const charts = defineMessages({
  en: {
    'charts.hint': 'Point at the chart, or focus it and use the arrow keys, to read the values; drag across it to zoom.',
    'charts.keys': 'Arrow keys move between points, Home and End go to the first and last, plus zooms in, Escape resets the zoom.',
    'charts.resetZoom': 'Reset zoom',
    'charts.panEarlier': 'Show earlier',
    'charts.panLater': 'Show later',
    'charts.logScale': 'Log scale',
    'charts.table': 'Data table ({count, plural, one {# row} other {# rows}})',
    'charts.threshold': 'Threshold',
    'charts.noValue': '—',
    'charts.empty': 'Nothing to show yet.',

    'theme.heading': 'Appearance',
    'theme.label': 'Colour theme',
    'theme.system': 'Same as the system',
    'theme.light': 'Light',
    'theme.dark': 'Dark',
    'theme.hint': 'Charts follow the theme. Your choice is remembered on this device.',
  },
  'zh-TW': {
    'charts.hint': '將游標移到圖表上，或聚焦圖表後用方向鍵，即可讀取數值；在圖上拖曳可放大。',
    'charts.keys': '方向鍵在資料點間移動，Home 與 End 跳到第一個與最後一個，加號放大，Esc 還原縮放。',
    'charts.resetZoom': '還原縮放',
    'charts.panEarlier': '往前看',
    'charts.panLater': '往後看',
    'charts.logScale': '對數刻度',
    'charts.table': '資料表（{count, plural, other {# 列}}）',
    'charts.threshold': '門檻',
    'charts.noValue': '—',
    'charts.empty': '目前還沒有資料。',

    'theme.heading': '外觀',
    'theme.label': '色彩主題',
    'theme.system': '跟隨系統',
    'theme.light': '淺色',
    'theme.dark': '深色',
    'theme.hint': '圖表會跟著主題變換顏色。你的選擇會記在這台裝置上。',
  },
});
