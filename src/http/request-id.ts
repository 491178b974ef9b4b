import { randomUUID } from "node:crypto";
import { firstHeaderValue } from "../lib/header-value.js";

// Honour a caller's id only if it is short and plain: it ends up in logs and upstream headers.
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdFrom(header: string | string[] | undefined): string {
  const value = firstHeaderValue(header);
  return value && ACCEPTABLE.test(value) ? value : randomUUID();
}
