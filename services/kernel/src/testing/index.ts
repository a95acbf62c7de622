export * from './database.ts';
export * from './ready.ts';
export * from './service.ts';
