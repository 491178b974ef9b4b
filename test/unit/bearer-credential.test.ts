import { bearerCredential, SecretDigest } from "../../src/auth/authenticator.js";

// One reading of `Authorization: Bearer <credential>` and one comparison of a configured secret, for the callers'
// JWTs, ROUTER_SECRET and METRICS_TOKEN alike.

describe("bearerCredential", () => {
  test.each([
    ["Bearer abc.def-ghi_jkl", "abc.def-ghi_jkl"],
    ["bearer  abc", "abc"],
    ["BEARER abc  ", "abc"],
    ["Bearer visible!#$%&'*ASCII~", "visible!#$%&'*ASCII~"],
  ])("%j: %j", (header, credential) => {
    expect(bearerCredential(header)).toBe(credential);
  });

  test.each([[undefined], [""], ["Bearer"], ["Bearer "], ["Bearer a b"], ["Basic YWxpY2U6c2VjcmV0"], ["Bearerabc"], [" Bearer abc"]])(
    "%j: none",
    (header) => {
      expect(bearerCredential(header)).toBeNull();
    },
  );
});

describe("SecretDigest", () => {
  const secret = new SecretDigest("metrics-canary-token-7f3a9d");

  test("matches the secret itself only: not a prefix, an extension, or another case", () => {
    expect(secret.matches("metrics-canary-token-7f3a9d")).toBe(true);
    for (const other of ["metrics-canary-token-7f3a9", "metrics-canary-token-7f3a9d0", "METRICS-CANARY-TOKEN-7F3A9D", "", "m"]) {
      expect(secret.matches(other)).toBe(false);
    }
  });
});
