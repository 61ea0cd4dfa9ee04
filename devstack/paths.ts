import { fileURLToPath } from 'node:url';
import path from 'node:path';

/** The repository root (the folder holding package.json). */
export const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Installed tools (Temporal CLI, Kafka jars, Azurite): ignored by git, safe to delete. */
export const toolsDir = path.join(projectRoot, '.tools');

/** Default home of a running stack: data, logs and the state file of `fitlake services`. */
export const defaultStackDir = path.join(projectRoot, '.stack');

/** The SBIT reference data set, beside the repository (../shared/sbit), never copied into it. */
export const sbitReferenceDir = path.resolve(projectRoot, '..', 'shared', 'sbit');
