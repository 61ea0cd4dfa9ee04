/** `fitlake schedule create|list|pause|unpause|delete`: Temporal Schedules that start pipeline or maintenance runs. */
import { ScheduleOverlapPolicy, type Client } from '@temporalio/client';
import { type Settings, loadSettings } from '../../config/settings.ts';
import type { PipelineInput } from '../../activities/types.ts';
import { parseArgs, parseDuration, parseList, SETTINGS_HELP, SETTINGS_OPTIONS, settingFlags } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';
import { connectClient } from '../temporal-client.ts';

const usage = `Usage: fitlake schedule <create|list|pause|unpause|delete> [ID] [options]

Temporal Schedules that start 'once' pipeline runs (or table maintenance) at an interval or by cron.
Overlap policy: skip (a run never starts while the previous one still runs); missed runs within the
catch-up window are taken when the server comes back.

Options for create:
  --every DURATION      interval, e.g. 5m, 1h             --cron "EXPR"   cron expression instead
  --catchup DURATION    catch-up window (default 10m)
  --maintenance         schedule compaction + vacuum instead of the pipeline
  --retention-hours N   vacuum retention for --maintenance (default 168)
  --layers a,b          only these layers (pipeline schedules)
${SETTINGS_HELP}

Examples:
  fitlake schedule create --every 15m                  id fitlake-pipeline-every-15m
  fitlake schedule create nightly --cron "0 2 * * *" --maintenance
  fitlake schedule list
  fitlake schedule pause fitlake-pipeline-every-15m`;

async function create(client: Client, settings: Settings, id: string | undefined, values: Record<string, unknown>): Promise<string> {
  const every = values.every as string | undefined;
  const cron = values.cron as string | undefined;
  if (!every === !cron) throw new CliError('give exactly one of --every or --cron', ExitCode.usage);
  const maintenance = values.maintenance === true;
  const scheduleId = id ?? `fitlake-${maintenance ? 'maintenance' : 'pipeline'}-${every ? `every-${every}` : 'cron'}`;
  const layers = parseList(values.layers as string | undefined) as PipelineInput['layers'];
  const pipelineInput: PipelineInput = {
    mode: 'once',
    trigger: 'schedule',
    lake: settings.lake,
    landing: settings.landing,
    ...(settings.landingArchive ? { landingArchive: settings.landingArchive } : {}),
    ...(settings.kafkaBrokers.length > 0 ? { kafkaBrokers: settings.kafkaBrokers } : {}),
    ...(layers ? { layers } : {}),
  };
  await client.schedule.create({
    scheduleId,
    spec: every ? { intervals: [{ every: `${parseDuration(every, '--every')}s` }] } : { cronExpressions: [cron!] },
    action: maintenance
      ? { type: 'startWorkflow', workflowType: 'maintenanceWorkflow', taskQueue: settings.temporal.taskQueue, args: [{ lake: settings.lake, retentionHours: Number(values['retention-hours'] ?? 168) }] }
      : {
          type: 'startWorkflow',
          workflowType: 'pipelineWorkflow',
          taskQueue: settings.temporal.taskQueue,
          args: [pipelineInput],
          memo: { mode: 'once', trigger: 'schedule', layers: (layers ?? ['bronze', 'silver', 'gold']).join(','), lake: settings.lake },
        },
    policies: { overlap: ScheduleOverlapPolicy.SKIP, catchupWindow: `${parseDuration((values.catchup as string | undefined) ?? '10m', '--catchup')}s` },
    memo: { kind: maintenance ? 'maintenance' : 'pipeline' },
  });
  return scheduleId;
}

export const scheduleCommand: Command = {
  usage,
  async run(args) {
    const { values, positionals } = parseArgs({
      args,
      allowPositionals: true,
      options: {
        ...SETTINGS_OPTIONS,
        every: { type: 'string' },
        cron: { type: 'string' },
        catchup: { type: 'string' },
        maintenance: { type: 'boolean', default: false },
        'retention-hours': { type: 'string' },
        layers: { type: 'string' },
      },
    });
    const [action, id] = positionals;
    if (values.help || !action) {
      console.log(usage);
      return values.help ? ExitCode.ok : ExitCode.usage;
    }
    const settings = loadSettings(process.env, settingFlags(values));
    const { client, close } = await connectClient(settings);
    try {
      switch (action) {
        case 'create': {
          const scheduleId = await create(client, settings, id, values);
          console.log(values.json ? JSON.stringify({ scheduleId }) : `schedule ${scheduleId} created`);
          return ExitCode.ok;
        }
        case 'list': {
          const rows = [];
          for await (const s of client.schedule.list()) {
            const d = await client.schedule.getHandle(s.scheduleId).describe();
            rows.push({ id: s.scheduleId, paused: d.state.paused, next: d.info.nextActionTimes[0]?.toISOString() ?? null, recent: d.info.recentActions.length });
          }
          if (values.json) console.log(JSON.stringify(rows, null, 2));
          else if (rows.length === 0) console.log('no schedules');
          else for (const r of rows) console.log(`${r.id.padEnd(40)} ${r.paused ? 'paused ' : 'active '} next ${r.next ?? '-'}  (${r.recent} recent run(s))`);
          return ExitCode.ok;
        }
        case 'pause':
        case 'unpause':
        case 'delete': {
          if (!id) throw new CliError(`${action} needs a schedule id (see \`fitlake schedule list\`)`, ExitCode.usage);
          const handle = client.schedule.getHandle(id);
          if (action === 'pause') await handle.pause('paused with fitlake schedule pause');
          else if (action === 'unpause') await handle.unpause();
          else await handle.delete();
          console.log(values.json ? JSON.stringify({ scheduleId: id, action }) : `schedule ${id}: ${action}d`);
          return ExitCode.ok;
        }
        default:
          throw new CliError(`unknown action '${action}'\n\n${usage}`, ExitCode.usage);
      }
    } finally {
      await close();
    }
  },
};
