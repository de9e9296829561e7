// Study methods of the API: define a study (planned from the registry and the dataset, stored with
// its cells), start / resume and cancel its queue (study-queue.ts), list and read studies with
// their progress, and the results table with its statistics (study-table.ts).
import type { StudyRecord } from '../store';
import { ApiError, type ApiEvent, type StudyCell, type StudyDefinition, type StudyDetails, type StudySummary } from '../../shared/api';
import type { HandlerGroup } from './handlers';
import type { RunContext } from './runs';
import { datasetRecord } from './datasets';
import { modelOptions } from './options';
import { planStudy } from './study-plan';
import { StudyQueue } from './study-queue';
import { buildStudyTable } from './study-table';

export interface StudyContext extends RunContext {
  onEvent(listener: (e: ApiEvent) => void): () => void;
}

export function studyHandlers(c: StudyContext): HandlerGroup<'createStudy' | 'startStudy' | 'cancelStudy' | 'listStudies' | 'getStudy' | 'studyTable'> {
  const queue = new StudyQueue(c);
  const record = (id: number): StudyRecord => {
    const s = c.store.getStudy(id);
    if (!s) throw new ApiError('NOT_FOUND', `study ${id} not found`);
    return s;
  };
  const summary = (s: StudyRecord): StudySummary => {
    const cells = c.store.getStudyCells(s.id);
    const ds = s.datasetId !== null ? c.store.getDataset(s.datasetId) : null;
    return {
      id: s.id,
      name: s.name,
      kind: s.kind,
      datasetId: s.datasetId,
      datasetName: ds?.name ?? String((s.definition as { dataset?: string }).dataset ?? '?'),
      setting: ds?.setting ?? null,
      status: s.status,
      error: s.error,
      createdAt: s.createdAt,
      updatedAt: s.updatedAt,
      cells: cells.length,
      completed: cells.filter((x) => x.status === 'completed').length,
      active: queue.has(s.id),
    };
  };
  const details = (s: StudyRecord): StudyDetails => {
    const cells = c.store.getStudyCells(s.id);
    return {
      study: summary(s),
      definition: s.definition as unknown as StudyDefinition,
      cells: cells.map((x): StudyCell => ({ variant: x.variant, seed: x.seed, position: x.position, runId: x.runId, status: x.status, wallSeconds: x.wallSeconds, error: x.error })),
      progress: queue.progress(s.id, cells),
    };
  };
  return {
    createStudy: async (i) => {
      const ds = datasetRecord(c.store, i.dataset);
      if (i.model) c.checkModel(i.model);
      const { definition, cells } = await planStudy(i, await modelOptions(), ds);
      const name = i.name ?? `${i.kind}${definition.param ? ` ${definition.param}` : ''} on ${ds.name}`;
      const s = c.store.createStudy({ name, kind: i.kind, datasetId: ds.id, definition: definition as unknown as Record<string, unknown>, cells });
      return details(s);
    },

    startStudy: (i) => {
      const s = record(i.studyId);
      const def = s.definition as unknown as StudyDefinition;
      if (s.datasetId === null) throw new ApiError('CONFLICT', `study ${s.id}: its dataset "${def.dataset}" is no longer registered`);
      const ds = datasetRecord(c.store, s.datasetId);
      queue.start(s, ds, i.parallel, i.backend);
      return { studyId: s.id, started: true };
    },

    cancelStudy: (i) => {
      const s = record(i.studyId);
      if (queue.cancel(s.id)) return { cancelled: true };
      if (s.status === 'running') throw new ApiError('CONFLICT', `study ${s.id} is running in another process (pid ${s.pid ?? '?'} on ${s.host ?? '?'}); stop it there`);
      throw new ApiError('CONFLICT', `study ${s.id} is ${s.status}; only a running study can be cancelled`);
    },

    listStudies: () => c.store.listStudies().map(summary),

    getStudy: (i) => details(record(i.studyId)),

    studyTable: (i) => {
      const s = record(i.studyId);
      return buildStudyTable(c.store, s, c.store.getStudyCells(s.id), i.metric, i.split, i.protocol);
    },
  };
}
