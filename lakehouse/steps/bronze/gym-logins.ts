/** Bronze: gym door logins from `landing/gym_logins/*.csv` into gym_logins_bz. */
import { gymLoginsBz } from '../../../schema/tables.ts';
import { GYM_LOGIN_COLUMNS, parseGymLogin } from '../../parse/csv.ts';
import type { Step } from '../step.ts';
import { csvParser } from './csv-parser.ts';
import { ingestLandingFiles } from './landing-files.ts';

export const bronzeGymLogins: Step = {
  name: 'bronze_gym_logins',
  layer: 'bronze',
  reads: [],
  sources: [{ kind: 'landing', folder: 'gym_logins' }],
  writes: [gymLoginsBz],
  run: (ctx) =>
    ingestLandingFiles(ctx, {
      step: 'bronze_gym_logins',
      folder: 'gym_logins',
      suffix: '.csv',
      target: gymLoginsBz,
      parserFor: () => csvParser(GYM_LOGIN_COLUMNS, parseGymLogin),
    }),
};
