import { loadConfig } from "../../src/config.js";
import { openAppDeploymentRegistry } from "../../src/app-deployments/open-registry.js";
import { describeRedis } from "../../src/app-deployments/redis-registry.js";

// Where the app deployments' registry is, as the banner, the command and the log lines name it: the gateway's own
// settings decide, and a password in REDIS_URL never shows.

test("in Redis when the gateway shares state, named without its password", () => {
  const describe = (env: Record<string, string>) => describeRedis(loadConfig(env).sharedState);
  expect(describe({ REDIS_URL: "redis://:s3cret-password@10.0.0.5:6380/2" })).toBe("Redis at redis://10.0.0.5:6380/2");
  expect(describe({ REDIS_URL: "rediss://user:s3cret@cache.internal" })).toBe("Redis at rediss://cache.internal/0");
  expect(describe({ REDIS_SENTINELS: "10.0.0.1:26379", REDIS_SENTINEL_MASTER: "mymaster", REDIS_PASSWORD: "s3cret" })).toBe(
    "Redis through Sentinel (master mymaster)",
  );
});

test("else in the folder APP_DEPLOYMENTS_DIR", () => {
  expect(openAppDeploymentRegistry(loadConfig({ APP_DEPLOYMENTS_DIR: "/srv/gateway/apps" }), () => {}).location).toBe(
    "folder /srv/gateway/apps",
  );
  expect(openAppDeploymentRegistry(loadConfig({}), () => {}).location).toBe("folder .data/app-deployments");
});
