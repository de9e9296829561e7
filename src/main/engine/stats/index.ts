// Statistics of studies (pure TypeScript): distributions, Wilcoxon signed-rank, summaries over
// seeds (mean ± std, t-interval), paired t-test, Holm correction.
export * from './distributions';
export * from './wilcoxon';
export * from './summary';
