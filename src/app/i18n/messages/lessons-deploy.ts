/** Lesson texts: model analysis, explanations, fairness, serving, pipelines, MLOps levels. */
import type { LessonText } from './lessons';

type Ids = 'model-analysis' | 'explanations' | 'fairness' | 'serving' | 'pipelines' | 'mlops';

export const lessonsDeploy: Record<'en' | 'zh-TW', Record<Ids, LessonText>> = {
  en: {
    'model-analysis': {
      title: 'Model analysis',
      summary: 'Look past the overall accuracy: metrics per slice, and thresholds that bless a model or not.',
      paragraphs: [
        'One accuracy over the whole test set hides where a model fails. Model analysis, as TensorFlow Model Analysis does it, computes the metrics on slices of the data (each island, each sex, their crossing), with a confidence interval, and flags slices too small to judge.',
        'Thresholds turn the analysis into a decision: a minimum accuracy, or no worse than the model in production. A model that passes is blessed, and only a blessed model is promoted without a written reason.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry.',
        sliced: 'Open Evaluate, choose that model and evaluate it sliced by Island.',
        thresholds: 'Evaluate it again with a threshold (for example accuracy at least 0.9) and read the blessing.',
      },
      questions: {
        worst: { text: 'In the newest sliced evaluation, which slice has the lowest accuracy?' },
      },
    },
    explanations: {
      title: 'Explainable AI',
      summary: 'Ask which inputs a prediction leans on, for the model as a whole and for one penguin.',
      paragraphs: [
        'An explanation says which inputs a prediction depends on. Permutation importance shuffles one column at a time and measures how much the score drops: a global view. KernelSHAP and integrated gradients attribute one prediction to its inputs: a local view.',
        'A What-If form changes one value of an example and shows the new prediction, and a counterfactual is the nearest change that flips it. Explanations describe the model, not the world: a column the model leans on is not necessarily a cause.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry.',
        importance: 'Open Evaluate, choose the model, and in Explanations compute permutation importance. Results are shown, not stored: mark this step yourself.',
        'what-if': 'In What-If, change one value of a penguin and watch the prediction change. Mark this step yourself.',
      },
      questions: {
        inputs: { text: 'How many input columns does the newest model read (the fields the What-If form shows)?' },
      },
    },
    fairness: {
      title: 'Fairness indicators',
      summary: 'Compare the model\'s error rates between groups, and decide what a gap means.',
      paragraphs: [
        'A model can be accurate overall and still make most of its mistakes on one group. Fairness indicators compute the same rates (accuracy, false positive rate, false negative rate) per group of a sensitive column and the gaps between them.',
        'Which gap matters depends on the use: a missed diagnosis and a false alarm cost different people different things. Small groups give wide intervals, so a gap is a question to investigate before it is a verdict.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry.',
        sliced: 'Open Evaluate and evaluate the model sliced by Sex.',
        rates: 'In Fairness, choose Sex as the sensitive column and read the rates per group and their gaps. Mark this step yourself.',
      },
      questions: {
        lower: { text: 'In the newest evaluation sliced by Sex, which group has the lower accuracy?' },
      },
    },
    serving: {
      title: 'Serving',
      summary: 'Answer TF Serving\'s REST requests from this tab, and watch what the model is asked.',
      paragraphs: [
        'A model is useful once programs can ask it. TF Serving answers REST requests such as POST /v1/models/NAME:predict with a JSON body of instances, and reports each model\'s versions and status.',
        'Pipette answers the same requests from the tab: the service worker hands each request on the app\'s own origin to this window, which predicts with the registry\'s model. Every answer is logged, so the Monitoring view can show request rates, latency, errors and whether what the model is asked drifts from what it was trained on.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry.',
        answered: 'Open Deploy, copy the predict example and run it in the browser\'s console: a request answered with status 200.',
        error: 'Send a broken request (a typo in the model name or in the JSON): TF Serving answers with an error and a status of 400 or more.',
      },
      questions: {
        requests: { text: 'How many requests has the tab answered in this project (the Monitoring view counts them)?' },
      },
    },
    pipelines: {
      title: 'ML pipelines',
      summary: 'Turn the stages into components of one pipeline that runs, caches and records its lineage.',
      paragraphs: [
        'Doing each stage by hand does not repeat well. A pipeline, as TFX builds it, wires components (ExampleGen, StatisticsGen, SchemaGen, ExampleValidator, Transform, Trainer, Evaluator, Pusher) through the artifacts they produce and consume.',
        'Because each component\'s inputs and settings are known, an unchanged component is not run again: its earlier output is reused (cached). Every execution and artifact is recorded in ML Metadata, so any model can be traced back to the data it came from.',
      ],
      steps: {
        version: 'Open Pipelines and add the demo pipeline: a pipeline version.',
        run: 'Run it and wait until it succeeds.',
        cached: 'Run it again: unchanged components are reused, shown as cached.',
      },
      questions: {
        components: { text: 'How many components did the newest successful run have?' },
      },
    },
    mlops: {
      title: 'MLOps levels and continuous training',
      summary: 'From training by hand (level 0) to a pipeline that retrains itself when data or drift says so.',
      paragraphs: [
        'At MLOps level 0 a person trains and hands over a model; nothing repeats it. At level 1 the pipeline is the product: it runs again by itself (continuous training) when new data arrives, on a schedule, or when served data drifts, and a model reaches production only through its Evaluator\'s blessing. At level 2 the pipeline itself is built, tested and deployed automatically too.',
        'In Pipette a pipeline\'s triggers watch for a new version of its dataset, a schedule, or drift in the requests the production model serves, and each automatic run says why it ran.',
      ],
      steps: {
        production: 'Give a model the alias production (the Pipelines demo run\'s Pusher does, or promote one in the registry).',
        trigger: 'Open Pipelines and switch on a trigger for the demo pipeline: a schedule every minute is the quickest.',
        automatic: 'Keep the app open until a run started by the trigger has finished.',
      },
      questions: {
        why: {
          text: 'What started the newest automatic run?',
          choices: { 'new-data': 'a new version of the data', schedule: 'the schedule', drift: 'drift in served requests' },
        },
      },
    },
  },
  'zh-TW': {
    'model-analysis': {
      title: '模型分析',
      summary: '不只看整體準確率：看每個切片的指標，以及決定是否核可模型的門檻。',
      paragraphs: [
        '整個測試集上的單一準確率，會掩蓋模型在哪裡出錯。模型分析（如同 TensorFlow Model Analysis）在資料的切片上計算指標（每座島、每種性別、兩者交叉），附上信賴區間，並標出太小而無法判斷的切片。',
        '門檻把分析變成決策：最低準確率，或不比上線中的模型差。通過的模型會被核可，只有被核可的模型不需寫下理由就能推上線。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄。',
        sliced: '開啟「評估」，選擇該模型並依 Island 切片評估。',
        thresholds: '再以門檻評估一次（例如準確率至少 0.9），並閱讀核可結果。',
      },
      questions: {
        worst: { text: '在最新的切片評估中，哪個切片的準確率最低？' },
      },
    },
    explanations: {
      title: '可解釋的人工智慧',
      summary: '問問預測依賴哪些輸入：對整個模型，也對單一隻企鵝。',
      paragraphs: [
        '解釋說明預測依賴哪些輸入。排列重要性一次打亂一個欄位，量測分數下降多少：這是整體的觀點。KernelSHAP 與積分梯度把單一預測歸因到它的輸入：這是局部的觀點。',
        'What-If 表單改變一個範例的某個值並顯示新的預測；反事實則是讓預測翻轉的最小改變。解釋描述的是模型，而不是世界：模型依賴的欄位不一定是原因。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄。',
        importance: '開啟「評估」，選擇該模型，在解釋中計算排列重要性。結果只顯示、不保存：請自行標示這一步。',
        'what-if': '在 What-If 中改變一隻企鵝的某個值，觀察預測如何改變。請自行標示這一步。',
      },
      questions: {
        inputs: { text: '最新的模型讀取幾個輸入欄位（What-If 表單顯示的欄位）？' },
      },
    },
    fairness: {
      title: '公平性指標',
      summary: '比較模型在不同群體之間的錯誤率，並判斷差距代表什麼。',
      paragraphs: [
        '模型可能整體準確，卻把大部分錯誤集中在某個群體上。公平性指標依敏感欄位的每個群體計算相同的比率（準確率、偽陽性率、偽陰性率），以及群體之間的差距。',
        '哪個差距重要取決於用途：漏診與誤報讓不同的人付出不同的代價。小群體的信賴區間很寬，所以差距是需要調查的問題，而不是定論。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄。',
        sliced: '開啟「評估」，依 Sex 切片評估該模型。',
        rates: '在公平性中選擇 Sex 作為敏感欄位，閱讀各群體的比率與差距。請自行標示這一步。',
      },
      questions: {
        lower: { text: '在最新依 Sex 切片的評估中，哪個群體的準確率較低？' },
      },
    },
    serving: {
      title: '模型上線服務',
      summary: '從這個分頁回應 TF Serving 的 REST 請求，並觀察模型被問了什麼。',
      paragraphs: [
        '程式能夠詢問模型之後，模型才有用處。TF Serving 回應像 POST /v1/models/名稱:predict 這樣、本文為 JSON 實例的 REST 請求，並回報每個模型的版本與狀態。',
        'Pipette 從分頁回應相同的請求：應用程式的背景服務程式把應用程式自己網址上的每個請求轉給這個視窗，由它以模型登錄中的模型預測。每個回應都有紀錄，所以監控檢視能顯示請求速率、延遲、錯誤，以及模型被問的資料是否已從訓練資料漂移。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄。',
        answered: '開啟「部署」，複製預測範例並在瀏覽器的主控台執行：得到狀態 200 的回應。',
        error: '送出一個有錯的請求（模型名稱或 JSON 打錯）：TF Serving 會以錯誤及 400 以上的狀態回應。',
      },
      questions: {
        requests: { text: '這個專案中，分頁總共回應了幾個請求？（監控檢視會計算）' },
      },
    },
    pipelines: {
      title: '機器學習管線',
      summary: '把各階段變成同一條管線的元件：能執行、能快取，並記錄來源脈絡。',
      paragraphs: [
        '每個階段都手動操作，很難重現。管線（如同 TFX 的做法）透過元件產生與使用的產出物，把元件串接起來：ExampleGen、StatisticsGen、SchemaGen、ExampleValidator、Transform、Trainer、Evaluator、Pusher。',
        '因為每個元件的輸入與設定都是已知的，沒有改變的元件不會再執行：直接重用先前的輸出（快取）。每次執行與每個產出物都記錄在 ML Metadata 中，所以任何模型都能追溯回它來自的資料。',
      ],
      steps: {
        version: '開啟「管線」並加入示範管線：得到一個管線版本。',
        run: '執行它，等到成功完成。',
        cached: '再執行一次：沒有改變的元件會被重用，顯示為已快取。',
      },
      questions: {
        components: { text: '最新一次成功的執行有幾個元件？' },
      },
    },
    mlops: {
      title: 'MLOps 等級與持續訓練',
      summary: '從手動訓練（等級 0）到一條會在資料或漂移需要時自行重新訓練的管線。',
      paragraphs: [
        '在 MLOps 等級 0，由人訓練模型再交出去，沒有任何東西會重複這個過程。在等級 1，管線本身就是產品：當新資料到達、依排程、或上線資料漂移時，它會自行再執行（持續訓練），而模型只有通過評估器的核可才能上線。在等級 2，管線本身也會自動建置、測試與部署。',
        '在 Pipette 中，管線的觸發條件會注意資料集的新版本、排程，或上線模型所收到請求的漂移；每次自動執行都會說明它為什麼執行。',
      ],
      steps: {
        production: '讓某個模型擁有別名 production（示範管線執行中的 Pusher 會這樣做，或在模型登錄中把一個模型推上線）。',
        trigger: '開啟「管線」，為示範管線開啟一個觸發條件：每分鐘一次的排程最快。',
        automatic: '讓應用程式保持開啟，直到一次由觸發條件啟動的執行完成。',
      },
      questions: {
        why: {
          text: '最新一次自動執行是由什麼啟動的？',
          choices: { 'new-data': '資料的新版本', schedule: '排程', drift: '上線請求的漂移' },
        },
      },
    },
  },
};
