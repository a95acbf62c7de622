import { fileURLToPath } from 'node:url';

/** The index's migrations, for the kernel's migrate(): `migrate(db, [PDI_MIGRATIONS])`. */
export const PDI_MIGRATIONS = {
  name: 'patient-data-index',
  dir: fileURLToPath(new URL('../../migrations', import.meta.url)),
} as const;
