/** Starts createJudgeServer on 127.0.0.1 at a free port, collecting its log lines. */
import type { AddressInfo } from 'node:net';
import { createJudgeServer, type JudgeServerOptions } from '../../server/judge-server.ts';

export interface LoopbackJudgeServer {
  url: string;
  port: number;
  logs: string[];
  close(): Promise<void>;
}

export async function listenJudgeServer(options: JudgeServerOptions, port = 0): Promise<LoopbackJudgeServer> {
  const logs: string[] = [];
  const server = createJudgeServer({ log: (line) => logs.push(line), ...options });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    logs,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** A port on 127.0.0.1 that nothing listens on right now. */
export async function closedLoopbackPort(): Promise<number> {
  const { createServer } = await import('node:net');
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', () => resolve()));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** POSTs a JSON body to the judge endpoint; returns status, headers and parsed body. */
export async function postJudge(url: string, body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${url}/v1/judge`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, json: JSON.parse(text) as Record<string, any> };
}
