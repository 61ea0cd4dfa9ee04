/** A private Temporal dev server for a benchmark, through the project's devstack (Kafka and Azurite, started with it, are stopped at once). */
import path from 'node:path';
import { freePort } from '../devstack/ports.ts';
import { startStack, stopStack, type StackPorts } from '../devstack/services.ts';
import { ensureTools } from '../devstack/tools.ts';

/** The server's data under `work`; stop it with stopStack(dir). */
export async function startTemporal(work: string, log: (line: string) => void): Promise<{ dir: string; address: string }> {
  const tools = await ensureTools(log);
  for (let attempt = 1; ; attempt++) {
    const dir = path.join(work, `stack-${attempt}`);
    const [temporal, temporalUi, temporalHttp, temporalMetrics, kafka, kafkaController, azurite] = await Promise.all(Array.from({ length: 7 }, () => freePort()));
    const ports: StackPorts = { temporal: temporal!, temporalUi: temporalUi!, temporalHttp: temporalHttp!, temporalMetrics: temporalMetrics!, kafka: kafka!, kafkaController: kafkaController!, azurite: azurite! };
    try {
      const started = await startStack({ dir, ports, tools, log, headless: true });
      await stopStack(dir, log, ['kafka', 'azurite']);
      return { dir, address: started.endpoints.temporalAddress };
    } catch (e) {
      await stopStack(dir, log).catch(() => []);
      // A port found free can be taken before the service binds it: try again on others.
      if (attempt >= 3) throw e;
      log(`the stack did not start (${(e as Error).message.split('\n')[0]}); trying other ports`);
    }
  }
}
