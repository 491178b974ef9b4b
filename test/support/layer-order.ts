/**
 * The layers of src/, top to bottom: the one order of the code. A file may import from its own layer and those below,
 * never above (test/unit/layering.test.ts checks every import against it), and the pages that describe the layout say
 * the same, in the same words (test/docs/layer-order.test.ts: the README's diagram, the layer column of
 * docs/contributors/architecture.md, the diagram of docs/contributors/request-path.md).
 *
 * Each entry of `folders` is a folder under src, or one of the few files at its root. Folders on one layer share a
 * role and may import each other (never in a cycle).
 */
export interface Layer {
  /** As the architecture page's "layer" column names it. */
  name: string;
  folders: string[];
}

export const LAYERS: Layer[] = [
  // Processes: the gateway's entry point and the command-line tools.
  { name: "entry points", folders: ["main.ts", "tools"] },
  // Every part started in order, closed in reverse.
  { name: "wiring", folders: ["server.ts"] },
  { name: "HTTP edge", folders: ["http"] },
  // The two ways an operation runs: the trusted documents' fast path and compiled execution (execution/), Apollo
  // Server's pipeline through its plugins (plugins/, thin adapters of the operation core).
  { name: "execution paths", folders: ["execution", "plugins"] },
  { name: "trusted documents", folders: ["documents", "app-deployments"] },
  // What both paths do to an operation alike: admission, observation, error masking, answers kept whole, Apollo's
  // HTTP behaviour.
  { name: "operation", folders: ["operation"] },
  { name: "schema", folders: ["graphql"] },
  { name: "domain", folders: ["referrals", "relay"] },
  { name: "request", folders: ["request-context"] },
  { name: "rules", folders: ["auth", "limits"] },
  { name: "upstream", folders: ["voucherify", "shared-state"] },
  // config.ts sits at the root of src but reads the settings every layer is built from, so it lives among them.
  { name: "foundation", folders: ["config.ts", "settings", "observability", "errors"] },
  { name: "leaves", folders: ["lib"] },
];

/**
 * The fake upstream stands apart from the layers: started by main.ts only, built from leaf helpers and a few named
 * files of the gateway (layering.test.ts lists them).
 */
export const APART: Layer = { name: "apart", folders: ["emulator"] };
