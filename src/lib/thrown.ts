// What can be read of a thrown value, which TypeScript types `unknown`: anything can be thrown, not only Errors. Read
// by shape, not `instanceof Error`: an error made in another realm (a vm context, as under jest) is not an instance.

/** Its message: an error's, or the value as text. */
export function messageOf(thrown: unknown): string {
  return typeof thrown === "object" && thrown !== null && "message" in thrown && typeof thrown.message === "string"
    ? thrown.message
    : String(thrown);
}

/** The system error code of a failed I/O call (`ENOENT`, `EEXIST`, `MODULE_NOT_FOUND` ...), or undefined. */
export function systemCodeOf(thrown: unknown): string | undefined {
  return typeof thrown === "object" && thrown !== null && "code" in thrown && typeof thrown.code === "string" ? thrown.code : undefined;
}
