/** Lesson texts: tuning, AutoML, quantization, pruning, distillation. */
import type { LessonText } from './lessons';

type Ids = 'tuning' | 'automl' | 'quantization' | 'pruning' | 'distillation';

export const lessonsModel: Record<'en' | 'zh-TW', Record<Ids, LessonText>> = {
  en: {
    tuning: {
      title: 'Hyperparameter tuning',
      summary: 'Search learning rates and sizes systematically instead of by hand, every trial a recorded run.',
      paragraphs: [
        'Hyperparameters are the choices training does not learn: the learning rate, the batch size, how many units a layer has. Changing them one at a time by hand is slow and easy to fool yourself with.',
        'A tuner searches a space of them, as KerasTuner does: random search samples it, Hyperband gives many trials a few epochs and only the promising ones more, Bayesian optimization picks the next trial from what earlier ones scored. Every trial is judged on the validation split, never on the test split, which stays for the final answer.',
      ],
      steps: {
        trials: 'Open Tune, choose Palmer penguins and search at least three settings: each trial is a run on the same data.',
        best: 'Save the trial with the best validation accuracy as a model.',
      },
      questions: {
        rate: { text: 'Which learning rate did the trial with the best validation accuracy use?' },
      },
    },
    automl: {
      title: 'AutoML',
      summary: 'Let the app search the model\'s shape too, and read what it tried.',
      paragraphs: [
        'AutoML widens the search from settings to the model itself: how many layers, which kind, how wide. It costs more compute, and it still needs the same discipline: a fixed validation split to choose on and a test split looked at once.',
        'What you get is not magic but a record of candidates: read which shapes were tried and how each scored before trusting the winner.',
      ],
      steps: {
        search: 'Open Tune and run an AutoML search on Palmer penguins: at least three differently shaped models on the same data.',
        save: 'Save one of the searched models to the registry.',
      },
      questions: {
        'best-accuracy': { text: 'What is the best test accuracy among the searched models (as a fraction, e.g. 0.97)?' },
      },
    },
    quantization: {
      title: 'Post-training quantization',
      summary: 'Store the weights in 8 or 16 bits instead of 32 and see how much smaller the model gets.',
      paragraphs: [
        'A trained model\'s weights are 32-bit floats. Quantization stores them with fewer bits: 8-bit integers with a scale and an offset per tensor, or 16-bit floats. The file shrinks to about a quarter or a half, which matters when the model is downloaded to a phone or a browser.',
        'Post-training quantization needs no retraining, but the rounding changes predictions a little; compare accuracy before and after. TF.js turns the weights back into 32-bit floats when it loads them, so the gain here is the download, not the speed.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry (the Train page\'s save button after the run).',
        quantize: 'Open Optimize, choose that model and quantize it to uint8.',
      },
      questions: {
        percent: { text: 'What percentage of the original weight bytes does the newest quantized version keep?' },
      },
    },
    pruning: {
      title: 'Pruning',
      summary: 'Set the smallest weights to zero while fine-tuning, and see how sparse each layer became.',
      paragraphs: [
        'Many weights of a trained network are close to zero and matter little. Magnitude pruning sets the smallest of them to zero step by step while training goes on, so the remaining weights can make up for the removed ones.',
        'A sparse model compresses much better (zeros are cheap to store) and can run faster on hardware that skips them. The schedule raises sparsity from a start to a final value over the fine-tuning steps; the report shows the sparsity each layer reached.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry.',
        prune: 'Open Optimize, choose that model and prune it (for example to a final sparsity of 50 %).',
      },
      questions: {
        'first-layer': { text: 'What sparsity, in percent, did the first pruned layer of the newest pruned version reach?' },
      },
    },
    distillation: {
      title: 'Knowledge distillation',
      summary: 'Train a small student on a large teacher\'s soft predictions and compare it with the same student trained alone.',
      paragraphs: [
        'A large model\'s predictions carry more than its top class: that a Chinstrap looks a little like an Adelie is information. Distillation trains a small student to match the teacher\'s softened probabilities (a temperature above 1 spreads them) as well as the true labels.',
        'The fair comparison is the same student trained from scratch on the labels alone, on the same rows. When the teacher helps, the student comes closer to the teacher\'s accuracy at a fraction of its size.',
      ],
      steps: {
        model: 'Train a model on Palmer penguins and save it to the registry: the teacher.',
        distill: 'Open Optimize and distill a smaller student from it; the same student is also trained from scratch beside it.',
      },
      questions: {
        winner: {
          text: 'Which student has the higher test accuracy?',
          choices: { distilled: 'the distilled student', scratch: 'the student trained from scratch', same: 'the same' },
        },
      },
    },
  },
  'zh-TW': {
    tuning: {
      title: '超參數調整',
      summary: '有系統地搜尋學習率與模型大小，而不是手動嘗試；每次試驗都是一筆記錄下來的執行。',
      paragraphs: [
        '超參數是訓練不會自己學到的選擇：學習率、批次大小、一層有多少單元。手動一次改一個既慢，又容易自欺欺人。',
        '調參器在一個空間中搜尋，如同 KerasTuner：隨機搜尋從中取樣；Hyperband 先給許多試驗少量訓練週期，只讓有希望的繼續；貝氏最佳化依先前試驗的分數挑選下一個。每次試驗都以驗證分割評分，絕不用測試分割，測試分割留給最後的答案。',
      ],
      steps: {
        trials: '開啟「調參」，選擇 Palmer penguins 並搜尋至少三組設定：每次試驗都是在相同資料上的一次執行。',
        best: '把驗證準確率最好的試驗儲存為模型。',
      },
      questions: {
        rate: { text: '驗證準確率最好的試驗使用了哪個學習率？' },
      },
    },
    automl: {
      title: 'AutoML',
      summary: '讓應用程式也搜尋模型的形狀，並讀懂它嘗試了什麼。',
      paragraphs: [
        'AutoML 把搜尋範圍從設定擴大到模型本身：幾層、哪一種層、多寬。它需要更多運算，也仍需要同樣的紀律：用固定的驗證分割做選擇，測試分割只看一次。',
        '你得到的不是魔法，而是候選模型的紀錄：在相信勝出者之前，先看看嘗試了哪些形狀、各自的分數如何。',
      ],
      steps: {
        search: '開啟「調參」，在 Palmer penguins 上執行 AutoML 搜尋：在相同資料上至少三個不同形狀的模型。',
        save: '把其中一個搜尋到的模型儲存到模型登錄。',
      },
      questions: {
        'best-accuracy': { text: '搜尋到的模型中，最好的測試準確率是多少？（以小數表示，例如 0.97）' },
      },
    },
    quantization: {
      title: '訓練後量化',
      summary: '以 8 或 16 位元而非 32 位元儲存權重，看看模型變小多少。',
      paragraphs: [
        '訓練好的模型權重是 32 位元浮點數。量化以較少位元儲存它們：每個張量以比例和偏移表示的 8 位元整數，或 16 位元浮點數。檔案縮小到約四分之一或一半，這對下載到手機或瀏覽器的模型很重要。',
        '訓練後量化不需要重新訓練，但捨入會稍微改變預測結果；請比較量化前後的準確率。TF.js 載入權重時會把它們轉回 32 位元浮點數，所以這裡的好處是下載量，而不是速度。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄（執行結束後「訓練」頁面上的儲存按鈕）。',
        quantize: '開啟「最佳化」，選擇該模型並量化為 uint8。',
      },
      questions: {
        percent: { text: '最新的量化版本保留了原始權重位元組的百分之多少？' },
      },
    },
    pruning: {
      title: '剪枝',
      summary: '在微調時把最小的權重設為零，看看每一層變得多稀疏。',
      paragraphs: [
        '訓練好的網路中，許多權重接近零、影響很小。量值剪枝在訓練持續進行時逐步把最小的權重設為零，讓剩下的權重彌補被移除的部分。',
        '稀疏模型壓縮效果好得多（零很容易儲存），在會略過零的硬體上也可能跑得更快。排程在微調步驟中把稀疏度從起始值提高到最終值；報告會顯示每一層達到的稀疏度。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄。',
        prune: '開啟「最佳化」，選擇該模型並剪枝（例如最終稀疏度 50 %）。',
      },
      questions: {
        'first-layer': { text: '最新剪枝版本中，第一個被剪枝的層達到的稀疏度是百分之多少？' },
      },
    },
    distillation: {
      title: '知識蒸餾',
      summary: '以大型教師模型的軟性預測訓練小型學生模型，並與單獨訓練的同一學生模型比較。',
      paragraphs: [
        '大型模型的預測不只包含最可能的類別：「這隻 Chinstrap 有點像 Adelie」也是資訊。蒸餾讓小型學生模型去符合教師模型經過軟化的機率（溫度大於 1 會讓機率更分散），同時也學習真實標籤。',
        '公平的比較對象，是在同一批資料上只用標籤從頭訓練的同一個學生模型。教師模型有幫助時，學生模型能以一小部分的大小接近教師模型的準確率。',
      ],
      steps: {
        model: '在 Palmer penguins 上訓練模型並儲存到模型登錄：這是教師模型。',
        distill: '開啟「最佳化」，從它蒸餾出一個較小的學生模型；同一個學生模型也會在旁邊從頭訓練。',
      },
      questions: {
        winner: {
          text: '哪一個學生模型的測試準確率較高？',
          choices: { distilled: '蒸餾的學生模型', scratch: '從頭訓練的學生模型', same: '一樣' },
        },
      },
    },
  },
};
