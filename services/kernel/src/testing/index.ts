export * from './database.ts';
export * from './service.ts';
