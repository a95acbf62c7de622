import { runService } from '@ndi-mesh/kernel';
import { consentRegistry } from './definition.ts';

await runService(consentRegistry);
