export const KIB = 1024;
export const MIB = 1024 ** 2;

const UNITS: ReadonlyArray<[name: string, bytes: number]> = [
  ["GiB", 1024 ** 3],
  ["MiB", 1024 ** 2],
  ["KiB", 1024],
];

/**
 * A size in bytes as people read it, for messages and descriptions written from a limit (never the limit written
 * out by hand beside it): in the largest binary unit that holds it whole ("1 MiB", "16 KiB"), else in bytes.
 */
export function formatBytes(bytes: number): string {
  for (const [name, size] of UNITS) if (bytes >= size && bytes % size === 0) return `${bytes / size} ${name}`;
  return `${bytes} bytes`;
}
