/**
 * The embedded emulator cannot run in this install: its SQLite driver is a development dependency, so a production
 * install (`npm ci --omit=dev`) leaves it out. This module imports nothing, so src/main.ts can recognise the error
 * without loading the emulator itself.
 */
export class EmulatorUnavailableError extends Error {
  constructor(driver: string) {
    super(
      `The embedded Voucherify emulator is not installed: its SQLite driver (${driver}) is a development dependency, ` +
        "left out by `npm ci --omit=dev`. Set VOUCHERIFY_API_URL, VOUCHERIFY_APP_ID and VOUCHERIFY_APP_TOKEN to front " +
        "Voucherify, or run `npm ci` (development dependencies included) to use the emulator.",
    );
    this.name = "EmulatorUnavailableError";
  }
}
