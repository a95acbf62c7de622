import { runService } from '@ndi-mesh/kernel';
import { serviceCatalogue } from './definition.ts';

await runService(serviceCatalogue);
