import { existsSync } from 'node:fs';

/** The system Chromium (Playwright cannot download its own browser here): CHROMIUM_PATH, then the usual places. */
export function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    '/usr/bin/chromium',
    '/usr/bin/chromium-browser',
    '/usr/bin/google-chrome',
    '/snap/bin/chromium',
  ];
  return candidates.find((p): p is string => !!p && existsSync(p));
}

/** Flags from shared/WEBGPU-HERE.md: WebGPU on SwiftShader, and no background connections on a closed network. */
export const chromiumArgs = [
  '--enable-unsafe-webgpu',
  '--no-sandbox',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumLaunchOptions() {
  return { executablePath: findChromium(), args: chromiumArgs };
}
