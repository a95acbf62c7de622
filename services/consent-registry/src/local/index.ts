export { LocalBlockService, LOCAL_BLOCK_ID_SYSTEM, LOCAL_MIGRATIONS, type LocalBlockServiceOptions } from './local-block-service.ts';
export { localBlockHost, type LocalBlockHostOptions } from './host.ts';
