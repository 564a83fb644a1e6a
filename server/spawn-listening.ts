/**
 * Starts a TypeScript HTTP server program as a child process (node + tsx) and waits for the line in
 * which it names its port. Used by tests and the judge benchmark to run servers in another process.
 * The child is tied to this process by an IPC channel and leaves when it closes.
 */
import { spawn, type ChildProcess } from 'node:child_process';

export interface ListeningChild {
  port: number;
  url: string;
  child: ChildProcess;
  /** Everything the child wrote to stdout and stderr so far. */
  output(): string;
  stop(): Promise<void>;
}

export function spawnListening(
  script: string,
  args: string[] = [],
  options: { env?: NodeJS.ProcessEnv; portPattern?: RegExp; startTimeoutMs?: number } = {},
): Promise<ListeningChild> {
  const pattern = options.portPattern ?? /listening (?:on \S*:)?(\d+)\b/;
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
    await exited;
    clearTimeout(timer);
  };
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${script} did not say it was listening within ${options.startTimeoutMs ?? 20_000} ms:\n${output}`));
    }, options.startTimeoutMs ?? 20_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      const match = pattern.exec(output);
      if (match && timer) {
        clearTimeout(timer);
        const port = Number(match[1]);
        resolve({ port, url: `http://127.0.0.1:${port}`, child, output: () => output, stop });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${script} exited (${code}) before listening:\n${output}`));
    });
  });
}
