/**
 * The cluster settings of the fleet test, shared by the runners and the driver: short lock expiry and polling so
 * that the shards of a killed runner move within seconds (Postgres releases a dead connection's advisory locks at
 * once; the expiry is the fallback).
 */
export const shardingConfig = {
  shardsPerGroup: 60,
  shardLockRefreshInterval: "1 second",
  shardLockExpiration: "5 seconds",
  refreshAssignmentsInterval: "500 millis",
  entityMessagePollInterval: "500 millis",
  entityReplyPollInterval: "100 millis",
  runnerHealthCheckInterval: "2 seconds",
  entityTerminationTimeout: "2 seconds"
} as const
