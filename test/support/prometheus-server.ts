import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { launch } from "./child-process.js";
import { freePort } from "./redis-server.js";

export interface PrometheusServer {
  url: string;
  /** GET /api/v1/<path> and its `data` (throws on an error answer). */
  api<T>(path: string, params?: Record<string, string>): Promise<T>;
  /** Everything the server logged (it logs to stderr). */
  output(): string;
  stop(): Promise<void>;
}

/**
 * A real Prometheus (Debian's `prometheus` package) of the test's own: a free loopback port, a temporary folder for
 * its configuration and its TSDB. `config` is prometheus.yml's content; `files` are written beside it.
 */
export async function startPrometheus(binary: string, config: string, files: Record<string, string> = {}): Promise<PrometheusServer> {
  const dir = mkdtempSync(join(tmpdir(), "gateway-prometheus-"));
  for (const [name, content] of Object.entries({ ...files, "prometheus.yml": config })) writeFileSync(join(dir, name), content);
  const port = await freePort();
  const server = launch(binary, [
    `--config.file=${join(dir, "prometheus.yml")}`,
    `--storage.tsdb.path=${join(dir, "data")}`,
    `--web.listen-address=127.0.0.1:${port}`,
    "--enable-feature=exemplar-storage",
  ]);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await server.stop("SIGTERM");
    rmSync(dir, { recursive: true, force: true });
  };
  // Ready once it has loaded its configuration and TSDB; it may need a few seconds on a busy machine.
  const until = Date.now() + 20_000;
  for (;;) {
    if (server.child.exitCode !== null) {
      await stop();
      throw new Error(`prometheus exited (${server.child.exitCode}) before it was ready: ${server.output()}`);
    }
    const ready = await fetch(`${url}/-/ready`).then(
      (response) => response.ok,
      () => false,
    );
    if (ready) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`prometheus was not ready within 20 s: ${server.output()}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    url,
    async api<T>(path: string, params: Record<string, string> = {}): Promise<T> {
      const response = await fetch(`${url}/api/v1/${path}?${new URLSearchParams(params).toString()}`);
      const body = (await response.json()) as { status: string; data: T; error?: string };
      if (body.status !== "success") throw new Error(`Prometheus ${path} ${JSON.stringify(params)}: ${body.error}`);
      return body.data;
    },
    output: server.output,
    stop,
  };
}
