#!/usr/bin/env node
// `npm test`: unit tests (vitest, Node) then browser tests (Playwright, system Chromium with WebGPU).
// Finds a Chromium; installs Debian's `chromium` with apt-get when running as root on Debian/Ubuntu.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const browserOnly = process.argv.includes('--browser-only');
const unitOnly = process.argv.includes('--unit-only');
const passthrough = process.argv.slice(2).filter((a) => !a.startsWith('--') || a.startsWith('--grep'));

function run(cmd, args, env = {}) {
  console.log(`\n$ ${cmd} ${args.join(' ')}`);
  const r = spawnSync(cmd, args, { stdio: 'inherit', env: { ...process.env, ...env } });
  return r.status ?? 1;
}

function findChromium() {
  return [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium']
    .find((p) => p && existsSync(p));
}

function isDebianLike() {
  try {
    return /^(ID|ID_LIKE)=.*(debian|ubuntu)/m.test(readFileSync('/etc/os-release', 'utf8'));
  } catch {
    return false;
  }
}

function ensureChromium() {
  let found = findChromium();
  if (found) return found;
  if (process.getuid?.() === 0 && isDebianLike()) {
    console.log('No Chromium found: installing Debian\'s `chromium` package with apt-get …');
    if (run('apt-get', ['update', '-qq']) !== 0) return undefined;
    if (run('apt-get', ['install', '-y', '-qq', 'chromium'], { DEBIAN_FRONTEND: 'noninteractive' }) !== 0) return undefined;
    found = findChromium();
  }
  return found;
}

let status = 0;
if (!browserOnly) status = run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) || status;
if (!browserOnly) status = run('npx', ['svelte-check', '--tsconfig', './tsconfig.json', '--threshold', 'error']) || status;
if (!browserOnly) status = run('npx', ['vitest', 'run', ...passthrough]) || status;

if (!unitOnly) {
  const chromium = ensureChromium();
  if (!chromium) {
    console.error('\nBrowser tests need Chromium. Install it (Debian/Ubuntu: `sudo apt-get install chromium`), ' +
      'or point CHROMIUM_PATH at a Chromium or Chrome binary, then run `npm test` again.');
    process.exit(1);
  }
  status = run('npx', ['playwright', 'test', ...passthrough], { CHROMIUM_PATH: chromium }) || status;
}
process.exit(status);
