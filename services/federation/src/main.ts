import { runService } from '@ndi-mesh/kernel';
import { federation } from './definition.ts';

await runService(federation);
