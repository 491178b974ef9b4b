import { startEmulator } from "../../src/emulator/emulator.js";
import { reportToParent } from "./child-reporter.js";

/** Bench child: the emulator alone (in-memory SQLite, seeded), standing in for Voucherify. */
const emulator = await startEmulator({ port: 0, dbFile: ":memory:", maxRecordedRequests: 1000 });
reportToParent(emulator.url, () => emulator.stop(), { appId: emulator.appId, appToken: emulator.appToken });
