/** The installed mlpath's version, from its package.json (src/ and dist/ sit at the same depth). */
export function mlpathVersion(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- outside rootDir: mlpath's own package.json
  return (require('../package.json') as { version: string }).version;
}
