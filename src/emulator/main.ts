import { DEFAULT_APP_ID, DEFAULT_APP_TOKEN, startEmulator } from "./emulator.js";

/** `npm run emulator`: the emulator alone, for people who want to call the REST API directly. */
async function main(): Promise<void> {
  const portText = process.env.EMULATOR_PORT ?? "4010";
  const port = Number(portText);
  if (!/^\d+$/.test(portText) || port > 65535) throw new Error(`EMULATOR_PORT must be a port number (0-65535), got "${portText}"`);
  const host = process.env.HOST ?? "127.0.0.1";
  const dbFile = process.env.EMULATOR_DB ?? ".data/emulator.sqlite";
  const emulator = await startEmulator({
    port,
    host,
    dbFile,
    appId: process.env.EMULATOR_APP_ID ?? DEFAULT_APP_ID,
    appToken: process.env.EMULATOR_APP_TOKEN ?? DEFAULT_APP_TOKEN,
  });
  // The token is never printed: it may be a real secret when configured.
  console.log(`Voucherify emulator listening on ${emulator.url} (db: ${dbFile})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    emulator.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`Error while stopping on ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((err: unknown) => {
  console.error(`Voucherify emulator failed to start: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
