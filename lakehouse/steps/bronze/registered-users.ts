/** Bronze: device registrations from `landing/registered_users/*.csv` into registered_users_bz. */
import { registeredUsersBz } from '../../../schema/tables.ts';
import { parseRegisteredUser, REGISTERED_USER_COLUMNS } from '../../parse/csv.ts';
import type { Step } from '../step.ts';
import { csvParser } from './csv-parser.ts';
import { ingestLandingFiles } from './landing-files.ts';

export const bronzeRegisteredUsers: Step = {
  name: 'bronze_registered_users',
  layer: 'bronze',
  reads: [],
  sources: [{ kind: 'landing', folder: 'registered_users' }],
  writes: [registeredUsersBz],
  run: (ctx) =>
    ingestLandingFiles(ctx, {
      step: 'bronze_registered_users',
      folder: 'registered_users',
      suffix: '.csv',
      target: registeredUsersBz,
      parserFor: () => csvParser(REGISTERED_USER_COLUMNS, parseRegisteredUser),
    }),
};
