// Exports travel to the renderer as bytes: the writers (runs/export.ts, runs/recommend.ts) write
// files into a private temporary folder, which is read back and removed here.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { ExportFile } from '../../shared/api';

const MIME: Record<string, string> = {
  '.npy': 'application/octet-stream',
  '.csv': 'text/csv',
  '.tsv': 'text/tab-separated-values',
  '.jsonl': 'application/x-ndjson',
  '.png': 'image/png',
  '.pbtxt': 'text/plain',
};

/** Run `write` in a fresh temporary folder and return what it wrote as base64 files. */
export async function collectExport(write: (dir: string) => string[] | Promise<string[]>): Promise<ExportFile[]> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'micro-export-'));
  try {
    return (await write(dir)).map((f) => {
      const bytes = fs.readFileSync(f);
      return { name: path.basename(f), mime: MIME[path.extname(f)] ?? 'application/octet-stream', size: bytes.length, data: bytes.toString('base64') };
    });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
