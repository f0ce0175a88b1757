// Reference solution for month3/nlp: bag of words (binary presence of the
// 2,000 most widespread tokens) and logistic regression trained with Adam.
import type { Tensor, TrainContext, TextPredictor } from 'mlpath';

const VOCABULARY_SIZE = 2000;
const MIN_DOCUMENTS = 3;
// Long mails (attachments, HTML) add little beyond their first part and cost time.
const MAX_CHARS = 20000;

export function tokenize(text: string): string[] {
  return (
    text
      .slice(0, MAX_CHARS)
      .toLowerCase()
      .match(/[a-z0-9$!']+/g) ?? []
  );
}

/** The tokens found in the most training documents, each counted once per document. */
export function buildVocabulary(texts: readonly string[], size: number): Map<string, number> {
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const token of new Set(tokenize(text))) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  const ranked = [...documentFrequency.entries()]
    .filter(([, count]) => count >= MIN_DOCUMENTS)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size);
  return new Map(ranked.map(([token], index) => [token, index]));
}

/** One row per text, one column per vocabulary token: 1 when the token occurs. */
export function vectorize(texts: readonly string[], vocabulary: Map<string, number>): Float32Array {
  const width = vocabulary.size;
  const out = new Float32Array(texts.length * width);
  texts.forEach((text, row) => {
    for (const token of tokenize(text)) {
      const column = vocabulary.get(token);
      if (column !== undefined) out[row * width + column] = 1;
    }
  });
  return out;
}

export default async function train(ctx: TrainContext): Promise<TextPredictor> {
  const { tf, data, seed } = ctx;
  const texts = data.textTrain!;
  const vocabulary = buildVocabulary(texts, VOCABULARY_SIZE);
  const width = vocabulary.size;
  const asMatrix = (batch: readonly string[]) => tf.tensor2d(vectorize(batch, vocabulary), [batch.length, width]);

  const model = tf.sequential();
  model.add(
    tf.layers.dense({
      inputShape: [width],
      units: 1,
      activation: 'sigmoid',
      kernelInitializer: tf.initializers.glorotUniform({ seed }),
    }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

  const xs = asMatrix(texts);
  const ys = data.yTrain.toFloat();
  const validationData =
    data.textVal && data.yVal ? ([asMatrix(data.textVal), data.yVal.toFloat()] as [typeof xs, typeof ys]) : undefined;
  await model.fit(xs, ys, {
    epochs: 8,
    batchSize: 64,
    shuffle: true,
    validationData,
    verbose: 0,
    callbacks: {
      onEpochEnd: async (epoch, logs) => ctx.log({ epoch: epoch + 1, loss: logs?.loss, valAccuracy: logs?.val_acc }),
    },
  });
  xs.dispose();
  ys.dispose();
  validationData?.forEach((t) => t.dispose());

  return {
    predict(batch) {
      return tf.tidy(() => (model.predict(asMatrix(batch)) as Tensor).reshape([-1]));
    },
  };
}
