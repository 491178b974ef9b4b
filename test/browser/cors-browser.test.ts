import { mkdtempSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer, { type Browser } from "puppeteer-core";
import { findOsBinary } from "../support/os-binary.js";
import { startStack, type Stack } from "../support/stack.js";
import { signToken, TEST_JWT_SECRET } from "../support/tokens.js";

// A real browser enforcing CORS: a page on one local origin calls the gateway on another. http://127.0.0.1:P and
// http://localhost:P are the same page server but two origins; only the first is in CORS_ORIGINS.
const chromium = findOsBinary("chromium", { debianPackage: "chromium" });

const HOLDERS = `{ referralMember(memberId: "WELCOME-REF") { holders(first: 2) { totalCount nodes { holderRole } } } }`;
// A real bearer token, verified by the gateway: the Authorization header must pass the browser's preflight.
let TOKEN: string;

interface PageFetchResult {
  ok: boolean;
  status?: number;
  body?: unknown;
  requestId?: string | null;
  error?: string;
}

chromium.describe("CORS in headless Chromium", () => {
  let stack: Stack;
  let pages: Server;
  let pagePort: number;
  let browser: Browser;
  let profileDir: string;
  const seen: string[] = [];

  beforeAll(async () => {
    pages = createServer((_request, response) => {
      response.writeHead(200, { "content-type": "text/html; charset=utf-8" });
      response.end("<!doctype html><title>client app</title><p>client app</p>");
    });
    await new Promise<void>((resolve) => pages.listen(0, "127.0.0.1", resolve));
    pagePort = (pages.address() as AddressInfo).port;
    stack = await startStack({ env: { CORS_ORIGINS: `http://127.0.0.1:${pagePort}`, AUTH_JWT_SECRET: TEST_JWT_SECRET } });
    TOKEN = await signToken({ scope: "referrals:read" });
    stack.gateway.server.on("request", (request) => seen.push(`${request.method} ${request.headers.origin ?? "-"}`));
    profileDir = mkdtempSync(join(tmpdir(), "cors-chromium-"));
    browser = await puppeteer.launch({
      executablePath: chromium.path!,
      headless: true,
      args: [
        "--no-sandbox",
        "--headless=new",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        `--user-data-dir=${profileDir}`,
      ],
    });
  }, 60_000);

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await new Promise<void>((resolve) => (pages ? pages.close(() => resolve()) : resolve()));
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  /** Opens the page on `origin` and runs the client's fetch() there, in the browser. */
  async function fetchFromPage(origin: string): Promise<PageFetchResult> {
    const page = await browser.newPage();
    try {
      await page.goto(`${origin}/`);
      return await page.evaluate(
        async (url: string, query: string, token: string): Promise<PageFetchResult> => {
          try {
            const response = await fetch(url, {
              method: "POST",
              headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
              body: JSON.stringify({ query }),
            });
            const requestId = response.headers.get("x-request-id");
            return { ok: true, status: response.status, body: await response.json(), requestId };
          } catch (error) {
            return { ok: false, error: (error as Error).message };
          }
        },
        stack.gateway.graphqlUrl,
        HOLDERS,
        TOKEN,
      );
    } finally {
      await page.close();
    }
  }

  test("a page on a listed origin reads WELCOME-REF's holders with a bearer token", async () => {
    const origin = `http://127.0.0.1:${pagePort}`;
    const result = await fetchFromPage(origin);
    expect(result).toMatchObject({ ok: true, status: 200 });
    const holders = { totalCount: 26, nodes: [{ holderRole: "REFERRER" }, { holderRole: "REFEREE" }] };
    expect(result.body).toEqual({ data: { referralMember: { holders } } });
    // Exposed to the page, so a client can quote it in a support request.
    expect(result.requestId).toMatch(/\S/);
    expect(seen).toEqual(expect.arrayContaining([`OPTIONS ${origin}`, `POST ${origin}`]));
  });

  test("a page on an unlisted origin is stopped by the browser at preflight: fetch fails, nothing reaches Voucherify", async () => {
    const origin = `http://localhost:${pagePort}`;
    const upstreamBefore = stack.emulator.requests.length;
    const result = await fetchFromPage(origin);
    expect(result).toEqual({ ok: false, error: "Failed to fetch" });
    expect(seen).toContain(`OPTIONS ${origin}`);
    expect(seen).not.toContain(`POST ${origin}`);
    expect(stack.emulator.requests.length).toBe(upstreamBefore);
  });
});
