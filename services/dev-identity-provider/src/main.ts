import { runService } from '@ndi-mesh/kernel';
import { devIdentityProvider } from './definition.ts';

await runService(devIdentityProvider());
