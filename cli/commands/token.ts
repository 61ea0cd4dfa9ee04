/** `fitlake token`: a signed API token for local use (HS256 with FITLAKE_JWT_SECRET). */
import { loadJwtSettings, loadTokenLifetimes } from '../../config/api-settings.ts';
import { parseUserId, signToken } from '../../api/index.ts';
import { parseArgs, parseDuration } from '../args.ts';
import { CliError, ExitCode } from '../exit-codes.ts';
import type { Command } from '../command.ts';

const usage = `Usage: fitlake token --role analyst|user [--user-id N] [--ttl 1h] [--subject NAME]

Prints a JWT for the API (fitlake serve), signed with FITLAKE_JWT_SECRET, issuer FITLAKE_JWT_ISSUER
(default fitlake), audience fitlake-api. An analyst reads everything; a user reads only its own rows.

Options:
  --role analyst|user   required
  --user-id N           the user's id (required for --role user)
  --ttl DURATION        lifetime, e.g. 15m, 1h, 12h (default 1h; at most 24h for users and 720h for analysts,
                        unless FITLAKE_TOKEN_MAX_TTL_USER / _ANALYST say otherwise)
  --subject NAME        an analyst token's subject, for logs (default analyst)

Examples:
  fitlake token --role analyst
  fitlake token --role user --user-id 12474 --ttl 15m`;

export const tokenCommand: Command = {
  usage,
  async run(args) {
    const { values } = parseArgs({
      args,
      options: {
        role: { type: 'string' },
        'user-id': { type: 'string' },
        ttl: { type: 'string', default: '1h' },
        subject: { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
    if (values.help) {
      console.log(usage);
      return ExitCode.ok;
    }
    const role = values.role;
    if (role !== 'analyst' && role !== 'user') throw new CliError(`--role must be analyst or user\n\n${usage}`, ExitCode.usage);
    let userId: number | undefined;
    if (role === 'user') {
      const text = values['user-id'];
      userId = text === undefined ? undefined : parseUserId(text.trim());
      if (userId === undefined) throw new CliError('--role user needs --user-id N (a positive integer)', ExitCode.usage);
    } else if (values['user-id'] !== undefined) {
      throw new CliError('--user-id is for --role user; an analyst token reads every user', ExitCode.usage);
    }
    const ttlSeconds = parseDuration(values.ttl, '--ttl');
    // The API refuses tokens that live longer than its maximum for the role: never sign one.
    const maxSeconds = loadTokenLifetimes(process.env)[role];
    if (!(ttlSeconds >= 1) || ttlSeconds > maxSeconds) throw new CliError(`--ttl must be between 1s and ${maxSeconds / 3600} h for a${role === 'user' ? ' user' : 'n analyst'} token (FITLAKE_TOKEN_MAX_TTL_${role.toUpperCase()})`, ExitCode.usage);
    const jwt = loadJwtSettings(process.env, (line) => console.error(line));
    console.log(await signToken(jwt, { role, ...(userId !== undefined ? { userId } : {}), ...(values.subject ? { subject: values.subject } : {}), ttlSeconds }));
    return ExitCode.ok;
  },
};
