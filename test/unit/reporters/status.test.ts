import type { HintResult } from '../../../src/commands/hint';
import type { ResetResult } from '../../../src/commands/reset';
import type { StartResult } from '../../../src/commands/start';
import type { StatusResult } from '../../../src/commands/status';
import {
  formatBackend,
  formatHint,
  formatNext,
  formatReset,
  formatStart,
  formatStatus,
  progressBar,
} from '../../../src/reporters/status';

const ANSI = /\x1b\[/;

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop()!;
}

const status: StatusResult = {
  root: '/w',
  curriculum: 'Course (c 1.0)',
  track: 'nlp',
  warnings: [],
  next: { key: 'm1/b', title: 'Bee', command: 'mlpath check m1/b', entry: 'train.ts' },
  months: [
    {
      id: 'm1',
      title: 'Month 1: One',
      passed: 1,
      total: 3,
      readings: [{ title: 'Read me', url: 'https://example.com' }],
      exercises: [
        {
          key: 'm1/a',
          title: 'Ay',
          state: 'passed',
          attempts: 2,
          best: { name: 'accuracy', value: 0.97, min: 0.9, passed: true },
          inWorkspace: true,
          hints: { seen: 1, total: 3 },
        },
        {
          key: 'm1/b',
          title: 'Bee',
          state: 'attempted',
          attempts: 1,
          best: { name: 'rmse', value: 1.5, max: 1, passed: false },
          inWorkspace: true,
          hints: { seen: 0, total: 3 },
        },
        {
          key: 'm1/c',
          title: 'Cee',
          state: 'not started',
          attempts: 0,
          inWorkspace: true,
          hints: { seen: 0, total: 3 },
        },
        { key: 'm1/d', title: 'Dee', state: 'planned', attempts: 0, inWorkspace: false, hints: { seen: 0, total: 0 } },
      ],
    },
    { id: 'm2', title: 'Month 2: Two', passed: 0, total: 0, readings: [], exercises: [] },
  ],
};

test('progress bars: plain brackets without colour, proportional', () => {
  expect(progressBar(1, 3, false)).toBe('[####--------]');
  expect(progressBar(0, 0, false)).toBe('[------------]');
  expect(progressBar(2, 2, true)).toMatch(/█{12}/);
});

describe('formatStatus', () => {
  const text = formatStatus(status, false);

  test('one line per month with a bar and counts', () => {
    expect(text).toMatch(/^Month 1: One {2}\[####--------\] {2}1\/3 passed$/m);
    expect(text).toMatch(/^Month 2: Two {2}\[------------\] {2}coming later$/m);
  });

  test('each exercise: state, best metric against its threshold, attempts, hints; planned ones folded', () => {
    expect(text).toMatch(/✔ m1\/a +Ay +passed\n +best accuracy 0\.9700 \(needs >= 0\.9\) · 2 attempts · hints 1\/3/);
    expect(text).toMatch(/… m1\/b +Bee +attempted\n +best rmse 1\.5000 \(needs <= 1\) · 1 attempt <- next/);
    expect(text).toMatch(/· m1\/c +Cee +not started$/m);
    expect(text).toMatch(/later: d$/m);
    expect(text).toMatch(/readings:\n +Read me\n +<https:\/\/example\.com>/);
  });

  test('fits 80 columns, however long the titles and warnings', () => {
    const long = {
      ...status,
      warnings: ['a warning long enough to need folding '.repeat(5).trim()],
      months: status.months.map((m) => ({
        ...m,
        exercises: m.exercises.map((e) => ({
          ...e,
          title: `${e.title} with a title far longer than any terminal line`,
        })),
      })),
    };
    const lines = formatStatus(long, false).split('\n');
    expect(lines.slice(0, -1).filter((l) => [...l].length > 80)).toEqual([]);
  });

  test('ends with the next command, and has no escapes without colour', () => {
    expect(lastLine(text)).toBe(
      'next: edit m1/b/train.ts (m1/b/README.md explains the task), then `mlpath check m1/b`',
    );
    expect(text).not.toMatch(ANSI);
    expect(formatStatus(status, true)).toMatch(ANSI);
  });

  test('when all passed, it says so and still ends with a command', () => {
    const done = formatStatus({ ...status, next: undefined }, false);
    expect(lastLine(done)).toMatch(/^next: every exercise in this workspace has passed: `mlpath start`/);
    expect(lastLine(formatNext({ ...status, next: undefined }, false))).toBe(
      'next: `mlpath status` shows your results',
    );
  });
});

describe('formatHint', () => {
  const base: HintResult = {
    exercise: 'm1/a',
    title: 'Ay',
    total: 3,
    shown: [{ level: 1, text: 'Look.' }],
    seen: 1,
    last: false,
    passed: false,
    hasSolution: true,
  };

  test('level k of n, then how to get the next one', () => {
    const text = formatHint(base, false);
    expect(text).toMatch(/^Hint 1 of 3 \(m1\/a\)\n {2}Look\./);
    expect(lastLine(text)).toBe('next: try it with `mlpath check m1/a`; still stuck? `mlpath hint m1/a` shows hint 2');
  });

  test('the last hint points to check, and after a pass to the solution', () => {
    expect(lastLine(formatHint({ ...base, shown: [{ level: 3, text: 'Do it.' }], last: true }, false))).toMatch(
      /that was the last hint: `mlpath check m1\/a`, and once it passes `mlpath solution m1\/a`/,
    );
    expect(lastLine(formatHint({ ...base, passed: true }, false))).toMatch(
      /`mlpath solution m1\/a` shows the reference/,
    );
  });
});

test('formatReset names what was restored, where the backup is, and what to run', () => {
  const r: ResetResult = {
    root: '/w',
    backupDir: '/w/.mlpath/backups/T',
    exercises: [{ exercise: 'm1/a', backedUp: ['m1/a/train.ts'], restored: ['m1/a/train.ts'] }],
  };
  const text = formatReset(r, false, '/w');
  expect(text).toMatch(/✔ m1\/a: restored train\.ts/);
  expect(text).toMatch(/your previous files are in \.mlpath\/backups\/T/);
  expect(lastLine(text)).toBe('next: `mlpath check m1/a` shows where the starter stands');
});

test('formatStart: what was written, the exact next commands, and a relative cd', () => {
  const r = {
    root: '/home/me/ml',
    created: true,
    track: 'nlp',
    curriculum: { id: 'c', version: '1.0', title: 'Course' },
    exercises: ['m1/a'],
    files: { created: ['a'], updated: [], kept: ['m1/a/train.ts'], unchanged: [] },
    next: { key: 'm1/a', entry: 'train.ts' },
  } as unknown as StartResult;
  const text = formatStart(r, false, '/home/me');
  expect(text).toMatch(/1 kept because you changed them/);
  expect(text).toMatch(/^ {2}cd ml$/m);
  expect(text).toMatch(/^ {2}mlpath watch m1\/a +re-checks on every save$/m);
  expect(lastLine(text)).toBe('next: `mlpath check m1/a` when you want a grade');
  expect(formatStart(r, false, '/home/me/ml')).not.toMatch(/cd /);
});

test('formatBackend: native is praised; otherwise the advice, short or in full', () => {
  const wasm = [
    { name: 'tensorflow' as const, available: false, reason: 'not installed' },
    { name: 'wasm' as const, available: true, reason: 'ok' },
  ];
  expect(formatBackend([{ name: 'tensorflow', available: true, reason: 'ok' }], 'FIX', false, false)).toMatch(
    /backend: tensorflow/,
  );
  expect(formatBackend(wasm, 'FIX', false, false)).toMatch(/backend: wasm.*`mlpath doctor`/);
  const full = formatBackend(wasm, 'line one\nline two', false, true);
  expect(full).toMatch(/\(not installed\)\n {2}line one\n {2}line two$/);
});
