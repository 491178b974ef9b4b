// The gateway launcher's former names (gateway-process.ts), for the suites not moved to it yet
// (test/shared-state/answers-on-redis.test.ts). Use startGatewayProcess in new code.
export { startGatewayProcess as startReplica, type GatewayProcess as Replica } from "./gateway-process.js";
