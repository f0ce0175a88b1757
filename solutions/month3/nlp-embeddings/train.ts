// Reference solution for month3/nlp-embeddings: each mail becomes the ids of
// its first tokens; an Embedding layer learns a vector per vocabulary token,
// the vectors are averaged into one per mail, and a sigmoid unit reads it.
import type { Tensor, TrainContext, TextPredictor } from 'mlpath';

const VOCABULARY_SIZE = 4000;
const SEQUENCE_LENGTH = 120;
const DIMENSIONS = 16;
const MIN_DOCUMENTS = 2;
/** Id 0 pads short mails; id 1 stands for every token outside the vocabulary. */
const PAD = 0;
const UNKNOWN = 1;

export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!']+/g) ?? [];
}

/** The most widespread training tokens, numbered from 2 (0 and 1 are taken). */
export function buildVocabulary(texts: readonly string[], size: number): Map<string, number> {
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const token of new Set(tokenize(text))) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  const ranked = [...documentFrequency.entries()]
    .filter(([, count]) => count >= MIN_DOCUMENTS)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size - 2);
  return new Map(ranked.map(([token], index) => [token, index + 2]));
}

/** One row per text: the ids of its first SEQUENCE_LENGTH distinct tokens, padded with PAD. */
export function toIds(texts: readonly string[], vocabulary: Map<string, number>): Int32Array {
  const out = new Int32Array(texts.length * SEQUENCE_LENGTH).fill(PAD);
  texts.forEach((text, row) => {
    const tokens = [...new Set(tokenize(text.slice(0, 20000)))].slice(0, SEQUENCE_LENGTH);
    tokens.forEach((token, i) => (out[row * SEQUENCE_LENGTH + i] = vocabulary.get(token) ?? UNKNOWN));
  });
  return out;
}

export default async function train(ctx: TrainContext): Promise<TextPredictor> {
  const { tf, data, seed } = ctx;
  const texts = data.textTrain!;
  const vocabulary = buildVocabulary(texts, VOCABULARY_SIZE);
  const asIds = (batch: readonly string[]) =>
    tf.tensor2d(toIds(batch, vocabulary), [batch.length, SEQUENCE_LENGTH], 'int32');

  const model = tf.sequential();
  model.add(
    tf.layers.embedding({
      inputDim: VOCABULARY_SIZE,
      outputDim: DIMENSIONS,
      inputLength: SEQUENCE_LENGTH,
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed }),
    }),
  );
  model.add(tf.layers.globalAveragePooling1d());
  model.add(
    tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
  );
  model.compile({ optimizer: tf.train.adam(0.01), loss: 'binaryCrossentropy', metrics: ['accuracy'] });

  const xs = asIds(texts);
  const ys = data.yTrain.toFloat();
  const validationData =
    data.textVal && data.yVal ? ([asIds(data.textVal), data.yVal.toFloat()] as [Tensor, Tensor]) : undefined;
  await model.fit(xs, ys, {
    epochs: 8,
    batchSize: 128,
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
      return tf.tidy(() => (model.predict(asIds(batch)) as Tensor).reshape([-1]));
    },
  };
}
