/**
 * GitHub Classroom's grading reporter (classroom-resources/
 * autograding-grading-reporter@v1), as its documented contract and source
 * describe it, checked strictly so that a workflow it would reject fails
 * here first:
 *
 * - input `runners` (INPUT_RUNNERS): ids joined by commas, each
 *   alphanumeric only (the reporter's own pattern);
 * - per id, `<ID IN UPPER CASE>_RESULTS` in the environment: base64 of
 *   `{ version, status, max_score, tests: [{ name, status, score, ... }] }`;
 *   an unset variable makes the reporter throw;
 * - the grade it sends to Classroom is the sum of the tests' `score` over
 *   the sum of the runners' `max_score`; the table in its log shows
 *   (passing tests / tests) x max_score per runner;
 * - the step fails when any result's status is `fail` or `error`.
 */
export interface ReporterRow {
  runner: string;
  /** What the log's table shows. */
  tableScore: number;
  maxScore: number;
  status: string;
  tests: { name: string; status: string; score: number; message?: string }[];
}

export interface ReporterOutcome {
  /** The "Points X/Y" Classroom records. */
  points: number;
  maxPoints: number;
  rows: ReporterRow[];
  failed: boolean;
}

const RUNNERS = /^([a-zA-Z0-9]+,)*[a-zA-Z0-9]+$/;
const STATUSES = ['pass', 'fail', 'error'];

export function classroomReporter(env: Record<string, string | undefined>): ReporterOutcome {
  const input = env.INPUT_RUNNERS ?? '';
  if (!RUNNERS.test(input))
    throw new Error(`reporter: the runners input must be a comma-separated list of alphanumeric ids, got '${input}'`);
  const rows: ReporterRow[] = [];
  let points = 0;
  let maxPoints = 0;
  for (const runner of input.split(',')) {
    const variable = `${runner.trim().toUpperCase()}_RESULTS`;
    const encoded = env[variable];
    if (!encoded) throw new Error(`reporter: ${variable} is not set (the reporter crashes reading it)`);
    const results = JSON.parse(Buffer.from(encoded, 'base64').toString('utf8')) as Record<string, unknown>;
    if (results.version !== 1)
      throw new Error(`reporter: ${runner}: version must be 1, got ${JSON.stringify(results.version)}`);
    if (!STATUSES.includes(results.status as string))
      throw new Error(`reporter: ${runner}: status ${JSON.stringify(results.status)}`);
    if (typeof results.max_score !== 'number') throw new Error(`reporter: ${runner}: max_score must be a number`);
    const tests = results.tests as ReporterRow['tests'];
    if (!Array.isArray(tests) || tests.length === 0)
      throw new Error(`reporter: ${runner}: tests must be a non-empty array`);
    for (const t of tests) {
      if (typeof t.name !== 'string' || !STATUSES.includes(t.status) || typeof t.score !== 'number') {
        throw new Error(
          `reporter: ${runner}: a test needs a name, a status pass|fail|error and a numeric score: ${JSON.stringify(t)}`,
        );
      }
    }
    const max = results.max_score;
    const tableScore = (tests.filter((t) => t.status === 'pass').length / tests.length) * max;
    if (max) {
      maxPoints += max;
      points += tests.reduce((a, t) => a + t.score, 0);
    }
    rows.push({ runner, tableScore, maxScore: max, status: results.status as string, tests });
  }
  return { points, maxPoints, rows, failed: rows.some((r) => r.status !== 'pass') };
}
