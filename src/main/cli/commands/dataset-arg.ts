// A dataset named on the command line: a registered name, or a folder/file imported on the fly
// through the API. Anything missing is bad input (exit 3), naming what is registered.
import fs from 'node:fs';
import { ApiError, type DatasetInfo, type MicroApi } from '../../../shared/api';
import { CliError, readingData } from '../errors';

/**
 * The registered dataset named `nameOrPath`; when none is, the folder `nameOrPath` is imported — or
 * `importAs` (a folder under a chosen name and setting, as the demo registers its two splits).
 */
export async function ensureDataset(api: MicroApi, nameOrPath: string, importAs?: { path: string; name: string; setting: 'warm' | 'cold' }): Promise<DatasetInfo> {
  try {
    return await api.datasetInfo({ dataset: nameOrPath });
  } catch (e) {
    if (!(e instanceof ApiError) || e.code !== 'NOT_FOUND') throw e;
    if (importAs) return readingData(api.importDataset(importAs));
    if (!fs.existsSync(nameOrPath)) throw new CliError('DATA', `no dataset named "${nameOrPath}" and no such folder${e.message.match(/ \((registered: .*|no datasets imported yet)\)$/)?.[0] ?? ''}`);
    return readingData(api.importDataset({ path: nameOrPath }));
  }
}

/** A registered dataset whose files must still be there (split, diagnose, train read them). */
export async function datasetWithFiles(api: MicroApi, nameOrPath: string): Promise<DatasetInfo> {
  const d = await ensureDataset(api, nameOrPath);
  if (d.sourceExists === false) throw new CliError('DATA', `dataset "${d.name}": its files (${d.sourcePaths.join(', ')}) no longer exist; re-import it`);
  return d;
}
