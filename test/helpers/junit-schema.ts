/**
 * Validates JUnit XML against the common JUnit schema
 * (test/fixtures/junit/JUnit.xsd, windyroad/JUnit-Schema at
 * cfa434d4b8e102a8f55b8727b552a0063ee9044e) with libxml2 compiled to
 * WebAssembly (xmllint-wasm), so the check runs wherever npm ci ran.
 * Returns libxml2's messages; empty means valid.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { validateXML } from 'xmllint-wasm';

const XSD = path.join(__dirname, '..', 'fixtures', 'junit', 'JUnit.xsd');

export async function validateJunit(xml: string): Promise<string[]> {
  const result = await validateXML({
    xml: [{ fileName: 'report.xml', contents: xml }],
    schema: [{ fileName: 'JUnit.xsd', contents: fs.readFileSync(XSD, 'utf8') }],
  });
  return result.valid ? [] : result.errors.map((e) => e.rawMessage);
}
