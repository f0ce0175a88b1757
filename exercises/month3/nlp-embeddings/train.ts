// month3/nlp-embeddings: learned word embeddings for spam.
// Read README.md first. Check your work with:  mlpath check month3/nlp-embeddings
import type { TrainContext, TextPredictor } from 'mlpath';

const VOCABULARY_SIZE = 4000;
const SEQUENCE_LENGTH = 120;
/** Id 0 pads short mails; id 1 stands for every token outside the vocabulary. */
const PAD = 0;
const UNKNOWN = 1;

/** Splits a mail into lowercase word tokens. Already done. */
export function tokenize(text: string): string[] {
  return text.toLowerCase().match(/[a-z0-9$!']+/g) ?? [];
}

/** The tokens found in the most training mails, numbered from 2 (0 and 1 are taken). Already done. */
export function buildVocabulary(texts: readonly string[], size: number): Map<string, number> {
  const documentFrequency = new Map<string, number>();
  for (const text of texts) {
    for (const token of new Set(tokenize(text))) documentFrequency.set(token, (documentFrequency.get(token) ?? 0) + 1);
  }
  const ranked = [...documentFrequency.entries()]
    .filter(([, count]) => count >= 2)
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, size - 2);
  return new Map(ranked.map(([token], index) => [token, index + 2]));
}

// TODO 1. toIds(texts, vocabulary): one row of SEQUENCE_LENGTH int32 ids per
//         mail: the vocabulary id of each of its first tokens (UNKNOWN for a
//         token outside the vocabulary), PAD after the last one.
// TODO 2. The model: tf.layers.embedding({ inputDim: VOCABULARY_SIZE,
//         outputDim: 16 }) gives each id a vector that training learns;
//         tf.layers.globalAveragePooling1d() averages a mail's vectors; one
//         dense unit with a sigmoid reads the average.
// TODO 3. Fit it with binaryCrossentropy and Adam for a few epochs, with the
//         validation mails as validationData, and call
//         ctx.log({ epoch, loss, valAccuracy }) once per epoch.
// TODO 4. Return a predictor whose predict(texts) turns the held-out mails
//         into ids the same way and returns their [n] spam probabilities.

export default async function train(ctx: TrainContext): Promise<TextPredictor> {
  const { tf, data } = ctx;
  const texts = data.textTrain ?? [];
  const vocabulary = buildVocabulary(texts, VOCABULARY_SIZE);
  const labels = Array.from(await data.yTrain.data());
  const spamShare = labels.reduce((sum, y) => sum + y, 0) / labels.length;
  console.log(
    `starter: ${texts.length} training mails, vocabulary of ${vocabulary.size} tokens (ids ${PAD} and ${UNKNOWN} reserved, ${SEQUENCE_LENGTH} per mail); no embedding is trained yet, so every mail gets the training spam share ${spamShare.toFixed(3)} (see the TODOs in train.ts)`,
  );

  return {
    predict(heldOut) {
      return tf.fill([heldOut.length], spamShare);
    },
  };
}
