import { migrate, openDb, type Db } from '@ndi-mesh/kernel';
import { createTestDatabase } from '@ndi-mesh/kernel/testing';
import { PDI_MIGRATIONS } from '../../src/store/migrations.ts';

export const SCHEMA = 'patient_data_index';

/** A fresh, migrated database for one test file; `close` drops it. */
export async function indexDatabase(label: string, poolSize = 6): Promise<{ db: Db; close: () => Promise<void> }> {
  const database = await createTestDatabase(label);
  const db = await openDb({ connectionString: database.url, schema: SCHEMA, poolSize });
  await migrate(db, [PDI_MIGRATIONS]);
  return {
    db,
    close: async () => {
      await db.close();
      await database.drop();
    },
  };
}
