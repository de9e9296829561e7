// Why a run was cancelled: the host writes a reason's code into the worker's shared cancel flag,
// the worker aborts with the reason's text, and the run records it (a shutdown is not a user's cancel).
/** Why a run was cancelled: the code written into the worker's cancel flag, and what the run records. */
export const CANCEL_REASONS = {
  user: { code: 1, error: 'cancelled by user' },
  shutdown: { code: 2, error: 'cancelled: the workbench shut down while it trained (resume it to continue)' },
} as const;
export type CancelReason = keyof typeof CANCEL_REASONS;

/** The recorded text of a cancel flag's code (a user cancel when unknown). */
export function cancelMessage(code: number): string {
  return Object.values(CANCEL_REASONS).find((r) => r.code === code)?.error ?? CANCEL_REASONS.user.error;
}
