/** Health probes for the local services: each answers true only after a real round trip. */
import { Connection } from '@temporalio/client';
import { BlobServiceClient } from '@azure/storage-blob';
import { Kafka, logLevel } from 'kafkajs';

/** The Temporal frontend answers its gRPC health check with SERVING. */
export async function temporalHealthy(address: string): Promise<boolean> {
  const connection = await Connection.connect({ address, connectTimeout: 1000 });
  try {
    const response = await connection.healthService.check({});
    // 1 = SERVING in grpc.health.v1.HealthCheckResponse.ServingStatus
    return response.status === 1;
  } finally {
    await connection.close();
  }
}

/** The Temporal web UI serves its page. */
export async function temporalUiHealthy(url: string): Promise<boolean> {
  const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
  await response.arrayBuffer();
  return response.ok;
}

/**
 * The broker has a controller and answers metadata requests for a topic it hosts. An open port is not
 * enough: a broker that just started refuses group and metadata requests for a moment.
 */
export async function kafkaHealthy(brokers: string[]): Promise<boolean> {
  const kafka = new Kafka({ clientId: 'fitlake-health', brokers, logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000 });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const cluster = await admin.describeCluster();
    if (cluster.controller === null || cluster.brokers.length === 0) return false;
    await admin.createTopics({ topics: [{ topic: '__fitlake_health', numPartitions: 1 }], waitForLeaders: true });
    const metadata = await admin.fetchTopicMetadata({ topics: ['__fitlake_health'] });
    return metadata.topics[0]?.partitions[0]?.leader !== undefined;
  } finally {
    await admin.disconnect();
  }
}

/** Azurite answers an authenticated service-properties request. */
export async function azuriteHealthy(connectionString: string): Promise<boolean> {
  const client = BlobServiceClient.fromConnectionString(connectionString, { retryOptions: { maxTries: 1 } });
  await client.getProperties();
  return true;
}
