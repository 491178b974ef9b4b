import type { SharedStateConfig, TrustedDocumentsConfig } from "../config.js";
import { FolderAppDeploymentRegistry } from "./folder-registry.js";
import { RedisAppDeploymentRegistry } from "./redis-registry.js";
import type { AppDeploymentRegistry } from "./registry.js";

/**
 * The registry a gateway with these settings uses, and so the one the command must write: in Redis when the gateway
 * shares state (REDIS_URL, or REDIS_SENTINELS with REDIS_SENTINEL_MASTER), else in APP_DEPLOYMENTS_DIR.
 * `onRedisError` hears the Redis client's connection errors (it reconnects by itself).
 */
export function openAppDeploymentRegistry(
  config: { sharedState: SharedStateConfig; trustedDocuments: TrustedDocumentsConfig },
  onRedisError: (error: Error) => void,
): AppDeploymentRegistry {
  const { sharedState } = config;
  if (sharedState.redisUrl !== null || sharedState.redisSentinel !== null) return new RedisAppDeploymentRegistry(sharedState, onRedisError);
  return new FolderAppDeploymentRegistry(config.trustedDocuments.appDeploymentsDir);
}
