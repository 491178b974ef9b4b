import { settingsReader } from "../settings/catalogue.js";
import { STANDALONE_EMULATOR_PORT } from "../settings/emulator.js";
import { startEmulator } from "./emulator.js";
import { messageOf } from "../lib/thrown.js";

/** `npm run emulator`: the emulator alone, for people who want to call the REST API directly. */
async function main(): Promise<void> {
  // The same tables as the gateway's (src/settings/): the same defaults, the same checks and messages.
  const settings = settingsReader(process.env);
  const port = settings.isSet("EMULATOR_PORT") ? settings.read("EMULATOR_PORT") : STANDALONE_EMULATOR_PORT;
  const host = settings.read("HOST");
  const dbFile = settings.read("EMULATOR_DB");
  const appId = settings.read("EMULATOR_APP_ID");
  const appToken = settings.read("EMULATOR_APP_TOKEN");
  if (settings.problems.length > 0) throw new Error(settings.problems.join("; "));
  const emulator = await startEmulator({ port, host, dbFile, appId, appToken });
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
  console.error(`Voucherify emulator failed to start: ${messageOf(err)}`);
  process.exit(1);
});
