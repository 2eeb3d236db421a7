// Shared by the real-browser tests and the benchmark: serve target/site on a
// free 127.0.0.1 port with scripts/serve.py and launch Debian's Chromium.
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import path from 'node:path';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const SITE = path.join(ROOT, 'target/site');
// A hang guard, not a deadline: the suites wait for events (a render, a state),
// never for time, so the only clock is this ceiling, generous enough for a
// loaded 2-core machine (scripts/test.sh sets it; default 20 minutes).
export const TIMEOUT_MS = 1000 * Number(process.env.VITRINE_TEST_TIMEOUT_S ?? 1200);
const BASE_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

async function freePort() {
  return new Promise((resolve) => {
    const srv = createServer().listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

export async function serve() {
  const port = await freePort();
  const proc = spawn('python3', [path.join(ROOT, 'scripts/serve.py'), '--port', String(port), SITE], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    proc.stdout.once('data', resolve);
    proc.once('exit', (code) => reject(new Error(`server exited with ${code}`)));
  });
  return { origin: `http://127.0.0.1:${port}`, close: () => proc.kill() };
}

/**
 * webgpu: true adds the flag SwiftShader's WebGPU adapter needs. Every context
 * of the returned browser waits up to TIMEOUT_MS (Playwright's own default,
 * 30 s, fails on a busy machine while shaders compile).
 */
export async function launch({ webgpu = true } = {}) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    timeout: TIMEOUT_MS,
    args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS,
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = async (options) => {
    const context = await newContext(options);
    context.setDefaultTimeout(TIMEOUT_MS);
    context.setDefaultNavigationTimeout(TIMEOUT_MS);
    return context;
  };
  return browser;
}

/**
 * A browser context with an on-disk profile (a fresh temporary folder): unlike
 * `browser.newContext()`, whose in-memory cache keeps no multi-megabyte
 * responses, it caches the engine and model files and the compiled wasm code
 * the way a shopper's browser does, so a reload measures a returning visit.
 * Close it with `context.close()`.
 */
export async function launchWithDiskCache({ webgpu = true } = {}) {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const context = await chromium.launchPersistentContext(mkdtempSync(path.join(tmpdir(), 'vitrine-profile-')), {
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    headless: true,
    timeout: TIMEOUT_MS,
    args: webgpu ? [...BASE_ARGS, '--enable-unsafe-webgpu'] : BASE_ARGS,
  });
  context.setDefaultTimeout(TIMEOUT_MS);
  context.setDefaultNavigationTimeout(TIMEOUT_MS);
  return context;
}

/** Serve the site, run `body(origin)`, print a failure, exit 0 or 1. */
export async function main(body) {
  const server = await serve();
  let failed = false;
  try {
    await body(server.origin);
  } catch (err) {
    failed = true;
    console.error('not ok -', err);
  } finally {
    server.close();
  }
  process.exit(failed ? 1 : 0);
}

/** A browser for the length of `fn(browser)`. */
export async function withBrowser(options, fn) {
  const browser = await launch(options);
  try {
    return await fn(browser);
  } finally {
    await browser.close();
  }
}
