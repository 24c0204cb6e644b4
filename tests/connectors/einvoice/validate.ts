import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The official validators, run as the tools the EN 16931 community uses:
 * xmllint with the vendored XSDs (CII D16B from ConnectingEurope/eInvoicing-EN16931,
 * UBL 2.1 from the OASIS release), and Saxon-HE with the compiled EN 16931
 * schematron (the same repository's xslt/ folders, release 1.3.16).
 */
const FIXTURES = join(import.meta.dirname, '../../fixtures/einvoice');
export const SCHEMAS = {
  cii: join(FIXTURES, 'cii-d16b/uncefact/data/standard/CrossIndustryInvoice_100pD16B.xsd'),
  ublInvoice: join(FIXTURES, 'ubl-2.1/maindoc/UBL-Invoice-2.1.xsd'),
  ublCreditNote: join(FIXTURES, 'ubl-2.1/maindoc/UBL-CreditNote-2.1.xsd'),
};
const SCHEMATRON = { cii: join(FIXTURES, 'schematron/EN16931-CII-validation.xslt'), ubl: join(FIXTURES, 'schematron/EN16931-UBL-validation.xslt') };
const SAXON = '/usr/share/java/Saxon-HE.jar';

function missing(tool: string, pkg: string, error: unknown): never {
  throw new Error(`${tool} could not run (${(error as Error).message}): install Debian's ${pkg} (scripts/ensure-system-packages.sh)`);
}

/** xmllint's complaints per file; an empty list means every file is valid against the schema. */
export function xsdErrors(schema: string, files: string[]): string[] {
  const run = spawnSync('xmllint', ['--noout', '--schema', schema, ...files], { encoding: 'utf8' });
  if (run.error) missing('xmllint', 'libxml2-utils', run.error);
  return run.stderr.split('\n').filter((l) => l.trim() && !l.endsWith(' validates'));
}

export interface Failure {
  file: string;
  id: string;
  flag: string;
  text: string;
}

/**
 * Runs the schematron on every file of `dir` in one Saxon call (one JVM, one
 * stylesheet compile) and returns the failed assertions of flag "fatal": the
 * business-rule violations (BR-…) that make a document non-compliant.
 */
export function schematronFailures(syntax: 'cii' | 'ubl', dir: string): Failure[] {
  const out = `${dir}-svrl`;
  mkdirSync(out, { recursive: true });
  try {
    execFileSync('java', ['-cp', SAXON, 'net.sf.saxon.Transform', `-s:${dir}`, `-o:${out}`, `-xsl:${SCHEMATRON[syntax]}`], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
  } catch (error) {
    missing('Saxon-HE (java)', 'libsaxonhe-java', error);
  }
  return readdirSync(out).flatMap((file) => {
    const svrl = readFileSync(join(out, file), 'utf8');
    return [...svrl.matchAll(/<svrl:failed-assert\b([^>]*)>([\s\S]*?)<\/svrl:failed-assert>/g)]
      .map(([, attrs, body]) => ({
        file,
        id: /\bid="([^"]*)"/.exec(attrs!)?.[1] ?? '?',
        flag: /\bflag="([^"]*)"/.exec(attrs!)?.[1] ?? '?',
        text: /<svrl:text>([\s\S]*?)<\/svrl:text>/.exec(body!)?.[1]?.trim() ?? '',
      }))
      .filter((f) => f.flag === 'fatal');
  });
}

/** The names of the files a PDF embeds, as poppler lists them. */
export function pdfAttachments(pdfPath: string): string[] {
  const run = spawnSync('pdfdetach', ['-list', pdfPath], { encoding: 'utf8' });
  if (run.error) missing('pdfdetach', 'poppler-utils', run.error);
  return run.stdout
    .split('\n')
    .slice(1)
    .map((l) => l.replace(/^\s*\d+:\s*/, '').trim())
    .filter(Boolean);
}

/** The bytes of the `n`th embedded file (1-based, in `pdfAttachments` order). */
export function pdfDetach(pdfPath: string, n: number, to: string): Buffer {
  execFileSync('pdfdetach', ['-save', String(n), '-o', to, pdfPath], { stdio: ['ignore', 'ignore', 'pipe'] });
  return readFileSync(to);
}
