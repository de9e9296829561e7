// Electron fuses for the packaged app, flipped in the binary at packaging time (scripts/flip-fuses.mjs):
// no running the binary as plain Node, no NODE_OPTIONS / --inspect, app code only from an
// integrity-checked app.asar, cookies encrypted at rest.
import { flipFuses, FuseV1Options, FuseVersion, type FuseV1Config } from '@electron/fuses';

export const FUSE_CONFIG = {
  version: FuseVersion.V1,
  [FuseV1Options.RunAsNode]: false,
  [FuseV1Options.EnableCookieEncryption]: true,
  [FuseV1Options.EnableNodeOptionsEnvironmentVariable]: false,
  [FuseV1Options.EnableNodeCliInspectArguments]: false,
  [FuseV1Options.EnableEmbeddedAsarIntegrityValidation]: true,
  [FuseV1Options.OnlyLoadAppFromAsar]: true,
} as const satisfies FuseV1Config;

/**
 * Flips FUSE_CONFIG into the Electron executable (or .app bundle) at `binaryPath`. Run it on the
 * packaged copy before code signing; on macOS arm64 an unsigned build gets an ad-hoc signature back.
 */
export async function flipAppFuses(binaryPath: string, platform = process.platform, arch = process.arch): Promise<void> {
  await flipFuses(binaryPath, { ...FUSE_CONFIG, resetAdHocDarwinSignature: platform === 'darwin' && arch === 'arm64' });
}
