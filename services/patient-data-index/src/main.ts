import { runService } from '@ndi-mesh/kernel';
import { patientDataIndexService } from './definition.ts';

await runService(patientDataIndexService());
