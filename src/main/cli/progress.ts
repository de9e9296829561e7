// Training progress for people: a bar on a TTY, occasional plain lines otherwise (logs, CI, tests
// that wait for "epoch N val recall@20").
import { SingleBar, Presets } from 'cli-progress';
import type { ProgressEvent } from '../../shared/api';
import { fmt } from './output';

export interface ProgressReporter {
  onProgress: (e: ProgressEvent) => void;
  stop: () => void;
}

export function progressReporter(g: { json?: boolean; quiet?: boolean }, label: string): ProgressReporter {
  if (g.json || g.quiet) return { onProgress: () => {}, stop: () => {} };
  const tty = process.stderr.isTTY;
  let bar: SingleBar | null = null;
  let lastLine = 0;
  let stopped = false;
  return {
    onProgress(e) {
      if (stopped) return;
      if (e.phase === 'train' && e.batch && e.batches) {
        const loss = e.losses?.total !== undefined ? e.losses.total.toFixed(4) : '';
        const eta = e.etaSeconds !== undefined ? `${Math.round(e.etaSeconds)}s` : '?';
        if (tty) {
          if (!bar) {
            bar = new SingleBar({ format: `${label} |{bar}| epoch {epoch}/{epochs} batch {value}/{total} loss {loss} eta {eta}`, stream: process.stderr }, Presets.shades_classic);
            bar.start(e.batches, 0, { epoch: e.epoch, epochs: e.epochs, loss, eta });
          }
          bar.setTotal(e.batches);
          bar.update(e.batch, { epoch: e.epoch, epochs: e.epochs, loss, eta });
        } else if (Date.now() - lastLine > 10_000) {
          lastLine = Date.now();
          process.stderr.write(`${label}: epoch ${e.epoch}/${e.epochs} batch ${e.batch}/${e.batches} loss ${loss} eta ${eta}\n`);
        }
      } else if (e.phase === 'epoch' && e.metrics && !tty) {
        process.stderr.write(`${label}: epoch ${e.epoch} val recall@20 ${fmt(e.metrics['recall@20'] ?? NaN)}\n`);
      }
    },
    stop() {
      stopped = true;
      bar?.stop();
    },
  };
}
