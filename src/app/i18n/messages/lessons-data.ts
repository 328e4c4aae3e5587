/** Lesson texts: scope and baseline, labeling, weak supervision, data validation, transform, feature selection. */
import type { LessonText } from './lessons';

type Ids = 'scope' | 'labeling' | 'weak-supervision' | 'validation' | 'transform' | 'feature-selection';

export const lessonsData: Record<'en' | 'zh-TW', Record<Ids, LessonText>> = {
  en: {
    scope: {
      title: 'Scope, data and a baseline',
      summary: 'Say what the model is for and what beating "no model" means, before any training.',
      paragraphs: [
        'A machine learning project starts with a sentence, not a model: what decision will the predictions feed, which column holds the answer, and how will you know a model is good enough? Writing the metric down before training keeps you from choosing whichever number looks best afterwards.',
        'A baseline turns the metric into a bar to clear. The cheapest one is to always answer the most common class; a human labeler or a simple rule are others. If a model cannot beat it, the model is not learning anything useful, however good its accuracy sounds.',
        'The demo project asks which species a penguin is from its measurements. Its scope card already names the target (Species), the metric (accuracy) and a baseline: the share of the most common species.',
      ],
      steps: {
        card: 'Open Scope and read the card: problem, target, metric and baseline. In a project of your own, fill in all four.',
        stats: 'Open Validate and choose Palmer penguins: the statistics include the target column and how often each of its values occurs.',
        beat: 'Open Train, choose Palmer penguins, keep the suggested model and start a run. Done when a finished run on the target beats the baseline on its test rows.',
      },
      questions: {
        majority: { text: 'How many penguins belong to the most common species? (Validate, the Species row: the count of its top value.)' },
      },
    },
    labeling: {
      title: 'Labeling',
      summary: 'Write down the classes and the rules, then label rows by hand and keep them as a version.',
      paragraphs: [
        'Most real data arrives without labels, and labels are where a project quietly succeeds or fails. Before labeling, write the classes and the instructions that decide the hard cases: two people reading the same instructions should give the same label.',
        'Every label is an event: who labeled which row, when. Keeping that log means labels can be undone, two labelers can be compared (Cohen\'s kappa), and a label set is an immutable version a model can be traced back to.',
      ],
      steps: {
        schema: 'Open Label, choose MNIST digits and save a label schema with the classes 0 to 9 and a line of instructions.',
        ten: 'In the queue, label at least ten digits with the number keys. An undo takes a label back.',
        set: 'Save your labels as a label set: a manual label set version.',
      },
      questions: {
        count: { text: 'How many rows hold a label now (undone labels do not count)?' },
      },
    },
    'weak-supervision': {
      title: 'Weak supervision on the spam demo',
      summary: 'Label thousands of emails with a few noisy rules and a label model, then train an end model on them.',
      paragraphs: [
        'Hand labeling does not scale to thousands of rows. Weak supervision writes labeling functions instead: small rules (a keyword, a regular expression, a threshold) that vote for a class or abstain. Each is noisy and covers only some rows.',
        'A label model combines the votes. Majority vote counts them; the label model also estimates how accurate each function is from where they agree and disagree, without seeing any true label, and weighs them accordingly.',
        'The probabilistic labels then train an end model, which reads the whole email rather than the few words the rules look at, so it can label rows no function covered. The SpamAssassin demo keeps its true labels in a column, so you can measure all three on the same test rows.',
      ],
      steps: {
        functions: 'Open Label, choose SpamAssassin emails, open Functions and load the spam demo functions (or write at least two of your own).',
        'label-model': 'Run the functions scored against the column "label", then save the label model\'s labels as a label set.',
        'end-model': 'Train an end model on that label set (the button below the label model\'s results opens the Train stage ready for it) and wait for the run to finish.',
      },
      questions: {
        winner: {
          text: 'On the run\'s test rows, which scored the highest accuracy?',
          choices: { 'end-model': 'the end model', 'label-model': 'the label model', 'majority-vote': 'majority vote' },
        },
      },
    },
    validation: {
      title: 'Data validation',
      summary: 'Describe the data with statistics, write down what it must look like as a schema, and check new data against it.',
      paragraphs: [
        'Models fail silently when their data changes: a column goes missing, a category appears that training never saw, a unit changes from grams to kilograms. Data validation catches this before training or serving, the way TensorFlow Data Validation does.',
        'Statistics describe one version of the data: counts, missing values, distributions. A schema is what you expect of every version: types, allowed values, ranges, how often a column may be missing. It is inferred from statistics and then edited by a person, and every change is a new schema version.',
        'New data is then validated against the schema (anomalies), and two versions are compared for drift: how far each column\'s distribution moved, against a threshold you set.',
      ],
      steps: {
        stats: 'Open Validate and choose Palmer penguins: statistics are computed in the data worker and kept.',
        infer: 'In the Schema tab, infer a schema from the statistics.',
        ranges: 'Set value ranges from the statistics and save: a new schema version that pins each number\'s range.',
      },
      questions: {
        missing: { text: 'Which column has the most missing values?' },
      },
    },
    transform: {
      title: 'Transform',
      summary: 'Fit the preprocessing on the training rows once and ship it with the model, so serving computes the same features.',
      paragraphs: [
        'Preprocessing such as scaling a number or turning a category into a vocabulary needs statistics of the data: a mean, a list of values. Computed in a notebook and rewritten in a server, the two versions drift apart: training/serving skew.',
        'tf.Transform splits preprocessing into an analyze phase, run once over the training rows, and a fixed function applied everywhere after. Pipette does the same: a transform version is its steps with their analyzers\' outputs, fitted only on the training split so no test row shapes it, and a model trained on it carries it in its bundle.',
      ],
      steps: {
        version: 'Open Transform, choose Palmer penguins with the label Species, add steps (a z-score of a measurement, a vocabulary of Island) and analyze them: a transform version.',
        train: 'Open Train, choose that transform as the features and train a model on it.',
      },
      questions: {
        'train-rows': { text: 'How many training rows did the newest transform\'s analyzers read?' },
      },
    },
    'feature-selection': {
      title: 'Feature selection',
      summary: 'Rank the columns by how much they tell about the label, and see whether a model on fewer of them does as well.',
      paragraphs: [
        'More columns are not always better: each one costs collecting, validating and serving, and some only add noise or repeat another column. Feature selection ranks columns by what they say about the label.',
        'Filter methods score each column alone (mutual information, a chi-squared test); wrapper methods train small models on subsets; embedded methods read a sparse model\'s weights. The proof is a model: train on the chosen subset and compare it with the model on every column, on the same split.',
      ],
      steps: {
        rank: 'Open Transform, then the Feature selection tab, choose Palmer penguins with the label Species and rank the columns. Nothing is stored, so mark this step yourself.',
        subset: 'Train two models on the same data and label: one on every column and one on a subset (the "Train on this subset" link fills the form).',
      },
      questions: {
        better: {
          text: 'Which of the two newest runs has the higher test accuracy?',
          choices: { all: 'every column', subset: 'the subset', same: 'the same' },
        },
      },
    },
  },
  'zh-TW': {
    scope: {
      title: '範疇、資料與基準',
      summary: '在訓練之前，先說清楚模型要做什麼，以及怎樣才算勝過「沒有模型」。',
      paragraphs: [
        '機器學習專案從一句話開始，而不是從模型開始：預測結果會用在什麼決策上、哪一欄是答案、怎麼知道模型夠好？在訓練前先寫下評估指標，才不會事後挑一個看起來最好的數字。',
        '基準把指標變成要跨過的門檻。最便宜的基準是永遠回答最常見的類別；人工標註者的表現或一條簡單規則也可以。模型若無法勝過基準，不論準確率聽起來多高，它都沒有學到有用的東西。',
        '示範專案要從企鵝的量測值判斷牠的物種。它的範疇卡片已經寫好目標欄位（Species）、指標（accuracy）與基準：最常見物種所占的比例。',
      ],
      steps: {
        card: '開啟「範疇」並閱讀卡片：問題、目標、指標與基準。在你自己的專案裡，四項都要填寫。',
        stats: '開啟「驗證」並選擇 Palmer penguins：統計資料包含目標欄位，以及每個值出現的次數。',
        beat: '開啟「訓練」，選擇 Palmer penguins，保留建議的模型並開始訓練。當一次以目標欄位訓練完成的執行在測試資料上勝過基準時，這一步就完成。',
      },
      questions: {
        majority: { text: '最常見的物種有幾隻企鵝？（「驗證」的 Species 那一列：最常見值的次數。）' },
      },
    },
    labeling: {
      title: '資料標註',
      summary: '寫下類別與規則，再逐列人工標註，並保存為一個版本。',
      paragraphs: [
        '真實的資料大多沒有標籤，而標籤往往決定專案的成敗。標註之前，先寫下類別和判斷困難案例的說明：兩個人讀同一份說明，應該給出相同的標籤。',
        '每個標籤都是一筆事件：誰在什麼時候標註了哪一列。保存這份紀錄，標籤才能復原、兩位標註者才能互相比較（Cohen 的 kappa），而標籤集是不可變的版本，模型可以追溯回它。',
      ],
      steps: {
        schema: '開啟「標註」，選擇 MNIST digits，儲存一份標籤結構描述：類別 0 到 9，加上一行說明。',
        ten: '在佇列中用數字鍵標註至少十個數字。復原可以收回一個標籤。',
        set: '把你的標籤儲存為標籤集：一個人工標籤集版本。',
      },
      questions: {
        count: { text: '現在有幾列帶有標籤？（已復原的標籤不算。）' },
      },
    },
    'weak-supervision': {
      title: '垃圾郵件示範中的弱監督',
      summary: '用幾條有雜訊的規則和標註模型標註數千封郵件，再以它們訓練最終模型。',
      paragraphs: [
        '人工標註無法擴展到數千列。弱監督改寫標註函式：小規則（關鍵字、正規表示式、門檻）為某個類別投票，或者棄權。每條規則都有雜訊，也只涵蓋部分資料列。',
        '標註模型把投票結合起來。多數決只是計票；標註模型還會從規則之間的一致與分歧，估計每條規則的準確度（不看任何真實標籤），並依此加權。',
        '這些機率標籤接著用來訓練最終模型。最終模型讀取整封郵件，而不只是規則看的那幾個字，所以能標註沒有任何規則涵蓋的資料列。SpamAssassin 示範資料把真實標籤保留在一個欄位中，因此三者可以在同一批測試資料上比較。',
      ],
      steps: {
        functions: '開啟「標註」，選擇 SpamAssassin emails，開啟標註函式並載入垃圾郵件示範函式（或自己寫至少兩條）。',
        'label-model': '以欄位「label」作為評分依據執行這些函式，再把標註模型的標籤儲存為標籤集。',
        'end-model': '以這個標籤集訓練最終模型（標註模型結果下方的按鈕會開啟已準備好的「訓練」階段），等待執行完成。',
      },
      questions: {
        winner: {
          text: '在這次執行的測試資料上，哪一個的準確率最高？',
          choices: { 'end-model': '最終模型', 'label-model': '標註模型', 'majority-vote': '多數決' },
        },
      },
    },
    validation: {
      title: '資料驗證',
      summary: '用統計資料描述資料，用結構描述寫下資料應有的樣子，並以它檢查新資料。',
      paragraphs: [
        '資料改變時，模型會無聲無息地出錯：某個欄位不見了、出現訓練時沒看過的類別、單位從公克變成公斤。資料驗證在訓練或上線之前就抓到這些問題，如同 TensorFlow Data Validation。',
        '統計資料描述一個版本的資料：筆數、缺失值、分布。結構描述則是你對每個版本的期待：型別、允許的值、範圍、欄位可以缺失的比例。它先從統計資料推斷，再由人編輯，每次修改都是一個新的結構描述版本。',
        '接著以結構描述驗證新資料（異常），並比較兩個版本的漂移：每個欄位的分布移動了多遠，與你設定的門檻相比。',
      ],
      steps: {
        stats: '開啟「驗證」並選擇 Palmer penguins：統計資料在資料背景執行緒中計算並保存。',
        infer: '在結構描述分頁中，從統計資料推斷結構描述。',
        ranges: '從統計資料設定值的範圍並儲存：一個固定每個數值範圍的新結構描述版本。',
      },
      questions: {
        missing: { text: '哪一個欄位的缺失值最多？' },
      },
    },
    transform: {
      title: '特徵轉換',
      summary: '只在訓練資料上擬合一次前處理，並隨模型一起發布，讓上線時算出相同的特徵。',
      paragraphs: [
        '像是縮放數值或把類別變成詞彙表這樣的前處理，需要資料的統計量：平均值、值的清單。若在筆記本裡算一次、在伺服器上再重寫一次，兩個版本會漸行漸遠：這就是訓練與上線的偏差。',
        'tf.Transform 把前處理分成分析階段（在訓練資料上執行一次）和之後處處套用的固定函式。Pipette 也這樣做：轉換版本是它的步驟加上分析器的輸出，只在訓練分割上擬合，測試資料不會影響它；以它訓練的模型會把它放進模型套件中。',
      ],
      steps: {
        version: '開啟「轉換」，選擇 Palmer penguins 並以 Species 為標籤，加入步驟（某個量測值的 z 分數、Island 的詞彙表）並執行分析：得到一個轉換版本。',
        train: '開啟「訓練」，選擇該轉換作為特徵，並以它訓練模型。',
      },
      questions: {
        'train-rows': { text: '最新轉換版本的分析器讀了幾列訓練資料？' },
      },
    },
    'feature-selection': {
      title: '特徵選擇',
      summary: '依欄位對標籤的資訊量排序，看看用較少欄位的模型是否一樣好。',
      paragraphs: [
        '欄位並非越多越好：每個欄位都要收集、驗證和上線，有些只增加雜訊，或重複另一個欄位的資訊。特徵選擇依欄位對標籤透露的資訊來排序。',
        '過濾法單獨為每個欄位評分（相互資訊、卡方檢定）；包裝法在子集上訓練小模型；嵌入法讀取稀疏模型的權重。最後的證明是模型：以選出的子集訓練，並在相同的分割上與使用所有欄位的模型比較。',
      ],
      steps: {
        rank: '開啟「轉換」的特徵選擇分頁，選擇 Palmer penguins 並以 Species 為標籤，為欄位排序。這個結果不會保存，請自行標示這一步。',
        subset: '在相同資料與標籤上訓練兩個模型：一個使用所有欄位，一個使用子集（「以這個子集訓練」連結會填好表單）。',
      },
      questions: {
        better: {
          text: '最新的兩次執行中，哪一個的測試準確率較高？',
          choices: { all: '所有欄位', subset: '子集', same: '一樣' },
        },
      },
    },
  },
};
