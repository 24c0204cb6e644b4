import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Runs a poppler tool; a missing one fails the test with the package to install (.ci/run installs it). */
function poppler(tool: 'pdftoppm' | 'pdftotext', args: string[]): void {
  try {
    execFileSync(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is missing: install Debian's poppler-utils`);
    throw error;
  }
}

/** Renders page 1 with poppler and extracts the text, as a reader of the PDF would see it. */
export function openPdf(bytes: Uint8Array): { text: string; png: { width: number; height: number; bytes: number } } {
  const dir = mkdtempSync(join(tmpdir(), 'keel-pdf-'));
  try {
    const pdf = join(dir, 'doc.pdf');
    writeFileSync(pdf, bytes);
    poppler('pdftoppm', ['-png', '-r', '50', '-f', '1', '-l', '1', '-singlefile', pdf, join(dir, 'page')]);
    const png = readFileSync(join(dir, 'page.png'));
    if (png.subarray(1, 4).toString('ascii') !== 'PNG') throw new Error('pdftoppm did not produce a PNG');
    poppler('pdftotext', ['-layout', pdf, join(dir, 'doc.txt')]);
    return {
      text: readFileSync(join(dir, 'doc.txt'), 'utf8'),
      // IHDR: width and height are the first fields after the 8-byte signature and the chunk header.
      png: { width: png.readUInt32BE(16), height: png.readUInt32BE(20), bytes: png.length },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
