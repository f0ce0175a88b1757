/**
 * runSession, the one owner of a learner session's end: it closes the
 * session whatever happened, before reading its output, turns the learner's
 * failures into a LearnerError and lets mlpath's own exceptions through.
 */
import { runSession } from '../../../../src/grader/kinds/common';
import { InvalidOutputError } from '../../../../src/grader/predictions';
import type { LearnerError } from '../../../../src/grader/protocol';
import { ChildFailure, type ChildSession } from '../../../../src/grader/runner';

class Boom extends Error {}

/** A session that counts its closes; its output is complete only once closed, as a real child's drained pipes. */
function fakeSession(): { session: ChildSession; closes: () => number } {
  let closes = 0;
  const fake = {
    backend: 'cpu',
    output: { text: () => (closes > 0 ? 'first line\nlast line\n' : 'first line\n') },
    close: async () => {
      closes++;
    },
  };
  return { session: fake as unknown as ChildSession, closes: () => closes };
}

test('a body that completes: its value, the drained output and the backend; the session closed once', async () => {
  const { session, closes } = fakeSession();
  const run = await runSession(session, async () => 42);
  expect(run).toEqual({ ok: true, value: 42, output: 'first line\nlast line\n', backend: 'cpu' });
  expect(closes()).toBe(1);
});

test('a failure of the child becomes its LearnerError, after the close', async () => {
  const { session, closes } = fakeSession();
  const error: LearnerError = { kind: 'runtime', message: 'x is not defined', file: 'train.ts', line: 3 };
  const run = await runSession(session, async () => {
    throw new ChildFailure(error);
  });
  expect(run).toEqual({ ok: false, error, output: 'first line\nlast line\n', backend: 'cpu' });
  expect(closes()).toBe(1);
});

test("predictions that cannot be scored are the learner's invalid output", async () => {
  const { session } = fakeSession();
  const run = await runSession(session, async () => {
    throw new InvalidOutputError('predict(x) returned 3 rows for 5 held-out rows');
  });
  expect(run.ok).toBe(false);
  const message = 'predict(x) returned 3 rows for 5 held-out rows';
  if (!run.ok) expect(run.error).toEqual({ kind: 'invalid-output', message });
});

test("a kind maps its own learner failures; anything else is mlpath's, thrown after the close", async () => {
  const mapped = fakeSession();
  const run = await runSession(
    mapped.session,
    async () => {
      throw new Boom('too much');
    },
    (err) => (err instanceof Boom ? { kind: 'invalid-output', message: `wrote ${err.message}` } : undefined),
  );
  expect(run.ok).toBe(false);
  if (!run.ok) expect(run.error).toEqual({ kind: 'invalid-output', message: 'wrote too much' });

  const unmapped = fakeSession();
  await expect(
    runSession(
      unmapped.session,
      async () => {
        throw new Boom('a bug in mlpath');
      },
      () => undefined,
    ),
  ).rejects.toThrow(Boom);
  expect(unmapped.closes()).toBe(1);
});
